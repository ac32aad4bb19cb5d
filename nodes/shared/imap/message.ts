// One fetched IMAP message -> the item shape both IMAP nodes output (the sync trigger and the Mailbox
// node's "get messages"). No n8n imports: the n8n glue turns `attachments` into binary data.
import type { FetchMessageObject } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { addressList, type EmailAddress } from '../addresses';

export type Direction = 'incoming' | 'outgoing';

/** What to load of a message: everything, everything but attachment contents, or the header only. */
export type LoadMode = 'full' | 'noAttachments' | 'headers';

export interface EmailAttachment {
	fileName: string;
	contentType: string;
	content: Buffer;
	size: number;
}

export interface EmailJson {
	[key: string]: unknown;
	folder: string;
	uid: number;
	uidValidity: string;
	direction: Direction;
	messageId: string;
	inReplyTo: string;
	references: string[];
	/** The thread's root Message-ID: first of References, else In-Reply-To, else the message's own. */
	threadId: string;
	date: string | null;
	from: EmailAddress[];
	to: EmailAddress[];
	cc: EmailAddress[];
	bcc: EmailAddress[];
	replyTo: EmailAddress[];
	subject: string;
	text: string;
	html: string;
	attachments: Array<{ name: string; type: string; size: number }>;
	flags: string[];
	size: number;
	/** True when the message was larger than the size limit: only its header was loaded. */
	oversized?: boolean;
	/** The raw header block, only when asked for. */
	headers?: string;
}

export interface EmailItem {
	json: EmailJson;
	attachments: EmailAttachment[];
}

/** The part of imapflow's FetchMessageObject this module reads. */
export type FetchedMessage = Pick<FetchMessageObject, 'uid'> &
	Partial<
		Pick<FetchMessageObject, 'flags' | 'size' | 'internalDate' | 'envelope' | 'headers' | 'source'>
	>;

export interface ToEmailItemInput {
	fetched: FetchedMessage;
	/** The parsed message (full or header only); without it the envelope is used. */
	parsed?: ParsedMail;
	folder: string;
	uidValidity: string | bigint;
	direction: Direction;
	/** Add the raw header block as `headers`. */
	includeHeaders?: boolean;
	/** Attachment contents are returned (metadata is always in json.attachments). Default true. */
	includeAttachments?: boolean;
	oversized?: boolean;
}

/** `<a@b>` ids in a header value, in order (mailparser gives a string or an array). */
export function messageIds(value: unknown): string[] {
	const raw = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
	const found = raw.match(/<[^<>\s]+>/g);
	if (found) return found;
	return raw.split(/\s+/).filter(Boolean);
}

/** The thread's root Message-ID: first of References, else In-Reply-To, else the message's own. */
export function threadIdOf(messageId: string, inReplyTo: string, references: string[]): string {
	return references[0] || messageIds(inReplyTo)[0] || messageId;
}

function isoDate(d: unknown): string | null {
	if (d === undefined || d === null || d === '') return null;
	const date = d instanceof Date ? d : new Date(String(d));
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The Date header when it parses; mailparser silently replaces an unparseable one with "now". */
function headerDate(parsed: ParsedMail | undefined): Date | undefined {
	const line = parsed?.headerLines?.find((l) => l.key === 'date')?.line;
	if (!line) return undefined;
	const d = new Date(line.slice(line.indexOf(':') + 1).trim());
	return Number.isNaN(d.getTime()) ? undefined : d;
}

function rawHeaderBlock(source: Buffer | undefined): string {
	if (!source) return '';
	// the header ends at the first empty line
	const crlf = source.indexOf('\r\n\r\n');
	const lf = source.indexOf('\n\n');
	const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
	return source.subarray(0, end >= 0 ? end : source.length).toString('utf8');
}

export function toEmailItem(input: ToEmailItemInput): EmailItem {
	const { fetched, parsed } = input;
	const env = fetched.envelope;
	const messageId = parsed?.messageId ?? env?.messageId ?? '';
	const inReplyTo = parsed?.inReplyTo ?? env?.inReplyTo ?? '';
	const references = messageIds(parsed?.references);
	const includeAttachments = input.includeAttachments ?? true;
	const attachments: EmailAttachment[] = [];
	const meta: EmailJson['attachments'] = [];
	(parsed?.attachments ?? []).forEach((a, i) => {
		const fileName =
			a.filename || `attachment-${i + 1}${a.contentType === 'message/rfc822' ? '.eml' : ''}`;
		const contentType = a.contentType || 'application/octet-stream';
		const size = a.size ?? a.content?.length ?? 0;
		meta.push({ name: fileName, type: contentType, size });
		if (includeAttachments && a.content)
			attachments.push({ fileName, contentType, content: a.content, size });
	});
	const json: EmailJson = {
		folder: input.folder,
		uid: fetched.uid,
		uidValidity: String(input.uidValidity),
		direction: input.direction,
		messageId,
		inReplyTo,
		references,
		threadId: threadIdOf(messageId, inReplyTo, references),
		// an unparseable Date header falls back to when the server received the message
		date: isoDate(headerDate(parsed) ?? (parsed ? undefined : env?.date) ?? fetched.internalDate),
		from: addressList(parsed?.from ?? env?.from),
		to: addressList(parsed?.to ?? env?.to),
		cc: addressList(parsed?.cc ?? env?.cc),
		bcc: addressList(parsed?.bcc ?? env?.bcc),
		replyTo: addressList(parsed?.replyTo ?? env?.replyTo),
		subject: parsed?.subject ?? env?.subject ?? '',
		text: parsed?.text ?? '',
		html: typeof parsed?.html === 'string' ? parsed.html : '',
		attachments: meta,
		flags: [...(fetched.flags ?? [])],
		size: fetched.size ?? fetched.source?.length ?? 0,
	};
	if (input.oversized) json.oversized = true;
	if (input.includeHeaders) {
		json.headers = fetched.headers
			? fetched.headers.toString('utf8').replace(/\r?\n\r?\n$/, '')
			: rawHeaderBlock(fetched.source);
	}
	return { json, attachments };
}

/**
 * Parses what was fetched (the full source, or the header block) and builds the item. A message that
 * mailparser cannot parse still gives an item (from the envelope) rather than an error, unless `strict`
 * asks for the error (the sync trigger reports such a message as unreadable).
 */
export async function parseFetched(
	fetched: FetchedMessage,
	opts: Omit<ToEmailItemInput, 'fetched' | 'parsed'> & { load?: LoadMode; strict?: boolean },
): Promise<EmailItem> {
	const load = opts.load ?? 'full';
	const input =
		load === 'headers' || opts.oversized ? (fetched.headers ?? fetched.source) : fetched.source;
	let parsed: ParsedMail | undefined;
	if (input && input.length) {
		try {
			parsed = await simpleParser(input, {
				skipHtmlToText: false,
				skipTextToHtml: true,
				skipImageLinks: true,
				keepCidLinks: true,
			});
		} catch (error) {
			// plain module (no n8n imports): the caller reports the message
			if (opts.strict) throw error;
			parsed = undefined;
		}
	}
	return toEmailItem({
		...opts,
		fetched,
		parsed,
		includeAttachments: load === 'full' && !opts.oversized && (opts.includeAttachments ?? true),
	});
}
