// Builds the raw MIME message ONCE (nodemailer's MailComposer), DKIM-signs it when configured, and returns
// the exact bytes: the transport sends these and "copy to Sent" appends the same ones. No n8n imports.
import { DKIM_HEADER_FIELD_NAMES } from '../../shared/dkim';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import DKIM from 'nodemailer/lib/dkim';
import type { EmailAddress } from '../../shared/addresses';
import { domainOf, formatAddress } from '../../shared/addresses';

export interface OutgoingAttachment {
	filename: string;
	contentType: string;
	content: Buffer;
	/** Set for inline images referenced as `<img src="cid:...">`. */
	cid?: string;
}

/** One message between render and send. Decorators (tracking) may change any field before it is built. */
export interface OutgoingMessage {
	messageId: string;
	from: EmailAddress;
	to: EmailAddress[];
	cc: EmailAddress[];
	bcc: EmailAddress[];
	replyTo: EmailAddress[];
	subject: string;
	html: string;
	text: string;
	attachments: OutgoingAttachment[];
	inReplyTo?: string;
	references: string[];
	/** Extra header lines, in order. */
	headers: Array<{ key: string; value: string }>;
	/** The envelope sender (MAIL FROM, where reports go back to) when it is not the From address. */
	envelopeFrom?: string;
	/** Fields added to the node's output item (e.g. a tracking id). */
	output: Record<string, unknown>;
}

export interface DkimSettings {
	domainName: string;
	keySelector: string;
	privateKey: string;
}

/** A new Message-ID `<uuid@domain>`: on the sender's domain, or on `domain` when given. */
export function newMessageId(from: EmailAddress, domain?: string): string {
	return `<${randomUUID()}@${domain?.toLowerCase() || domainOf(from.address) || 'localhost'}>`;
}

/** `<id>` whatever the input looks like (`id`, `<id>`, ` <id> `); empty for nothing. */
export function normalizeMessageId(value: unknown): string {
	const text = String(value ?? '').trim();
	if (!text) return '';
	const inner = text.replace(/^<+/, '').replace(/>+$/, '').trim();
	return inner ? `<${inner}>` : '';
}

/** Message ids from a References value: a header string (space / comma separated) or an array. */
export function parseReferences(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value)
		? value.flatMap((v) => parseReferences(v))
		: (String(value).match(/<[^<>]+>|[^\s,<>]+/g) ?? []);
	return list.map(normalizeMessageId).filter(Boolean);
}

/**
 * Threading headers for a reply to `parent`: In-Reply-To = its Message-ID, References = its References
 * followed by its Message-ID (RFC 5322 §3.6.4), so clients keep the reply in the customer's thread.
 */
export function threadingFor(
	parentMessageId: unknown,
	parentReferences: unknown,
): { inReplyTo?: string; references: string[] } {
	const parent = normalizeMessageId(parentMessageId);
	const references = parseReferences(parentReferences);
	if (!parent) return { references };
	return { inReplyTo: parent, references: [...references.filter((r) => r !== parent), parent] };
}

export function envelopeOf(message: OutgoingMessage): { from: string; to: string[] } {
	const to = [...message.to, ...message.cc, ...message.bcc].map((a) => a.address);
	return { from: message.envelopeFrom || message.from.address, to: [...new Set(to)] };
}

function compose(message: OutgoingMessage): Promise<Buffer> {
	const list = (l: EmailAddress[]) => (l.length ? l.map(formatAddress) : undefined);
	const composer = new MailComposer({
		messageId: message.messageId,
		from: formatAddress(message.from),
		to: list(message.to),
		cc: list(message.cc),
		// Bcc never appears in the sent bytes (nodemailer drops it): recipients come from the envelope.
		replyTo: list(message.replyTo),
		subject: message.subject,
		html: message.html || undefined,
		text: message.text || undefined,
		inReplyTo: message.inReplyTo || undefined,
		references: message.references.length ? message.references : undefined,
		headers: message.headers.map((h) => ({ key: h.key, value: h.value })),
		attachments: message.attachments.map((a) => ({
			filename: a.filename,
			contentType: a.contentType,
			content: a.content,
			...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}),
		})),
		date: new Date(),
	});
	return new Promise((resolve, reject) =>
		composer.compile().build((error, raw) => (error ? reject(error) : resolve(raw))),
	);
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		stream.on('data', (c: Buffer) => chunks.push(c));
		stream.on('error', reject);
		stream.on('end', () => resolve(Buffer.concat(chunks)));
	});
}

/** The final bytes of the message (DKIM-signed when `dkim` is given). */
export async function buildRawMessage(
	message: OutgoingMessage,
	dkim?: DkimSettings,
): Promise<Buffer> {
	const raw = await compose(message);
	if (!dkim) return raw;
	const signer = new DKIM({ ...dkim, headerFieldNames: DKIM_HEADER_FIELD_NAMES });
	return await collect(signer.sign(raw));
}
