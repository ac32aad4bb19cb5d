// Which recipients of a campaign email the suppression list keeps out, and the campaign log's "sent" rows of
// what went out. A suppressed To address stops the whole email: it was written for that person, and sending
// it to the Cc alone would be a different email. A suppressed Cc or Bcc address is only left out: the email
// still goes to the others, and the item says who was left out and why. No n8n imports.
import type { CampaignLogRow } from '../../shared/campaign/log';
import type { SuppressionEntry } from '../../shared/campaign/suppression';
import { normalizeAddress } from '../../shared/campaign/suppression';

export type RecipientField = 'to' | 'cc' | 'bcc';

/** Why an address is on the suppression list, as the output item shows it. */
export interface SuppressionNote {
	reason: string;
	/** ISO time it was put on the list. */
	since: string;
	/** The campaign that put it there, if any. */
	campaign: string | null;
}

export interface KeptOut {
	recipient: string;
	field: RecipientField;
	suppression: SuppressionNote;
}

export interface Screening {
	/** False when a To address is suppressed: the email is not sent at all. */
	send: boolean;
	/** Every suppressed address of the email (To first), in the order they were given. */
	keptOut: KeptOut[];
}

export type AddressLists = Record<RecipientField, string[]>;

export const noteOf = (entry: SuppressionEntry): SuppressionNote => ({
	reason: entry.reason,
	since: entry.suppressedAt,
	campaign: entry.campaign,
});

/** Every address of the lists, normalized the way the suppression list stores them. */
export function allAddresses(lists: AddressLists): string[] {
	return [...lists.to, ...lists.cc, ...lists.bcc].map(normalizeAddress).filter(Boolean);
}

export function screenRecipients(
	lists: AddressLists,
	suppressed: ReadonlyMap<string, SuppressionEntry>,
): Screening {
	const keptOut: KeptOut[] = [];
	for (const field of ['to', 'cc', 'bcc'] as const)
		for (const address of lists[field]) {
			const entry = suppressed.get(normalizeAddress(address));
			if (entry) keptOut.push({ recipient: address, field, suppression: noteOf(entry) });
		}
	return { send: !keptOut.some((k) => k.field === 'to'), keptOut };
}

/** The addresses of `list` that are not kept out (compared as the suppression list compares them). */
export function withoutKeptOut<T extends { address: string }>(list: T[], keptOut: KeptOut[]): T[] {
	const out = new Set(keptOut.map((k) => normalizeAddress(k.recipient)));
	return list.filter((a) => !out.has(normalizeAddress(a.address)));
}

/**
 * One "sent" row per address the SMTP server accepted: the report counts messages per Message-ID and
 * recipient, so a bounce of a Cc address is matched by a sent row of that address.
 */
export function sentRows(send: {
	campaign: string;
	messageId: string;
	trackingId?: string;
	accepted: string[];
	at: Date;
}): CampaignLogRow[] {
	const seen = new Set<string>();
	const rows: CampaignLogRow[] = [];
	for (const address of send.accepted) {
		const recipient = normalizeAddress(address);
		if (!recipient || seen.has(recipient)) continue;
		seen.add(recipient);
		rows.push({
			campaign: send.campaign,
			event: 'sent',
			recipient,
			messageId: send.messageId,
			trackingId: send.trackingId ?? null,
			at: send.at,
		});
	}
	return rows;
}
