// Email addresses in every shape a flow hands us: `Name <addr>` strings, lists split on `,` or `;`,
// arrays, mailparser / imapflow address objects ({ value: [...] } or { name, address }). Used by the
// send node (To / CC / BCC), the CRM node (participants) and the IMAP nodes (output shape).
import addressparser from 'nodemailer/lib/addressparser';

export interface EmailAddress {
	name: string;
	/** Lower-cased, trimmed. */
	address: string;
}

// local@domain; the domain may be a single label (root@localhost, billing@intranet), as mail systems accept
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@(?!\.)(?!.*\.\.)[^\s@<>()[\]\\,;:"]+(?<!\.)$/;

export function isValidAddress(address: string): boolean {
	return EMAIL.test(address);
}

/** Drops RFC 5322 comments from an address: `pete(his account)@silly.test` -> `pete@silly.test`. */
export function withoutComments(address: string): string {
	let out = address;
	for (let before = ''; before !== out;) {
		before = out;
		out = out.replace(/\([^()]*\)/g, '');
	}
	return out;
}

/**
 * Every address found in `input`, de-duplicated (first name wins), in order. Invalid entries are returned
 * in `invalid` (as given) so callers can fail with a message naming them instead of dropping them.
 */
export function parseAddresses(input: unknown): { addresses: EmailAddress[]; invalid: string[] } {
	const found: EmailAddress[] = [];
	const invalid: string[] = [];
	collect(input, found, invalid);
	const seen = new Map<string, EmailAddress>();
	for (const a of found) {
		const existing = seen.get(a.address);
		if (!existing) seen.set(a.address, a);
		else if (!existing.name && a.name) existing.name = a.name;
	}
	return { addresses: [...seen.values()], invalid };
}

/** Shorthand when invalid entries are not an error for the caller. */
export function addressList(input: unknown): EmailAddress[] {
	return parseAddresses(input).addresses;
}

function collect(input: unknown, out: EmailAddress[], invalid: string[]): void {
	if (input === null || input === undefined || input === '') return;
	if (Array.isArray(input)) {
		for (const entry of input) collect(entry, out, invalid);
		return;
	}
	if (typeof input === 'string') {
		// Split first (addressparser alone merges a bad entry into the next one's name), then parse each.
		for (const piece of splitList(input)) {
			for (const parsed of flattenGroups(addressparser(piece)))
				push(parsed.name, parsed.address, out, invalid, piece);
		}
		return;
	}
	if (typeof input === 'object') {
		const obj = input as Record<string, unknown>;
		if (Array.isArray(obj.value)) return collect(obj.value, out, invalid); // mailparser AddressObject
		if (Array.isArray(obj.group)) return collect(obj.group, out, invalid); // address group
		if (typeof obj.address === 'string') {
			push(typeof obj.name === 'string' ? obj.name : '', obj.address, out, invalid, obj.address);
			return;
		}
		if (typeof obj.email === 'string') {
			push(typeof obj.name === 'string' ? obj.name : '', obj.email, out, invalid, obj.email);
			return;
		}
	}
	invalid.push(String(input));
}

/** Splits on `,` / `;` outside quotes and angle brackets: `"Doe, John" <j@x.io>; a@b.c` -> 2 entries. */
function splitList(text: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	let angle = 0;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (ch === '\\' && quoted) {
			current += ch + (text[++i] ?? '');
			continue;
		}
		if (ch === '"') quoted = !quoted;
		else if (!quoted && ch === '<') angle++;
		else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
		if (!quoted && angle === 0 && (ch === ',' || ch === ';')) {
			if (current.trim()) parts.push(current.trim());
			current = '';
			continue;
		}
		current += ch;
	}
	if (current.trim()) parts.push(current.trim());
	return parts;
}

function flattenGroups(
	list: ReturnType<typeof addressparser>,
): Array<{ name: string; address: string }> {
	return list.flatMap((entry) =>
		'group' in entry && entry.group
			? flattenGroups(entry.group)
			: [{ name: entry.name ?? '', address: (entry as { address?: string }).address ?? '' }],
	);
}

function push(name: string, address: string, out: EmailAddress[], invalid: string[], raw: string) {
	const normalized = withoutComments(address).trim().toLowerCase();
	if (!normalized) {
		if (name.trim()) invalid.push(raw.trim());
		return;
	}
	if (!isValidAddress(normalized)) {
		invalid.push(address.trim());
		return;
	}
	out.push({ name: name.trim(), address: normalized });
}

/** `Name <addr>` (name quoted when needed), or the bare address. */
export function formatAddress(a: EmailAddress): string {
	if (!a.name) return a.address;
	const name = /[",;<>@()[\]\\:]/.test(a.name) ? `"${a.name.replace(/(["\\])/g, '\\$1')}"` : a.name;
	return `${name} <${a.address}>`;
}

export function domainOf(address: string): string {
	return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * A looser identity for "possible duplicate" hints only, never for matching: drops a `+tag` and, on
 * Gmail, the dots of the local part (j.doe+crm@gmail.com -> jdoe@gmail.com).
 */
export function canonicalAddress(address: string): string {
	const normalized = address.trim().toLowerCase();
	const at = normalized.lastIndexOf('@');
	let local = normalized.slice(0, at);
	let domain = normalized.slice(at + 1);
	local = local.split('+')[0];
	if (GMAIL_DOMAINS.has(domain)) {
		local = local.replace(/\./g, '');
		domain = 'gmail.com';
	}
	return `${local}@${domain}`;
}
