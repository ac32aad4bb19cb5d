// Bounces and complaints: a returned message -> the facts a CRM acts on. `undefined` for a message that
// is not a delivery or feedback report (out-of-office replies included); else one event per failed
// recipient (RFC 3464 reports, and the plain-text notices of servers that send none) or per complaint
// (RFC 5965 feedback reports). No n8n imports.
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { addressList } from '../addresses';
import { complaintEvents, feedbackReportOf } from './arf';
import { deliveryStatusOf, dsnEvents } from './dsn';
import { mayBeReport } from './fields';
import { copyStart, originalOf } from './original';
import { plainTextEvents } from './plainText';
import { sentLookup } from './sent';
import type { OriginalMessage, ReportEvent } from './types';

export { mayBeReport } from './fields';
export type * from './types';

export interface ClassifyOptions {
	/**
	 * The Email Tracking secret: every event then gets `sent`, the send it is about as the send node signed it
	 * (X-CRM-Mail-Ref header, VERP return address), or null. Without it events have no `sent`.
	 */
	referenceSecret?: string;
}

/** How reports are parsed: the delivery-status part kept apart (mailparser merges it into the text by default). */
export const REPORT_PARSE_OPTIONS = {
	keepDeliveryStatus: true,
	skipHtmlToText: false,
	skipTextToHtml: true,
	skipImageLinks: true,
} as const;

/** The message's header fields by lower-cased name (first occurrence), unfolded. */
export function headerFields(raw: Buffer | string): Map<string, string> {
	// only the header block is decoded: a message with attachments can be megabytes
	const buffer = typeof raw === 'string' ? undefined : raw;
	const end = buffer ? headerEnd(buffer) : -1;
	const text = buffer ? buffer.toString('latin1', 0, end >= 0 ? end : buffer.length) : String(raw);
	const block = text.split(/\r?\n\r?\n/, 1)[0];
	const map = new Map<string, string>();
	for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const i = line.indexOf(':');
		const name = line.slice(0, i).trim().toLowerCase();
		if (i > 0 && !map.has(name)) map.set(name, line.slice(i + 1).trim());
	}
	return map;
}

function headerEnd(buffer: Buffer): number {
	const crlf = buffer.indexOf('\r\n\r\n');
	const lf = buffer.indexOf('\n\n');
	return crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
}

function headersOfParsed(parsed: ParsedMail): Map<string, string> {
	const map = new Map<string, string>();
	for (const { key, line } of parsed.headerLines ?? [])
		if (!map.has(key))
			map.set(
				key,
				line
					.slice(line.indexOf(':') + 1)
					.replace(/\r?\n[ \t]+/g, ' ')
					.trim(),
			);
	return map;
}

/** Parses a message the way `classifyParsed` needs it. */
export function parseReport(source: Buffer | string): Promise<ParsedMail> {
	return simpleParser(source, REPORT_PARSE_OPTIONS);
}

/**
 * The events of a message parsed with `REPORT_PARSE_OPTIONS`, or undefined when it is not a bounce or
 * complaint (a success notice, an auto-reply, ordinary mail).
 */
export async function classifyParsed(
	parsed: ParsedMail,
	options: ClassifyOptions = {},
): Promise<ReportEvent[] | undefined> {
	const headers = headersOfParsed(parsed);
	if (!mayBeReport(headers)) return undefined;
	const fullText = parsed.text || htmlText(parsed.html);
	const copyAt = copyStart(fullText);
	const text = copyAt >= 0 ? fullText.slice(0, copyAt) : fullText;
	const original = await originalOf(parsed, fullText);
	const found = eventsOf(parsed, headers, text, original);
	if (!found?.length) return undefined;
	const secret = options.referenceSecret;
	if (secret) {
		const sentFor = sentLookup(secret, parsed, fullText, original);
		for (const event of found) event.sent = sentFor(event.recipient);
	}
	return found;
}

function eventsOf(
	parsed: ParsedMail,
	headers: Map<string, string>,
	text: string,
	original: OriginalMessage,
): ReportEvent[] | undefined {
	const feedback = feedbackReportOf(parsed);
	if (feedback !== undefined) return complaintEvents(feedback, original);
	const status = deliveryStatusOf(parsed);
	if (status !== undefined) {
		const found = dsnEvents(status, text, original);
		// a report whose recipients were all delivered is a success notice, not a bounce
		if (found.length || /action:/i.test(status)) return found;
	}
	const from = addressList(parsed.from).map((a) => a.address);
	return plainTextEvents({
		text,
		failedRecipients: (headers.get('x-failed-recipients') ?? '')
			.split(/[\s,;]+/)
			.filter((a) => a.includes('@')),
		notRecipients: [...from, ...addressList(parsed.to).map((a) => a.address)],
		reportingMta: reportingMtaOf(text, from[0] ?? ''),
		original,
	});
}

/** Parses and classifies a raw message; ordinary mail is turned away by its header alone. */
export async function classifyMessage(
	source: Buffer | string,
	options: ClassifyOptions = {},
): Promise<ReportEvent[] | undefined> {
	if (!mayBeReport(headerFields(source))) return undefined;
	return classifyParsed(await parseReport(source), options);
}

/** The server that wrote a plain-text report: as it names itself, else the domain it sent from. */
function reportingMtaOf(text: string, from: string): string {
	const named =
		/qmail-send program at ([\w.-]+?)\.?\s/i.exec(text) ??
		/generating server:\s*([\w.-]+)/i.exec(text) ??
		/(?:почтовой программой|программой) сервера ([\w.-]+)/i.exec(text);
	return named?.[1] ?? from.slice(from.lastIndexOf('@') + 1);
}

/** A readable text of an HTML-only report (Exchange sends some): line breaks kept, tags dropped. */
function htmlText(html: string | false | undefined): string {
	if (!html) return '';
	const entities: Record<string, string> = {
		amp: '&',
		lt: '<',
		gt: '>',
		quot: '"',
		nbsp: ' ',
		'#39': "'",
	};
	return html
		.replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, '\n')
		.replace(/<[^>]*>/g, ' ')
		.replace(/&(amp|lt|gt|quot|nbsp|#39);/g, (_, e: string) => entities[e])
		.replace(/[ \t]+/g, ' ');
}
