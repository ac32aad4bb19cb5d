// The Email Tracking Trigger's replay control, link lifetime and old-link transition over real HTTP
// (webhook harness, one process: the in-memory replay store). Every repeat gets the normal answer.
import { randomBytes } from 'node:crypto';
import type { IConnections, INodeParameters } from 'n8n-workflow';
import { PIXEL_GIF } from '../../../nodes/shared/tracking/pixel';
import { encodeSignedToken, type TrackingClaims } from '../../../nodes/shared/tracking/token';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf } from '../../harness/workflow';

const SECRET = randomBytes(24).toString('hex');
const CHROME =
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let server: WebhookServer;
let base: string;
async function start(options: INodeParameters = {}) {
	server = new WebhookServer(
		{
			nodes: [
				{
					id: 'a1b2c3d4-0000-4000-8000-000000000001',
					name: 'Email Tracking Trigger',
					type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: 'b6a3c1f0-1111-4222-8333-444455556666',
					parameters: { path: 'email-tracking', options },
					credentials: { emailTracking: { id: 'x', name: 'x' } },
				},
			],
			connections: {} as IConnections,
		},
		{ credentials: { emailTracking: { secret: SECRET, baseUrl: 'placeholder' } } },
	);
	await server.start();
	base = `${server.baseUrl}/webhook/email-tracking`;
}
afterEach(async () => server?.stop());

const tracker = (sentAt = Date.now() - HOUR) =>
	new Tracker({
		secret: SECRET,
		baseUrl: base,
		trackingId: randomBytes(6).toString('hex'),
		messageId: '<m1@example.com>',
		recipient: 'ann@example.com',
		data: { dealId: '42' },
		sentAt,
	});
const get = (url: string, init: RequestInit = {}) =>
	fetch(url, {
		redirect: 'manual',
		...init,
		headers: { 'user-agent': CHROME, ...(init.headers ?? {}) },
	});
const oneClick = (url: string) =>
	get(url, {
		method: 'POST',
		body: 'List-Unsubscribe=One-Click',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
const events = () =>
	server
		.runs()
		.map((r) => outputOf(r, 'Email Tracking Trigger')[0].json as Record<string, unknown>);
/** Executions start after the answer; wait until `n` have or a moment passed. */
async function settled(n: number) {
	for (let i = 0; i < 50 && server.runs().length < n; i++)
		await new Promise((r) => setTimeout(r, 20));
	await new Promise((r) => setTimeout(r, 100));
	return events();
}

describe('replay control (default: first hit per window)', () => {
	it('an open repeated 20 times starts one execution; every hit gets the pixel', async () => {
		await start();
		const url = tracker().openUrl();
		for (let i = 0; i < 20; i++) {
			const res = await get(url);
			expect([res.status, Buffer.from(await res.arrayBuffer()).equals(PIXEL_GIF)]).toEqual([
				200,
				true,
			]);
		}
		expect((await settled(1)).map((e) => e.type)).toEqual(['opened']);
	});

	it('clicks count per link: each link once however often, every hit redirected to its target', async () => {
		await start();
		const t = tracker();
		const a = t.clickUrl('https://shop.example.com/a');
		const b = t.clickUrl('https://shop.example.com/b');
		for (const [url, target] of [
			[a, 'a'],
			[a, 'a'],
			[b, 'b'],
			[a, 'a'],
			[b, 'b'],
		]) {
			const res = await get(url);
			expect([res.status, res.headers.get('location')]).toEqual([
				302,
				`https://shop.example.com/${target}`,
			]);
		}
		// the open of the same email is a separate event of its own token
		await get(t.openUrl());
		const seen = await settled(3);
		expect(seen.map((e) => `${e.type} ${e.url}`).sort()).toEqual([
			'clicked https://shop.example.com/a',
			'clicked https://shop.example.com/b',
			'opened null',
		]);
	});

	it('a repeated one-click unsubscribe starts one execution; each gets the thank-you page', async () => {
		await start();
		const url = tracker().unsubscribeUrl();
		for (let i = 0; i < 3; i++) expect((await oneClick(url)).status).toBe(200);
		expect((await settled(1)).map((e) => e.type)).toEqual(['unsubscribed']);
	});

	it('a bot hit dropped by "Drop Bots" does not use up the first hit', async () => {
		await start({ dropBots: true });
		const url = tracker().openUrl();
		await get(url, { headers: { 'user-agent': 'curl/8.5.0' } });
		await get(url);
		await get(url);
		expect((await settled(1)).map((e) => e.userAgent)).toEqual([CHROME]);
	});

	it('option "Every Hit" starts an execution for every valid hit', async () => {
		await start({ replay: 'everyHit' });
		const url = tracker().openUrl();
		for (let i = 0; i < 4; i++) await get(url);
		expect(await settled(4)).toHaveLength(4);
	});
});

describe('link lifetime (default 365 days)', () => {
	it('an expired click still redirects and an expired pixel is still served, but neither starts an execution', async () => {
		await start();
		const old = tracker(Date.now() - 366 * DAY);
		const click = await get(old.clickUrl('https://shop.example.com/old'));
		expect([click.status, click.headers.get('location')]).toEqual([
			302,
			'https://shop.example.com/old',
		]);
		const pixel = await get(old.openUrl());
		expect([pixel.status, pixel.headers.get('content-type')]).toEqual([200, 'image/gif']);
		// the same email's unsubscribe still counts; a 364-day-old open counts
		await oneClick(old.unsubscribeUrl());
		await get(tracker(Date.now() - 364 * DAY).openUrl());
		expect((await settled(2)).map((e) => e.type).sort()).toEqual(['opened', 'unsubscribed']);
	});

	it('Link Lifetime 0: links never expire', async () => {
		await start({ maxAgeDays: 0 });
		await get(tracker(Date.now() - 3650 * DAY).openUrl());
		expect((await settled(1)).map((e) => e.type)).toEqual(['opened']);
	});
});

describe('old signed links (transition, default 90 days)', () => {
	const signed = (type: TrackingClaims['type'], daysAgo: number, url?: string) =>
		`${base}/${type}?t=${encodeSignedToken(SECRET, {
			type,
			trackingId: `old-${daysAgo}-${type}`,
			messageId: '<old@example.com>',
			recipient: 'ann@example.com',
			data: { dealId: '7' },
			issuedAt: Math.floor((Date.now() - daysAgo * DAY) / 1000),
			...(url ? { url } : {}),
		})}`;

	it('are accepted while younger than 90 days and refused after: no event, no redirect, the pixel still served', async () => {
		await start();
		const young = await get(signed('click', 30, 'https://shop.example.com/young'));
		expect([young.status, young.headers.get('location')]).toEqual([
			302,
			'https://shop.example.com/young',
		]);
		await get(signed('open', 30));
		const refused = await get(signed('click', 91, 'https://shop.example.com/old'));
		expect([refused.status, refused.headers.get('location')]).toEqual([400, null]);
		expect(await refused.text()).toContain('no longer accepted');
		const pixel = await get(signed('open', 91));
		expect([pixel.status, pixel.headers.get('content-type')]).toEqual([200, 'image/gif']);
		// an unsubscribe is honoured whatever the age of its link
		expect((await oneClick(signed('unsubscribe', 400))).status).toBe(200);
		expect((await settled(3)).map((e) => `${e.type} ${e.trackingId}`).sort()).toEqual([
			'clicked old-30-click',
			'opened old-30-open',
			'unsubscribed old-400-unsubscribe',
		]);
	});

	it('"Accept Old Readable Links" 0 refuses them all at once', async () => {
		await start({ legacyLinkDays: 0 });
		const res = await get(signed('click', 1, 'https://shop.example.com/x'));
		expect([res.status, res.headers.get('location')]).toEqual([400, null]);
		await get(signed('open', 1));
		expect(await settled(0)).toEqual([]);
	});
});
