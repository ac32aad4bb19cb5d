// The campaign log's "bounced" and "complained" rows, from the bounce and complaint events that Suppression
// List > Add ("From the Item") handles: an event whose verified send names a campaign (`sent.campaign`, from
// the X-CRM-Mail-Ref header of a campaign email sent with Tracking on) fills the report's bounce and
// complaint figures. A soft bounce is logged too (this message was not delivered) though the address is not
// suppressed; a delay is not (the server still tries). All rows of a run: one POST (per 500 rows).
// A failed write is reported on the items, never fails them: the suppression list was already written.
import type { IDataObject } from 'n8n-workflow';
import { CampaignLogWriter, type CampaignLogRow } from '../../../shared/campaign/log';
import type { CampaignTables } from '../../../shared/campaign/tables';
import type { Describable } from '../../../shared/failure';

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The campaign named by an event's verified send, if any. */
export function campaignOfEvent(json: IDataObject): string | undefined {
	return text((json.sent as IDataObject | null | undefined)?.campaign);
}

/** The log row of a bounce or complaint event of a campaign email, or undefined. */
export function eventLogRow(json: IDataObject, at = new Date()): CampaignLogRow | undefined {
	const campaign = campaignOfEvent(json);
	const recipient = text(json.recipient);
	if (!campaign || !recipient) return undefined;
	const sent = json.sent as IDataObject;
	const messageId =
		text(sent.messageId) ?? text((json.original as IDataObject | undefined)?.messageId) ?? null;
	const common = {
		campaign,
		recipient,
		messageId,
		trackingId: text(sent.trackingId) ?? null,
		at,
	};
	if (json.event === 'complaint')
		return {
			...common,
			event: 'complained',
			classification: text(json.feedbackType) ?? null,
		};
	if (json.event === 'bounce' && (json.kind === 'hard' || json.kind === 'soft'))
		return {
			...common,
			event: 'bounced',
			classification: json.kind,
			detail: [text(json.status), text(json.reason)].filter(Boolean).join(' ') || null,
		};
	return undefined;
}

/** Writes the rows (item index -> row) in one batch and puts the outcome on each item's output. */
export async function writeEventRows(
	tables: CampaignTables,
	rows: Map<number, CampaignLogRow>,
	out: Map<number, IDataObject>,
	warn: (message: string) => void,
): Promise<void> {
	if (!rows.size) return;
	const writer = new CampaignLogWriter(tables, { maxBatch: 500 });
	let outcome: IDataObject;
	try {
		await writer.writeAll([...rows.values()]);
		outcome = { written: true, table: tables.name('campaignLog') };
	} catch (error) {
		const described = (error as Partial<Describable>)?.describe?.();
		outcome = {
			error: `The campaign log could not be written: ${described?.message ?? (error as Error)?.message}`,
			...(described?.description ? { description: described.description } : {}),
		};
		warn(`Send Templated Email: ${String(outcome.error)} (${rows.size} bounce / complaint rows)`);
	}
	for (const i of rows.keys()) {
		const json = out.get(i);
		if (json) json.campaignLog = { ...outcome };
	}
}
