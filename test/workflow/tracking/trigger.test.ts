// The Email Tracking Trigger served over real HTTP by the webhook harness (n8n's own path logic), with real
// requests: what a mail client / browser gets back, and which requests start an execution with what item.
import { randomBytes } from 'node:crypto';
import type { IConnections } from 'n8n-workflow';
import { EmailTrackingTrigger } from '../../../nodes/EmailTrackingTrigger/EmailTrackingTrigger.node';
import { PIXEL_GIF } from '../../../nodes/shared/tracking/pixel';
import {
	encodeSignedToken,
	encodeToken,
	type TrackingClaims,
} from '../../../nodes/shared/tracking/token';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf } from '../../harness/workflow';
import { testCredential } from '../../harness/node-methods';

// A throw-away test key, made at run time.
const SECRET = randomBytes(24).toString('hex');
const CHROME =
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const HOUR = 3600_000;

function workflow(parameters: Record<string, unknown> = {}) {
	return {
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'Email Tracking Trigger',
				type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: 'b6a3c1f0-1111-4222-8333-444455556666',
				parameters: { path: 'email-tracking', ...parameters },
				credentials: { emailTracking: { id: 'x', name: 'x' } },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters: {},
			},
		],
		connections: {
			'Email Tracking Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		} as IConnections,
	};
}

let server: WebhookServer;
let base: string;
async function start(parameters: Record<string, unknown> = {}) {
	server = new WebhookServer(workflow(parameters), {
		credentials: { emailTracking: { secret: SECRET, baseUrl: 'placeholder' } },
	});
	await server.start();
	base = `${server.baseUrl}/webhook/email-tracking`;
}
afterEach(async () => server?.stop());

const tracker = (sentAt = Date.now() - HOUR, secret = SECRET) =>
	new Tracker({
		secret,
		baseUrl: base,
		trackingId: 'trk-7',
		messageId: '<m1@example.com>',
		recipient: 'ann@example.com',
		data: { dealId: '42', stage: 'Предложение' },
		sentAt,
	});
const get = (url: string, init: RequestInit = {}) =>
	fetch(url, {
		redirect: 'manual',
		...init,
		headers: { 'user-agent': CHROME, ...(init.headers ?? {}) },
	});
const events = () => server.runs().map((r) => outputOf(r, 'Email Tracking Trigger')[0].json);

describe('Email Tracking Trigger', () => {
	it('open: answers the GIF with no-store headers and starts one execution with the event', async () => {
		await start();
		const res = await get(tracker().openUrl());
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/gif');
		expect(res.headers.get('cache-control')).toContain('no-store');
		expect(Buffer.from(await res.arrayBuffer())).toEqual(PIXEL_GIF);
		expect(events()).toEqual([
			expect.objectContaining({
				type: 'opened',
				trackingId: 'trk-7',
				messageId: '<m1@example.com>',
				recipient: 'ann@example.com',
				url: null,
				trackingData: { dealId: '42', stage: 'Предложение' },
				userAgent: CHROME,
				ip: expect.stringMatching(/127\.0\.0\.1/),
				classification: { kind: 'human', reason: 'no bot signal' },
			}),
		]);
		const [event] = events();
		expect(event.secondsSinceSent).toBeGreaterThanOrEqual(3599);
		expect(Date.parse(event.time as string)).toBeGreaterThan(Date.now() - 60_000);
		expect(outputOf(server.runs()[0], 'Done')).toHaveLength(1);
	});

	it('open: classifies the Gmail image proxy and Apple Mail Privacy Protection', async () => {
		await start();
		await get(tracker().openUrl(), {
			headers: {
				'user-agent':
					'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
			},
		});
		await get(tracker().openUrl(), { headers: { 'user-agent': 'Mozilla/5.0' } });
		expect(events().map((e) => (e.classification as { kind: string }).kind)).toEqual([
			'imageProxy',
			'applePrivacyProxy',
		]);
	});

	it('open: a bad, forged or missing token still gets the GIF, and starts nothing', async () => {
		await start();
		const forged = tracker(Date.now() - HOUR, 'someone-elses-secret-0123456789abcdef').openUrl();
		for (const url of [
			forged,
			`${base}/open?t=garbage`,
			`${base}/open`,
			`${base}/open?t=${tracker().openUrl().split('t=')[1].slice(0, -1)}`,
		]) {
			const res = await get(url);
			expect(res.status).toBe(200);
			expect(Buffer.from(await res.arrayBuffer())).toEqual(PIXEL_GIF);
		}
		expect(server.runs()).toHaveLength(0);
	});

	it('click: redirects (302) to exactly the signed URL and records the click', async () => {
		await start();
		const target = 'https://shop.example.com/offer?id=7&utm_source=mail#buy';
		const res = await get(tracker().clickUrl(target));
		expect(res.status).toBe(302);
		expect(res.headers.get('location')).toBe(target);
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		expect(events()).toEqual([
			expect.objectContaining({ type: 'clicked', url: target, recipient: 'ann@example.com' }),
		]);
	});

	it('click: a forged, tampered, mismatched or non-http token gets an error page, never a redirect, and starts nothing', async () => {
		await start();
		const good = tracker().clickUrl('https://shop.example.com/');
		const claims: TrackingClaims = {
			type: 'click',
			trackingId: 't',
			messageId: 'm',
			recipient: 'r',
			url: 'https://evil.example/',
			data: {},
			issuedAt: Math.floor(Date.now() / 1000) - 3600,
		};
		const sealed = good.split('t=')[1];
		// an old signed token's parts, to splice
		const [payload, signature] = encodeSignedToken(SECRET, {
			...claims,
			url: 'https://shop.example.com/',
		}).split('.');
		const flip = (token: string, at: number) =>
			token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
		const urls = [
			`${base}/click?t=${flip(sealed, 20)}`,
			`${base}/click?t=${flip(sealed, sealed.length - 3)}`,
			`${base}/click?t=${sealed.slice(0, -1)}`,
			`${base}/click?t=${encodeToken('attacker-secret-0123456789abcdef0123', claims)}`,
			`${base}/click?t=${Buffer.from(JSON.stringify([1, 'c', 't', 'm', 'r', 1, 'https://evil.example/', {}])).toString('base64url')}.${signature}`,
			`${base}/click?t=${payload}.${signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
			`${base}/click?t=${tracker().openUrl().split('t=')[1]}`,
			`${base}/click?t=${encodeToken(SECRET, { ...claims, url: 'javascript:alert(document.cookie)' })}`,
			`${base}/click?t=${encodeToken(SECRET, { ...claims, url: '//evil.example/' })}`,
			`${base}/click?url=https://evil.example/`,
		];
		for (const url of urls) {
			const res = await get(url);
			expect(res.status).toBe(400);
			expect(res.headers.get('location')).toBeNull();
			expect(await res.text()).toContain('This link is not valid');
		}
		expect(server.runs()).toHaveLength(0);
	});

	it('unsubscribe: GET shows a confirmation page and changes nothing; the one-click POST records it', async () => {
		await start();
		const url = tracker().unsubscribeUrl();
		const page = await get(url);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('a***@example.com');
		expect(html).toMatch(
			/<form method="post" action="\?t=[A-Za-z0-9_.-]+"><input type="hidden" name="List-Unsubscribe" value="One-Click">/,
		);
		expect(server.runs()).toHaveLength(0);

		const post = await get(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'List-Unsubscribe=One-Click',
		});
		expect(post.status).toBe(200);
		expect(post.headers.get('location')).toBeNull();
		expect(await post.text()).toContain('You are unsubscribed');
		expect(events()).toEqual([
			expect.objectContaining({
				type: 'unsubscribed',
				recipient: 'ann@example.com',
				trackingData: { dealId: '42', stage: 'Предложение' },
			}),
		]);
	});

	it('unsubscribe: a forged token gets an error page and records nothing', async () => {
		await start();
		const res = await get(
			tracker(Date.now() - HOUR, 'someone-elses-secret-0123456789abcdef').unsubscribeUrl(),
			{
				method: 'POST',
				body: 'List-Unsubscribe=One-Click',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
			},
		);
		expect(res.status).toBe(400);
		expect(server.runs()).toHaveLength(0);
	});

	it('HEAD is answered (GIF headers, redirect, page) and starts nothing', async () => {
		await start();
		const t = tracker();
		expect((await get(t.openUrl(), { method: 'HEAD' })).headers.get('content-type')).toBe(
			'image/gif',
		);
		const click = await get(t.clickUrl('https://shop.example.com/'), { method: 'HEAD' });
		expect([click.status, click.headers.get('location')]).toEqual([
			302,
			'https://shop.example.com/',
		]);
		expect((await get(t.unsubscribeUrl(), { method: 'HEAD' })).status).toBe(200);
		expect(server.runs()).toHaveLength(0);
	});

	it('option Events: only the selected event types start executions', async () => {
		await start({ events: ['clicked'] });
		const t = tracker();
		expect((await get(t.openUrl())).status).toBe(200);
		expect((await get(t.clickUrl('https://shop.example.com/'))).status).toBe(302);
		expect(
			(
				await get(t.unsubscribeUrl(), {
					method: 'POST',
					body: 'List-Unsubscribe=One-Click',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
				})
			).status,
		).toBe(200);
		expect(events().map((e) => e.type)).toEqual(['clicked']);
	});

	it('option Drop Bots: bot and scanner hits are served but start nothing; proxies and unsubscribes still count', async () => {
		await start({ options: { dropBots: true } });
		const t = tracker();
		await get(t.openUrl(), { headers: { 'user-agent': 'curl/8.5.0' } });
		expect(
			(
				await get(t.clickUrl('https://shop.example.com/'), {
					headers: { 'user-agent': 'Mimecast URL Protect' },
				})
			).status,
		).toBe(302);
		await get(tracker(Date.now() - 500).clickUrl('https://shop.example.com/'));
		expect(server.runs()).toHaveLength(0);
		await get(t.openUrl(), { headers: { 'user-agent': 'Mozilla/5.0' } });
		await get(t.unsubscribeUrl(), {
			method: 'POST',
			body: 'List-Unsubscribe=One-Click',
			headers: {
				'user-agent': 'python-requests/2.31',
				'content-type': 'application/x-www-form-urlencoded',
			},
		});
		expect(events().map((e) => [e.type, (e.classification as { kind: string }).kind])).toEqual([
			['opened', 'applePrivacyProxy'],
			['unsubscribed', 'bot'],
		]);
	});

	it('option Link Lifetime: old opens and clicks start nothing (the link still works); unsubscribes always count', async () => {
		await start({ options: { maxAgeDays: 1 } });
		const old = tracker(Date.now() - 49 * HOUR);
		expect((await get(old.openUrl())).headers.get('content-type')).toBe('image/gif');
		const click = await get(old.clickUrl('https://shop.example.com/old'));
		expect([click.status, click.headers.get('location')]).toEqual([
			302,
			'https://shop.example.com/old',
		]);
		expect(server.runs()).toHaveLength(0);
		await get(tracker(Date.now() - 23 * HOUR).openUrl());
		await get(old.unsubscribeUrl(), {
			method: 'POST',
			body: 'List-Unsubscribe=One-Click',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(events().map((e) => e.type)).toEqual(['opened', 'unsubscribed']);
	});

	it('credential test: demands a 32+ character secret and a clean base URL', async () => {
		const node = new EmailTrackingTrigger();
		expect(
			await testCredential(node, 'emailTracking', {
				secret: SECRET,
				baseUrl: 'https://n8n.example.com/webhook/email-tracking',
			}),
		).toMatchObject({ status: 'OK' });
		expect(
			await testCredential(node, 'emailTracking', {
				secret: 'short',
				baseUrl: 'https://n8n.example.com/webhook/email-tracking',
			}),
		).toMatchObject({ status: 'Error', message: expect.stringContaining('openssl rand -hex 32') });
		expect(
			await testCredential(node, 'emailTracking', {
				secret: SECRET,
				baseUrl: 'n8n.example.com/webhook',
			}),
		).toMatchObject({ status: 'Error' });
		expect(
			await testCredential(node, 'emailTracking', {
				secret: SECRET,
				baseUrl: 'https://n8n.example.com/webhook/email-tracking/open',
			}),
		).toMatchObject({ status: 'Error' });
		expect(
			await testCredential(node, 'emailTracking', {
				secret: SECRET,
				baseUrl: 'https://n8n.example.com/webhook/x?t=1',
			}),
		).toMatchObject({ status: 'Error' });
	});
});
