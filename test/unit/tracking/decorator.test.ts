// The tracking decorator at Send Templated Email's hook point (contextFor / applyDecorators / buildRawMessage
// of nodes/TemplatedEmail/message): the template gets {{unsubscribeUrl}}, the built message carries the
// pixel, rewritten links and both unsubscribe headers, DKIM-signed together, and every URL verifies.
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { buildRawMessage, type OutgoingMessage } from '../../../nodes/TemplatedEmail/message/build';
import { applyDecorators, contextFor } from '../../../nodes/TemplatedEmail/message/decorators';
import { trackingDecorator } from '../../../nodes/shared/tracking/decorator';
import { decodeToken } from '../../../nodes/shared/tracking/token';

const SECRET = 'f'.repeat(64);
const BASE = 'https://n8n.example.com/webhook/email-tracking';

it('decorates a message for the send node: context, links, pixel, signed headers, output', async () => {
	const decorator = trackingDecorator({
		secret: SECRET,
		baseUrl: BASE,
		open: true,
		click: true,
		unsubscribeHeaders: true,
		dataFor: (i) => ({ dealId: String(40 + i) }),
	});
	const input = {
		itemIndex: 2,
		json: { name: 'Ann' },
		messageId: '<abc@example.com>',
		recipients: ['ann@example.com'],
	};
	const context = contextFor([decorator], input);
	expect(context.name).toBe('Ann');
	const unsubscribeUrl = context.unsubscribeUrl as string;
	expect(unsubscribeUrl.startsWith(`${BASE}/unsubscribe?t=`)).toBe(true);

	const message: OutgoingMessage = {
		messageId: input.messageId,
		from: { name: 'Shop', address: 'shop@example.com' },
		to: [{ name: 'Ann', address: 'ann@example.com' }],
		cc: [],
		bcc: [],
		replyTo: [],
		subject: 'Offer',
		html: `<html><body><p>Hi Ann, <a href="https://shop.example.com/offer?a=1&amp;b=2">see the offer</a>. <a href="${unsubscribeUrl}">Unsubscribe</a></p></body></html>`,
		text: 'Hi Ann',
		attachments: [],
		references: [],
		headers: [],
		output: {},
	};
	await applyDecorators([decorator], message, input);
	expect(message.output.trackingId).toBe(context.trackingId);
	const hrefs = [...message.html.matchAll(/href="([^"]+)"/g)].map((m) =>
		m[1].replace(/&amp;/g, '&'),
	);
	expect(hrefs[1]).toBe(unsubscribeUrl);
	const click = decodeToken(SECRET, new URL(hrefs[0]).searchParams.get('t'));
	expect(click).toMatchObject({
		ok: true,
		claims: {
			type: 'click',
			url: 'https://shop.example.com/offer?a=1&b=2',
			recipient: 'ann@example.com',
			messageId: '<abc@example.com>',
			data: { dealId: '42' },
		},
	});
	const pixel = /<img src="([^"]+)"/.exec(message.html)![1].replace(/&amp;/g, '&');
	expect(decodeToken(SECRET, new URL(pixel).searchParams.get('t'))).toMatchObject({
		ok: true,
		claims: { type: 'open', trackingId: context.trackingId },
	});

	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
	const raw = await buildRawMessage(message, {
		domainName: 'example.com',
		keySelector: 's1',
		privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
	});
	const parsed = await simpleParser(raw);
	const line = (key: string) =>
		parsed.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, '');
	expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
	expect(line('list-unsubscribe')).toContain(`<${unsubscribeUrl}>`);
	const dkim = parsed.headerLines
		.find((h) => h.key === 'dkim-signature')!
		.line.replace(/\r?\n\s+/g, '');
	const signed = /\bh=([^;]+)/.exec(dkim)![1].toLowerCase().split(':');
	expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
});
