// One email as the node sees it, from an IMAP Sync Trigger item (arrays of { name, address }) or any item
// with from / to / cc / replyTo / subject / messageId / direction as strings or mailparser objects.
import type { EmailAddress } from '../shared/addresses';
import { parseAddresses } from '../shared/addresses';

export interface EmailInput {
	from: EmailAddress[];
	to: EmailAddress[];
	cc: EmailAddress[];
	replyTo: EmailAddress[];
	subject: string;
	messageId: string;
	direction: 'incoming' | 'outgoing';
	/** Header names lower-cased. */
	headers: Record<string, string>;
	date?: string;
	text?: string;
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
	return {
		email: {
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
		},
		invalid,
	};
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
