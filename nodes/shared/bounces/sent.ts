// Which send a report is about, from what the send node signed: the X-CRM-Mail-Ref header of the quoted original
// (everything the send knew), else the VERP address the report came back to (the Message-ID, and whether the
// failed address is the send's recipient). Nothing that does not verify with the tracking secret is believed:
// the rest of a report is whatever its writer put there. No n8n imports.
import type { ParsedMail } from 'mailparser';
import { deliveryStatusOf } from './dsn';
import { fieldBlocks } from './fields';
import { originalHeaderBlock } from './original';
import { openSendReference, SEND_REFERENCE_HEADER, type SendReference } from './reference';
import type { OriginalMessage, SentMessage } from './types';
import { openVerpAddress, type VerpReference } from './verp';

/** Header fields of the report that may hold the address it was delivered to (the envelope recipient). */
const DELIVERY_ADDRESS_FIELDS = new Set([
	'to',
	'delivered-to',
	'x-original-to',
	'envelope-to',
	'x-envelope-to',
	'x-delivered-to',
	'x-rcpt-to',
]);
const ADDRESS = /[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g;

/**
 * A verified send; `campaign` (name or id) only when the sealed header names one: a VERP address has no room
 * for it, and sends without a campaign leave the field out.
 */
export type VerifiedSend = SentMessage & { campaign?: string };

/** The verified send of a report, per failed recipient: `(recipient) => VerifiedSend | null`. */
export type SentLookup = (recipient: string) => VerifiedSend | null;

export function sentLookup(
	secret: string,
	parsed: ParsedMail,
	fullText: string,
	original: OriginalMessage,
): SentLookup {
	const quoted = fieldBlocks(originalHeaderBlock(parsed, fullText).toString('utf8'))[0]?.all ?? [];
	const reference = referenceIn(secret, quoted, original);
	if (reference) {
		const sent: VerifiedSend = {
			messageId: reference.messageId,
			recipient: reference.recipient || null,
			trackingId: reference.trackingId || null,
			trackingData: reference.data,
			sentAt: new Date(reference.sentAt * 1000).toISOString(),
			via: 'header',
			// the campaign log's bounce and complaint rows need it (Suppression List > Add, From the Item)
			...(reference.campaign ? { campaign: reference.campaign } : {}),
		};
		return () => ({ ...sent, trackingData: { ...sent.trackingData } });
	}
	const verp = verpIn(secret, parsed, quoted);
	if (!verp) return () => null;
	return (recipient) => ({
		messageId: verp.messageId,
		recipient: verp.isRecipient(recipient) ? recipient : null,
		trackingId: null,
		trackingData: null,
		sentAt: null,
		via: 'verp',
	});
}

/**
 * The first X-CRM-Mail-Ref of the quoted header that opens with the secret. A reference whose Message-ID is not the
 * quoted original's is a header copied into another message: not believed.
 */
function referenceIn(
	secret: string,
	quoted: Array<[string, string]>,
	original: OriginalMessage,
): SendReference | undefined {
	const name = SEND_REFERENCE_HEADER.toLowerCase();
	for (const [field, value] of quoted) {
		if (field !== name) continue;
		const reference = openSendReference(secret, value);
		if (reference && (!original.messageId || original.messageId === reference.messageId))
			return reference;
	}
	return undefined;
}

/**
 * A VERP address of ours among the addresses the report was delivered to, the quoted original's Return-Path and
 * the envelope sender a delivery-status part names. Any address may be tried: only our MAC opens one.
 */
function verpIn(
	secret: string,
	parsed: ParsedMail,
	quoted: Array<[string, string]>,
): VerpReference | undefined {
	const values = (parsed.headerLines ?? [])
		.filter((h) => DELIVERY_ADDRESS_FIELDS.has(h.key))
		.map((h) => h.line.slice(h.line.indexOf(':') + 1));
	for (const [field, value] of quoted) if (field === 'return-path') values.push(value);
	// Postfix names the envelope sender in its delivery-status part (X-Postfix-Sender)
	values.push(deliveryStatusOf(parsed) ?? '');
	for (const value of values)
		for (const address of value.match(ADDRESS) ?? []) {
			const found = openVerpAddress(secret, address);
			if (found) return found;
		}
	return undefined;
}
