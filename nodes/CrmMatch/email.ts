// One email as the node sees it, from an IMAP Sync Trigger item (arrays of { name, address }) or any item
// with from / to / cc / replyTo / subject / messageId / direction as strings or mailparser objects.
import { createHash } from 'node:crypto';
import type { EmailAddress } from '../shared/addresses';
import { parseAddresses } from '../shared/addresses';

export interface EmailInput {
	from: EmailAddress[];
	to: EmailAddress[];
	cc: EmailAddress[];
	replyTo: EmailAddress[];
	subject: string;
	messageId: string;
	/** True when the email had no Message-ID and `messageId` was derived from its content (derivedMessageId). */
	messageIdDerived?: boolean;
	direction: 'incoming' | 'outgoing';
	/** Header names lower-cased. */
	headers: Record<string, string>;
	date?: string;
	text?: string;
	/** Size in bytes as the mailbox reported it (IMAP RFC822.SIZE). */
	size?: number;
}

/**
 * A stable stand-in for a missing Message-ID (about one mail in ten lacks one): a hash of the date, the
 * sender, the recipients, the subject and the size, so that the same mail always gets the same key and two
 * different mails do not share one.
 */
export function derivedMessageId(e: Omit<EmailInput, 'messageId'>): string {
	const parts = [
		e.date ?? '',
		e.from.map((a) => a.address).join(','),
		[...e.to, ...e.cc].map((a) => a.address).join(','),
		e.subject,
		e.size === undefined ? `text:${e.text ?? ''}` : String(e.size),
	];
	const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
	return `<derived-${hash}@crm-mail.invalid>`;
}

export function emailFromItem(
	json: Record<string, unknown>,
	defaultDirection: 'incoming' | 'outgoing' = 'incoming',
): { email: EmailInput; invalid: string[] } {
	const invalid: string[] = [];
	const list = (v: unknown) => {
		const r = parseAddresses(v);
		invalid.push(...r.invalid);
		return r.addresses;
	};
	const direction =
		String(json.direction ?? defaultDirection).toLowerCase() === 'outgoing'
			? 'outgoing'
			: 'incoming';
	const date =
		json.date instanceof Date
			? json.date.toISOString()
			: typeof json.date === 'string'
				? json.date
				: undefined;
	const size = Number(json.size);
	const email: EmailInput = {
		from: list(json.from),
		to: list(json.to),
		cc: list(json.cc),
		replyTo: list(json.replyTo ?? json['reply-to']),
		subject: typeof json.subject === 'string' ? json.subject : '',
		messageId: String(json.messageId ?? json['message-id'] ?? '').trim(),
		direction,
		headers: headersOf(json.headers),
		date,
		text: typeof json.text === 'string' ? json.text : undefined,
		size: Number.isFinite(size) && json.size !== undefined && json.size !== '' ? size : undefined,
	};
	if (!email.messageId) {
		email.messageId = derivedMessageId(email);
		email.messageIdDerived = true;
	}
	return { email, invalid };
}

/** Headers as an object ({ name: value | value[] }), a list of { key, value } or a raw header block. */
export function headersOf(input: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	const add = (k: string, v: unknown) => {
		const key = k.toLowerCase();
		const value = Array.isArray(v)
			? v.map(String).join(', ')
			: typeof v === 'object' && v !== null
				? JSON.stringify(v)
				: String(v ?? '');
		out[key] = out[key] ? `${out[key]}, ${value}` : value;
	};
	if (typeof input === 'string') {
		for (const line of input.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
			const i = line.indexOf(':');
			if (i > 0) add(line.slice(0, i).trim(), line.slice(i + 1).trim());
		}
	} else if (Array.isArray(input)) {
		for (const h of input as Array<{ key?: string; name?: string; value?: unknown }>)
			if (h && (h.key ?? h.name)) add(String(h.key ?? h.name), h.value);
	} else if (input && typeof input === 'object') {
		for (const [k, v] of Object.entries(input)) add(k, v);
	}
	return out;
}
