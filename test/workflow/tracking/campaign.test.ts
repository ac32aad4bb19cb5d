// The Email Tracking Trigger with campaigns, served over real HTTP by the webhook harness, against the fake
// of n8n's public Data Tables API: unsubscribes go onto the suppression list, events of campaign emails into
// the campaign log in batches, a failed write is reported on the event (which still starts the flow), and
// the pages speak the recipient's language with the admin's texts.
import { randomBytes } from 'node:crypto';
import type { IConnections } from 'n8n-workflow';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf } from '../../harness/workflow';

const SECRET = randomBytes(24).toString('hex');
const CHROME =
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const TRIGGER = 'Email Tracking Trigger';

function workflow(parameters: Record<string, unknown>, withDataTables: boolean) {
	return {
		nodes: [
			{
				id: 'c1b2c3d4-0000-4000-8000-000000000001',
				name: TRIGGER,
				type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: 'c6a3c1f0-1111-4222-8333-444455556666',
				parameters: { path: 'email-tracking', ...parameters },
				credentials: {
					emailTracking: { id: 'x', name: 'x' },
					...(withDataTables ? { crmMailN8nApi: { id: 'dt', name: 'dt' } } : {}),
				},
			},
			{
				id: 'c1b2c3d4-0000-4000-8000-000000000002',
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters: {},
			},
		],
		connections: {
			[TRIGGER]: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		} as IConnections,
	};
}

let fake: FakeN8nDataTables;
let server: WebhookServer;
let base: string;
async function start(
	parameters: Record<string, unknown> = {},
	opts: { withDataTables?: boolean; apiKey?: string } = {},
) {
	server = new WebhookServer(workflow(parameters, opts.withDataTables !== false), {
		credentials: {
			emailTracking: { secret: SECRET, baseUrl: 'placeholder' },
			crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: opts.apiKey ?? 'key-1' },
		},
	});
	await server.start();
	base = `${server.baseUrl}/webhook/email-tracking`;
}
beforeEach(async () => {
	fake = new FakeN8nDataTables('key-1');
	await fake.start();
});
afterEach(async () => {
	await server?.stop();
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

const tracker = (recipient = 'ann@example.com', campaign: string | null = 'spring-sale') =>
	new Tracker({
		secret: SECRET,
		baseUrl: base,
		trackingId: randomBytes(8).toString('hex'),
		messageId: `<${recipient}-m@example.com>`,
		recipient,
		data: { dealId: '42' },
		campaign: campaign ?? undefined,
		sentAt: Date.now() - 3600_000,
	});
const hit = (url: string, init: RequestInit = {}) =>
	fetch(url, {
		redirect: 'manual',
		...init,
		headers: { 'user-agent': CHROME, ...(init.headers ?? {}) },
	});
const unsubscribe = (url: string) =>
	hit(url, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: 'List-Unsubscribe=One-Click',
	});
/** Waits until every request the trigger got has finished (the tables are written after the answer). */
async function settled() {
	for (let n = 0; n < 200 && server.calls.some((c) => !c.status); n++)
		await new Promise((r) => setTimeout(r, 25));
}
const events = () => server.runs().map((r) => outputOf(r, TRIGGER)[0].json);
const rowPosts = () =>
	fake.requests.filter((r) => r.method === 'POST' && /\/rows$/.test(r.path)).length;

test('an unsubscribe of a campaign email puts the address on the suppression list once and logs it', async () => {
	await start();
	const url = tracker('Ann@Example.com').unsubscribeUrl();
	expect((await unsubscribe(url)).status).toBe(200);
	await settled();
	expect(events()).toEqual([
		expect.objectContaining({
			type: 'unsubscribed',
			campaign: 'spring-sale',
			suppression: { added: true, table: 'crm_suppression' },
			campaignLog: { written: true, table: 'crm_campaign_log' },
		}),
	]);
	expect(fake.rowsOf('crm_suppression')).toEqual([
		expect.objectContaining({
			email: 'ann@example.com',
			reason: 'unsubscribed',
			campaign: 'spring-sale',
			message_id: '<Ann@Example.com-m@example.com>',
			source: 'tracking',
		}),
	]);
	expect(fake.rowsOf('crm_campaign_log')).toEqual([
		expect.objectContaining({
			campaign: 'spring-sale',
			event: 'unsubscribed',
			recipient: 'ann@example.com',
		}),
	]);
	// the page's button after the one-click POST: no second entry
	await unsubscribe(url);
	await settled();
	expect(fake.rowsOf('crm_suppression')).toHaveLength(1);
});

test('an unsubscribe counts even when it starts no execution; without a campaign only with "Always"', async () => {
	await start({ events: ['opened'] });
	await unsubscribe(tracker('bob@example.com').unsubscribeUrl());
	await unsubscribe(tracker('cy@example.com', null).unsubscribeUrl());
	await settled();
	expect(server.runs()).toHaveLength(0);
	expect(fake.rowsOf('crm_suppression').map((r) => r.email)).toEqual(['bob@example.com']);
	await server.stop();

	await start({ options: { suppressUnsubscribes: 'always' } });
	await unsubscribe(tracker('cy@example.com', null).unsubscribeUrl());
	await settled();
	expect(events()[0]).toMatchObject({ campaign: null, suppression: { added: true } });
	expect(events()[0].campaignLog).toBeUndefined(); // no campaign, no log row
	expect(fake.rowsOf('crm_suppression').map((r) => r.email)).toEqual([
		'bob@example.com',
		'cy@example.com',
	]);
});

test('opens and clicks of many recipients at once go into the log in one or two POSTs, with link and classification', async () => {
	await start();
	const trackers = Array.from({ length: 12 }, (_, n) => tracker(`r${n}@example.com`));
	await Promise.all([
		...trackers.map((t) => hit(t.openUrl())),
		...trackers.slice(0, 4).map((t) => hit(t.clickUrl(`https://shop.example.com/p/${'abcd'[0]}`))),
		hit(tracker('x@example.com', null).openUrl()), // no campaign: not logged
	]);
	await settled();
	expect(server.runs()).toHaveLength(17);
	const log = fake.rowsOf('crm_campaign_log');
	expect(log.filter((r) => r.event === 'opened')).toHaveLength(12);
	expect(log.filter((r) => r.event === 'clicked')).toEqual(
		Array(4).fill(
			expect.objectContaining({
				campaign: 'spring-sale',
				url: 'https://shop.example.com/p/a',
				classification: 'human',
				recipient: expect.stringMatching(/^r[0-3]@example\.com$/),
			}),
		),
	);
	expect(log.some((r) => r.recipient === 'x@example.com')).toBe(false);
	// table set-up is 1 POST (+1 for the second table); the 16 rows shared one or two batches
	expect(rowPosts()).toBeLessThanOrEqual(2);
	expect(
		events()
			.filter((e) => e.campaign)
			.every((e) => (e.campaignLog as { written?: boolean }).written),
	).toBe(true);
});

test('a failed write never loses the event: the flow starts and the item says what went wrong', async () => {
	await start({}, { apiKey: 'wrong' });
	await unsubscribe(tracker().unsubscribeUrl());
	await hit(tracker('bob@example.com').openUrl());
	await settled();
	const [unsub, open] = events();
	expect(unsub).toMatchObject({
		type: 'unsubscribed',
		suppression: {
			error: expect.stringMatching(/refused the API key \(401\)/),
			description: expect.stringMatching(/Settings > n8n API/),
		},
		campaignLog: { error: expect.stringMatching(/401/) },
	});
	expect(open).toMatchObject({
		type: 'opened',
		campaignLog: { error: expect.stringMatching(/401/) },
	});
	expect(outputOf(server.runs()[0], 'Done')).toHaveLength(1);
});

test('without a Data Tables credential a campaign unsubscribe still starts the flow, saying what to set up', async () => {
	await start({}, { withDataTables: false });
	await unsubscribe(tracker().unsubscribeUrl());
	await settled();
	expect(events()[0]).toMatchObject({
		type: 'unsubscribed',
		suppression: {
			error: expect.stringMatching(/No CRM Mail Data Tables API credential/),
			description: expect.stringMatching(/Select one in the trigger/),
		},
	});
	expect(fake.requests).toEqual([]);
});

test('pages in the browser language, a fixed language, the admin texts, company and logo, escaped', async () => {
	await start({
		pages: {
			companyName: 'Acme <b>&</b> Co',
			logoUrl: 'https://cdn.example.com/logo.png?x=<script>',
			texts: { entries: [{ language: 'ru', confirmButton: 'Да, отписаться' }] },
		},
	});
	const url = tracker().unsubscribeUrl();
	const ru = await hit(url, { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } });
	expect(ru.headers.get('content-language')).toBe('ru');
	expect(ru.headers.get('vary')).toBe('Accept-Language');
	const html = await ru.text();
	expect(html).toContain('<html lang="ru">');
	expect(html).toContain('Больше не получать письма от Acme &lt;b&gt;&amp;&lt;/b&gt; Co на адрес');
	expect(html).toContain('>Да, отписаться</button>');
	expect(html).toContain('src="https://cdn.example.com/logo.png?x=%3Cscript%3E"');
	expect(html).not.toMatch(/<script|<b>/);
	const en = await (await hit(url, { headers: { 'accept-language': 'en-US' } })).text();
	expect(en).toContain('Stop receiving emails from Acme &lt;b&gt;&amp;&lt;/b&gt; Co at');
	const invalid = await hit(`${base}/click?t=garbage`, { headers: { 'accept-language': 'ru' } });
	expect(invalid.status).toBe(400);
	expect(await invalid.text()).toContain('Эта ссылка недействительна');
	await server.stop();

	await start({ pages: { language: 'en' } });
	const fixed = await hit(tracker().unsubscribeUrl(), { headers: { 'accept-language': 'ru' } });
	expect(fixed.headers.get('vary')).toBeNull();
	expect(await fixed.text()).toContain('Stop receiving these emails at');
});
