// Privacy of tracking links: tokens minted by the send node's tracking step must reveal nothing when decoded.
import { randomUUID } from 'node:crypto';
import { trackingDecorator } from '../../nodes/shared/tracking/decorator';

export /**
 * Links as the send node makes them (its tracking decorator: pixel, rewritten links, unsubscribe) for
 * realistic recipients and data, until `count` tokens: how many reveal a recipient, Message-ID, target or
 * tracking value when base64-decoded (as UTF-8, Latin-1 or hex, whole or split at dots); median link length.
 */
function mintedTokens(
	secret: string,
	count: number,
): { readable: number; median: number; max: number } {
	const links: Array<{ url: string; secrets: string[] }> = [];
	const decorator = trackingDecorator({
		secret,
		baseUrl: 'https://n8n.example.com/webhook/email-tracking',
		open: true,
		click: true,
		unsubscribeHeaders: true,
		dataFor: (i) => ({ dealId: `D-${10000 + i}`, manager: `manager${i}` }),
	});
	for (let i = 0; links.length < count; i++) {
		const recipient = `customer.${i}@client${i % 7}.example`;
		const messageId = `<${randomUUID()}@shop.example.com>`;
		const target = `https://shop.example.com/offer/${i}?utm_source=mail&utm_campaign=spring`;
		const message = {
			html: `<html><body><p>Hello</p><a href="${target}">Offer</a></body></html>`,
			headers: [] as Array<{ key: string; value: string }>,
			output: {} as Record<string, unknown>,
		};
		const input = { itemIndex: i, messageId, recipients: [recipient] };
		decorator.decorate(message, input);
		const found = [
			...message.html.matchAll(/(?:href|src)="([^"]*\?t=[^"]*)"/g),
			...message.headers.flatMap((h) => [...h.value.matchAll(/<(https?:[^>]*\?t=[^>]*)>/g)]),
		].map((m) => m[1].replace(/&amp;/g, '&'));
		const secrets = [
			recipient,
			messageId.slice(1, 37),
			`D-${10000 + i}`,
			`manager${i}`,
			`offer/${i}?`,
		];
		for (const url of new Set(found)) links.push({ url, secrets });
	}
	const revealing = links.slice(0, count).filter(({ url, secrets }) => {
		const token = new URL(url).searchParams.get('t') ?? '';
		const texts = [token, ...token.split('.')].flatMap((p) => {
			const bytes = Buffer.from(p, 'base64url');
			return [bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('hex')];
		});
		return secrets.some((s) =>
			texts.some((t) => t.includes(s) || t.includes(Buffer.from(s).toString('hex'))),
		);
	});
	const lengths = links
		.slice(0, count)
		.map((l) => l.url.length)
		.sort((a, b) => a - b);
	return {
		readable: revealing.length,
		median: lengths[Math.floor(lengths.length / 2)],
		max: lengths[lengths.length - 1],
	};
}
