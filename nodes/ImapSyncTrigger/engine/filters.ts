// Ignore rules: which messages the trigger skips (they still advance the folder's watermark, so they are
// never looked at again). Decided from the header block only, before any body is loaded.
import { domainOf } from '../../shared/addresses';
import { mayBeReport } from '../../shared/bounces';

export interface IgnoreRules {
	/** Sender addresses (`spam@x.com`) and domains (`x.com`, `@x.com`, `*.x.com`) to skip. */
	blockedSenders: string[];
	/** Skip auto-replies: Auto-Submitted other than "no" (RFC 3834), X-Autoreply, X-Autorespond. */
	autoReplies: boolean;
	/** Skip bulk and list mail: Precedence bulk / list / junk, List-Id, List-Unsubscribe. */
	bulkMail: boolean;
}

export const NO_RULES: IgnoreRules = { blockedSenders: [], autoReplies: false, bulkMail: false };

export interface ParsedBlocklist {
	addresses: Set<string>;
	domains: string[];
}

/** Splits a free-text blocklist (commas, semicolons, spaces or new lines) into addresses and domains. */
export function parseBlocklist(entries: string[] | string): ParsedBlocklist {
	const list = (Array.isArray(entries) ? entries : [entries]).flatMap((e) =>
		String(e).split(/[\s,;]+/),
	);
	const addresses = new Set<string>();
	const domains: string[] = [];
	for (let e of list) {
		e = e.trim().toLowerCase();
		if (!e) continue;
		if (e.includes('@') && !e.startsWith('@')) addresses.add(e);
		else domains.push(e.replace(/^\*?\.?@?/, '').replace(/^\*\./, ''));
	}
	return { addresses, domains };
}

/** `sender` is blocked when its address is listed or its domain is a listed domain or a subdomain of one. */
export function isBlockedSender(sender: string, list: ParsedBlocklist): boolean {
	if (!sender) return false;
	const address = sender.trim().toLowerCase();
	if (list.addresses.has(address)) return true;
	const domain = domainOf(address);
	return list.domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** Header lines by lower-cased name (first occurrence), unfolded. */
export function headerMap(raw: string | Buffer | undefined): Map<string, string> {
	const map = new Map<string, string>();
	if (!raw) return map;
	const text = (typeof raw === 'string' ? raw : raw.toString('latin1')).replace(
		/\r?\n[ \t]+/g,
		' ',
	);
	for (const line of text.split(/\r?\n/)) {
		if (!line) break;
		const i = line.indexOf(':');
		if (i <= 0) continue;
		const name = line.slice(0, i).trim().toLowerCase();
		if (!map.has(name)) map.set(name, line.slice(i + 1).trim());
	}
	return map;
}

export function isAutoReply(h: Map<string, string>): boolean {
	const auto = (h.get('auto-submitted') ?? '').toLowerCase();
	if (auto && !auto.startsWith('no')) return true;
	if (h.has('x-autoreply') || h.has('x-autorespond')) return true;
	return (
		(h.get('x-auto-response-suppress') ?? '').toLowerCase().includes('all') &&
		/^(auto|out of office)/i.test(h.get('subject') ?? '')
	);
}

export function isBulkMail(h: Map<string, string>): boolean {
	const precedence = (h.get('precedence') ?? '').toLowerCase();
	if (['bulk', 'list', 'junk'].includes(precedence)) return true;
	return h.has('list-id') || h.has('list-unsubscribe');
}

/** Why a message is ignored, or undefined when it passes. */
export function ignoreReason(
	headers: Map<string, string>,
	senderAddresses: string[],
	rules: IgnoreRules,
	blocklist: ParsedBlocklist = parseBlocklist(rules.blockedSenders),
): 'blockedSender' | 'autoReply' | 'bulkMail' | undefined {
	if (senderAddresses.some((a) => isBlockedSender(a, blocklist))) return 'blockedSender';
	// bounces carry Auto-Submitted too: a possible report is read first (reports.ts), not skipped here
	if (rules.autoReplies && isAutoReply(headers) && !mayBeReport(headers)) return 'autoReply';
	if (rules.bulkMail && isBulkMail(headers)) return 'bulkMail';
	return undefined;
}
