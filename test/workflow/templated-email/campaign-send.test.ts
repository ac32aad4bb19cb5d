// Send Templated Email with "Send as Campaign", through real workflows: mail goes to a real SMTP sink, the
// suppression list and the campaign log live in the fake of n8n's public Data Tables API. Suppressed
// recipients never reach the sink and their items say why; every mail in the sink has its "sent" row; 100
// mails cost a handful of API calls; a log that cannot be written keeps the sends and says so; the campaign
// comes back in a tracking event (Email Tracking Trigger) and in a bounce's `sent.campaign`, and from there
// into the log as "bounced", so the Campaign Report counts it.
import { randomBytes } from 'node:crypto';
import { decodeHTML } from 'entities';
import type { IConnections, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { classifyMessage } from '../../../nodes/shared/bounces';
import { CAMPAIGN_TABLES } from '../../../nodes/shared/campaign/tables';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { NODE, sendWorkflow, smtpCredential } from './helpers';

/** The fake, able to answer every row insert with a 500 (the log write fails; lookups still work). */
class DataTablesWithFailingWrites extends FakeN8nDataTables {
	failRowWrites = false;
	protected match(method: string, path: string) {
		if (this.failRowWrites && method === 'POST' && /\/rows$/.test(path))
			return {
				route: {
					method,
					path,
					handler: (_req: FakeRequest, res: FakeResponse) =>
						res.json({ message: 'Internal Server Error' }, 500),
				},
				params: {},
			};
		return super.match(method, path);
	}
}

const SECRET = randomBytes(32).toString('hex');
let sink: SmtpCapture;
let fake: DataTablesWithFailingWrites;

beforeAll(async () => {
	sink = await startSmtpCapture();
});
afterAll(async () => sink?.close());
beforeEach(async () => {
	sink.reset();
	fake = new DataTablesWithFailingWrites('key-1');
	await fake.start();
});
afterEach(async () => {
	await fake.stop();
});

const dataTables = () => ({ crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'key-1' } });

function campaignWorkflow(
	extra: Record<string, unknown> = {},
	tracking = false,
	continueOnFail = true,
) {
	const wf = sendWorkflow(
		{
			to: '={{ $json.to }}',
			subject: 'Spring offer',
			html: '<p>Hello {{default name "there"}}, <a href="https://shop.example.com/spring">see the offer</a></p>',
			options: { cc: '={{ $json.cc }}', bcc: '={{ $json.bcc }}', retryDelay: 10 },
			sendAsCampaign: true,
			campaign: '={{ $json.campaign }}',
			...extra,
		},
		{ continueOnFail },
	);
	wf.nodes[0].credentials = {
		...wf.nodes[0].credentials,
		crmMailN8nApi: { id: 'dt', name: 'dt' },
		...(tracking ? { emailTracking: { id: 't', name: 't' } } : {}),
	};
	return wf;
}

const send = async (
	items: IDataObject[],
	extra: Record<string, unknown> = {},
	trackingBaseUrl?: string,
) => {
	const run = await runWorkflow(campaignWorkflow(extra, !!trackingBaseUrl), {
		credentials: {
			crmMailSmtp: smtpCredential(sink),
			...dataTables(),
			...(trackingBaseUrl ? { emailTracking: { secret: SECRET, baseUrl: trackingBaseUrl } } : {}),
		},
		input: items.map((json) => ({ json })) as INodeExecutionData[],
	});
	return outputOf(run, NODE);
};

const suppress = (rows: Array<Record<string, unknown>>) =>
	fake.seed(
		'crm_suppression',
		CAMPAIGN_TABLES.suppression.columns.map((name) => ({ name, type: 'string' })),
		rows,
	);

/** (Message-ID, recipient) of every mail in the sink, as the log must have them. */
async function sinkPairs(): Promise<string[]> {
	const pairs: string[] = [];
	for (const m of sink.messages) {
		const id = (await parseCaptured(m)).messageId;
		for (const r of m.envelope.rcptTo) pairs.push(`${id} ${r}`);
	}
	return pairs.sort();
}
const sentRowPairs = () =>
	fake
		.rowsOf('crm_campaign_log')
		.filter((r) => r.event === 'sent')
		.map((r) => `${String(r.message_id)} ${String(r.recipient)}`)
		.sort();

test('a suppressed To stops the email, a suppressed CC / BCC is left out; the items say why and the log has every mail sent', async () => {
	suppress([
		{
			email: 'ann@client.example',
			reason: 'unsubscribed',
			campaign: 'winter',
			suppressed_at: '2026-01-10T09:00:00.000Z',
		},
		{
			email: 'carl@client.example',
			reason: 'complaint',
			suppressed_at: '2026-02-01T00:00:00.000Z',
		},
	]);
	const out = await send([
		{ to: 'Ann <ANN@client.example>', campaign: 'spring' },
		{
			to: 'bob@client.example',
			cc: 'carl@client.example, cy@client.example',
			bcc: 'Carl <carl@client.example>',
			campaign: 'spring',
		},
		{ to: 'eve@client.example', campaign: 'spring' },
		// an empty campaign: an ordinary email, no check, no log row
		{ to: 'ann@client.example', campaign: '' },
	]);
	await sink.waitFor(3);
	expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	expect(out[0].json).toEqual({
		skipped: true,
		reason: 'suppressed',
		recipient: 'ann@client.example',
		suppression: { reason: 'unsubscribed', since: '2026-01-10T09:00:00.000Z', campaign: 'winter' },
		campaign: 'spring',
		suppressedRecipients: [
			{
				recipient: 'ann@client.example',
				field: 'to',
				suppression: {
					reason: 'unsubscribed',
					since: '2026-01-10T09:00:00.000Z',
					campaign: 'winter',
				},
			},
		],
	});
	expect(out[1].json).toMatchObject({
		campaign: 'spring',
		accepted: ['bob@client.example', 'cy@client.example'],
		suppressedRecipients: [
			expect.objectContaining({ recipient: 'carl@client.example', field: 'cc' }),
			expect.objectContaining({ recipient: 'carl@client.example', field: 'bcc' }),
		],
		campaignLog: { written: true, table: 'crm_campaign_log' },
	});
	expect(out[2].json).toMatchObject({ campaign: 'spring', campaignLog: { written: true } });
	expect(out[3].json.campaign).toBeUndefined();
	expect(out[3].json.accepted).toEqual(['ann@client.example']);

	// the sink: the campaign never reached ann or carl (neither as CC nor hidden as BCC)
	const envelopes = sink.messages.map((m) => m.envelope.rcptTo);
	expect(envelopes).toHaveLength(3);
	expect(envelopes.slice(0, 2)).toEqual([
		['bob@client.example', 'cy@client.example'],
		['eve@client.example'],
	]);
	const bobMail = await parseCaptured(sink.messages[0]);
	expect(JSON.stringify(bobMail.cc)).toContain('cy@client.example');
	expect(bobMail.headerLines.map((h) => h.line).join('\n')).not.toContain('carl');
	// one sent row per campaign mail and accepted recipient, nothing for the ordinary mail
	const campaignPairs = (await sinkPairs()).filter((p) => !p.endsWith(' ann@client.example'));
	expect(sentRowPairs()).toEqual(campaignPairs);
	expect(fake.rowsOf('crm_campaign_log')).toContainEqual(
		expect.objectContaining({
			campaign: 'spring',
			event: 'sent',
			recipient: 'eve@client.example',
			message_id: out[2].json.messageId,
			event_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		}),
	);
});

test('100 mails: one suppression lookup and one log write; at most 5 API calls on a fresh n8n, 2 after', async () => {
	const items = Array.from({ length: 100 }, (_, n) => ({
		to: `user${n}@client.example`,
		campaign: 'bulk',
	}));
	suppress([{ email: 'user42@client.example', reason: 'hardBounce' }]);
	fake.requests.length = 0;
	const first = await send(items);
	expect(fake.requests.length).toBeLessThanOrEqual(5);
	expect(first.filter((o) => o.json.skipped).map((o) => o.json.recipient)).toEqual([
		'user42@client.example',
	]);
	await sink.waitFor(99);
	expect(sentRowPairs()).toEqual(await sinkPairs());

	sink.reset();
	fake.requests.length = 0;
	await send(items.map((i) => ({ ...i, campaign: 'bulk-2' })));
	await sink.waitFor(99);
	// the table ids are known: what is left is the lookup and the write
	expect(
		fake.requests.map((r) => `${r.method} ${r.path.replace(/^.*\/data-tables\/[^/]+/, '')}`),
	).toEqual(['GET /rows', 'POST /rows']);
	expect(fake.rowsOf('crm_campaign_log').filter((r) => r.campaign === 'bulk-2')).toHaveLength(99);
});

test('a campaign log that answers 500 keeps every send, sends nothing twice, and says so on each item', async () => {
	fake.failRowWrites = true;
	const out = await send(
		['ann', 'bob', 'cy'].map((n) => ({ to: `${n}@client.example`, campaign: 'spring' })),
	);
	await sink.waitFor(3);
	await new Promise((r) => setTimeout(r, 200));
	expect(sink.messages).toHaveLength(3);
	expect(out.map((o) => [o.json.accepted, o.json.error])).toEqual(
		['ann', 'bob', 'cy'].map((n) => [[`${n}@client.example`], undefined]),
	);
	for (const o of out) {
		const log = o.json.campaignLog as IDataObject;
		expect(log.error).toMatch(/campaign log could not be written: .*500/);
		expect(log.description).toMatch(/were sent and are not sent again/);
	}
	// the writer repeated the one batch after the 500s (2 repeats), never one POST per mail
	expect(fake.requests.filter((r) => r.method === 'POST' && /\/rows$/.test(r.path))).toHaveLength(
		3,
	);
	expect(fake.rowsOf('crm_campaign_log')).toEqual([]);
});

test('a suppression lookup that fails sends nothing: the run stops, or each campaign item says what to do', async () => {
	const credentials = {
		crmMailSmtp: smtpCredential(sink),
		crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'wrong' },
	};
	const input = [
		{ json: { to: 'ann@client.example', campaign: 'spring' } },
		{ json: { to: 'bob@client.example', campaign: 'spring' } },
	];
	const stopped = await runWorkflow(campaignWorkflow({}, false, false), { credentials, input });
	const error = stopped.data.resultData.runData[NODE]?.[0]?.error;
	expect(error?.message).toMatch(/refused the API key \(401\)/);
	expect(error?.description).toMatch(/Settings > n8n API/);

	const items = outputOf(await runWorkflow(campaignWorkflow(), { credentials, input }), NODE);
	expect(items.map((i) => [i.json.error, i.pairedItem])).toEqual([
		[expect.stringMatching(/401/), { item: 0 }],
		[expect.stringMatching(/401/), { item: 1 }],
	]);
	await new Promise((r) => setTimeout(r, 200));
	expect(sink.messages).toHaveLength(0);
});

test('"Skip Suppressed Recipients" and "Write Campaign Log" off: the email goes out, nothing is read or written', async () => {
	suppress([{ email: 'ann@client.example', reason: 'manual' }]);
	fake.requests.length = 0;
	const [out] = await send([{ to: 'ann@client.example', campaign: 'spring' }], {
		campaignOptions: { skipSuppressed: false, campaignLog: false },
	});
	await sink.waitFor(1);
	expect(out.json).toMatchObject({ campaign: 'spring', accepted: ['ann@client.example'] });
	expect(out.json.campaignLog).toBeUndefined();
	expect(fake.requests).toEqual([]);
});

test('the campaign comes back in a tracking event and in a bounce, and the report counts both', async () => {
	const server = new WebhookServer(
		{
			nodes: [
				{
					id: 'c3d4e5f6-0000-4000-8000-0000000000c1',
					name: 'Tracking',
					type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: 'd4e5f6a7-1111-4222-8333-4444555566c1',
					parameters: { path: 'track' },
					credentials: {
						emailTracking: { id: 'x', name: 'x' },
						crmMailN8nApi: { id: 'dt', name: 'dt' },
					},
				},
			],
			connections: {} as IConnections,
		},
		{ credentials: { emailTracking: { secret: SECRET, baseUrl: 'unused' }, ...dataTables() } },
	);
	await server.start();
	try {
		const out = await send(
			[
				{ to: 'ann@client.example', name: 'Ann', campaign: 'spring-sale' },
				{ to: 'bob@client.example', name: 'Bob', campaign: 'spring-sale' },
			],
			{ tracking: true, trackingOptions: { click: true, open: false } },
			`${server.baseUrl}/webhook/track`,
		);
		const [annMail, bobMail] = await sink.waitFor(2);

		// ann clicks: the trigger's event names the campaign and the log gets the click
		const html = String((await parseCaptured(annMail)).html);
		const link = decodeHTML(/href="([^"]+)"/.exec(html)![1]);
		const click = await fetch(link, { redirect: 'manual' });
		expect(click.headers.get('location')).toBe('https://shop.example.com/spring');
		for (let n = 0; n < 200 && !server.runs().length; n++)
			await new Promise((r) => setTimeout(r, 25));
		const [event] = server.runs().map((r) => outputOf(r, 'Tracking')[0].json);
		expect(event).toMatchObject({
			type: 'clicked',
			campaign: 'spring-sale',
			recipient: 'ann@client.example',
			messageId: out[0].json.messageId,
		});

		// bob's mail bounces: the sealed X-CRM-Mail-Ref gives the bounce event `sent.campaign`
		const notice = [
			'From: MAILER-DAEMON@mx.client.example',
			'To: sales@crm.local',
			'Subject: failure notice',
			'Message-ID: <n1@mx.client.example>',
			'',
			'Hi. This is the qmail-send program at mx.client.example.',
			"I'm afraid I wasn't able to deliver your message to the following addresses.",
			"This is a permanent error; I've given up. Sorry it didn't work out.",
			'',
			'<bob@client.example>:',
			'Sorry, no mailbox here by that name. (#5.1.1)',
			'',
			'--- Below this line is a copy of the message.',
			'',
			bobMail.raw.toString('latin1'),
		].join('\r\n');
		const [bounce] = (await classifyMessage(notice, { referenceSecret: SECRET }))!;
		expect(bounce).toMatchObject({
			event: 'bounce',
			kind: 'hard',
			recipient: 'bob@client.example',
			sent: { messageId: out[1].json.messageId, campaign: 'spring-sale', via: 'header' },
		});

		// Suppression List > Add, From the Item: bob is suppressed for the campaign and the log gets "bounced"
		const add = sendWorkflow({
			resource: 'suppressionList',
			operation: 'add',
			email: '={{ $json.recipient }}',
			reason: 'fromEvent',
		});
		add.nodes[0].credentials = { crmMailN8nApi: { id: 'dt', name: 'dt' } };
		const [added] = outputOf(
			await runWorkflow(add, {
				credentials: dataTables(),
				input: [{ json: JSON.parse(JSON.stringify(bounce)) as IDataObject }],
			}),
			NODE,
		);
		expect(added.json).toMatchObject({
			email: 'bob@client.example',
			added: true,
			reason: 'hardBounce',
			campaign: 'spring-sale',
			campaignLog: { written: true, table: 'crm_campaign_log' },
		});

		for (let n = 0; n < 200; n++) {
			if (fake.rowsOf('crm_campaign_log').some((r) => r.event === 'clicked')) break;
			await new Promise((r) => setTimeout(r, 25));
		}
		const report = sendWorkflow({
			resource: 'campaign',
			operation: 'report',
			campaigns: 'spring-sale',
		});
		report.nodes[0].credentials = { crmMailN8nApi: { id: 'dt', name: 'dt' } };
		const [figures] = outputOf(await runWorkflow(report, { credentials: dataTables() }), NODE);
		expect(figures.json).toMatchObject({
			campaign: 'spring-sale',
			sent: 2,
			bounced: 1,
			delivered: 1,
			clicks: { total: 1, unique: 1 },
		});
	} finally {
		await server.stop();
	}
});
