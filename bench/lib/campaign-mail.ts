// What the campaign benchmark reads from the SMTP sink: mails accepted per address, and the tracking links of
// a mail (the open pixel and the rewritten links) as a mail client would find them in its HTML.
import { simpleParser } from 'mailparser';

export interface SunkMessage {
	envelope: { rcptTo: string[] };
	raw: Buffer;
}

/** Mails accepted per recipient address (lower case). */
export function mailsPerAddress(messages: SunkMessage[]): Map<string, number> {
	const out = new Map<string, number>();
	for (const m of messages)
		for (const to of m.envelope.rcptTo) {
			const a = to.toLowerCase();
			out.set(a, (out.get(a) ?? 0) + 1);
		}
	return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pixel and click links of one mail whose tracking base URL is `base`. */
export async function trackingLinks(
	message: SunkMessage,
	base: string,
): Promise<{ open?: string; clicks: string[] }> {
	const pattern = new RegExp(`${escape(base)}/(open|click)\\?t=[A-Za-z0-9_-]+`, 'g');
	const find = (text: string) => {
		const found = [...new Set(text.match(pattern) ?? [])];
		return {
			open: found.find((u) => u.startsWith(`${base}/open?`)),
			clicks: found.filter((u) => u.startsWith(`${base}/click?`)),
		};
	};
	// quoted-printable undone by hand (fast); a mail built otherwise goes through mailparser
	const decoded = message.raw
		.toString('latin1')
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
	const quick = find(decoded);
	if (quick.open || quick.clicks.length) return quick;
	const parsed = await simpleParser(message.raw);
	return find(typeof parsed.html === 'string' ? parsed.html : '');
}
