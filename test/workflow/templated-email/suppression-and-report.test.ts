// Send Templated Email's Suppression List (Add / Check / Remove) and Campaign (Report) resources, through real
// workflows against the fake of n8n's public Data Tables API the CRM Data Tables tests use: the tables are
// created on first use, every operation costs a fixed number of requests whatever the number of items, a
// bad item fails alone, and the API's refusals say what to do.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';
import { outputOf, runWorkflow, type WorkflowJson } from '../../harness/workflow';

const NODE = 'Suppression';
let fake: FakeN8nDataTables;
let creds: { crmMailN8nApi: { baseUrl: string; apiKey: string } };

const wf = (parameters: Record<string, unknown>, continueOnFail = false): WorkflowJson => ({
	nodes: [
		{
			id: 's',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'n',
			name: NODE,
			type: 'n8n-nodes-crm-mail.templatedEmail',
			typeVersion: 1,
			position: [200, 0],
			parameters: parameters as INodeParameters,
			credentials: { crmMailN8nApi: { id: 'dt', name: 'dt' } },
			...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	],
	connections: { Start: { main: [[{ node: NODE, type: NodeConnectionTypes.Main, index: 0 }]] } },
});

const run = async (
	parameters: Record<string, unknown>,
	input: Array<Record<string, unknown>>,
	continueOnFail = false,
) =>
	await runWorkflow(wf(parameters, continueOnFail), {
		credentials: creds,
		input: input.map((json) => ({ json })) as INodeExecutionData[],
	});
const out = (r: Awaited<ReturnType<typeof run>>) => outputOf(r, NODE);
/** The node's error as the editor shows it. */
const nodeError = (r: Awaited<ReturnType<typeof run>>) =>
	r.data.resultData.runData[NODE]?.[0]?.error;
const suppression = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'suppressionList',
	operation,
	email: '={{ $json.email }}',
	...extra,
});
const rowRequests = () => fake.requests.filter((r) => /\/rows/.test(r.path)).map((r) => r.method);

beforeEach(async () => {
	fake = new FakeN8nDataTables('key-1');
	await fake.start();
	creds = { crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'key-1' } };
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Add creates the tables on first use, adds every new address in one POST, keeps the first row of a listed one', async () => {
	const first = await run(suppression('add', { reason: 'manual', note: 'asked by phone' }), [
		{ email: 'Ann <ANN@Example.com>' },
	]);
	expect(out(first).map((i) => i.json)).toEqual([
		expect.objectContaining({ email: 'ann@example.com', added: true, reason: 'manual' }),
	]);
	expect([...fake.tables.values()].map((t) => t.name).sort()).toEqual([
		'crm_campaign_log',
		'crm_suppression',
	]);
	fake.requests.length = 0;
	const second = await run(
		suppression('add', { reason: 'complaint', campaign: 'spring', messageId: '<m1@x>' }),
		[{ email: 'ann@example.com' }, { email: 'bob@example.com' }, { email: 'BOB@example.com' }],
	);
	expect(out(second).map((i) => [i.json.email, i.json.added, i.json.reason, i.pairedItem])).toEqual(
		[
			['ann@example.com', false, 'manual', { item: 0 }],
			['bob@example.com', true, 'complaint', { item: 1 }],
			['bob@example.com', false, 'complaint', { item: 2 }],
		],
	);
	expect(out(second)[0].json.alreadySuppressed).toBe(true);
	// the table ids are cached; one lookup and one insert for the three items
	expect(rowRequests()).toEqual(['GET', 'POST']);
	expect(fake.rowsOf('crm_suppression')).toEqual([
		expect.objectContaining({ email: 'ann@example.com', reason: 'manual', note: 'asked by phone' }),
		expect.objectContaining({
			email: 'bob@example.com',
			reason: 'complaint',
			campaign: 'spring',
			message_id: '<m1@x>',
			source: 'flow',
			suppressed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		}),
	]);
});

test('Check answers 600 addresses with a handful of GETs; Remove takes addresses off', async () => {
	await run(suppression('add', { reason: 'hardBounce' }), [
		{ email: 'user7@example.com' },
		{ email: 'user599@example.com' },
	]);
	fake.requests.length = 0;
	const many = Array.from({ length: 600 }, (_, n) => ({ email: `user${n}@example.com` }));
	const checked = out(await run(suppression('check'), many));
	expect(checked).toHaveLength(600);
	expect(
		checked.filter((i) => i.json.suppressed).map((i) => [i.json.email, i.json.reason]),
	).toEqual([
		['user7@example.com', 'hardBounce'],
		['user599@example.com', 'hardBounce'],
	]);
	expect(checked[8].json).toEqual({ email: 'user8@example.com', suppressed: false });
	expect(checked.every((i, n) => (i.pairedItem as { item: number }).item === n)).toBe(true);
	// `or` filters split only by the URL budget (about 140 addresses a GET), never one GET per address
	expect(rowRequests().length).toBeLessThanOrEqual(Math.ceil(600 / 120));

	const removed = out(
		await run(suppression('remove'), [
			{ email: 'user7@example.com' },
			{ email: 'nobody@example.com' },
		]),
	);
	expect(removed.map((i) => i.json)).toEqual([
		{ email: 'user7@example.com', removed: true, wasSuppressed: true },
		{ email: 'nobody@example.com', removed: false, wasSuppressed: false },
	]);
	expect(fake.rowsOf('crm_suppression').map((r) => r.email)).toEqual(['user599@example.com']);
});

test('Add "From the Item": complaints and hard bounces are added, a soft bounce is not; a bad item fails alone', async () => {
	const events = [
		{ event: 'complaint', recipient: 'ann@example.com', original: { messageId: '<c1@x>' } },
		{
			event: 'bounce',
			kind: 'hard',
			recipient: 'bob@example.com',
			original: { messageId: '<b1@x>' },
		},
		{
			event: 'bounce',
			kind: 'soft',
			recipient: 'cy@example.com',
			original: { messageId: '<b2@x>' },
		},
		{ subject: 'not an event', recipient: 'dee@example.com' },
		{ event: 'complaint', recipient: 'not an address' },
	];
	const res = await run(
		suppression('add', {
			reason: 'fromEvent',
			email: '={{ $json.recipient }}',
			campaign: 'spring',
		}),
		events,
		true,
	);
	const items = out(res).map((i) => i.json);
	expect(items[0]).toMatchObject({
		email: 'ann@example.com',
		added: true,
		reason: 'complaint',
		messageId: '<c1@x>',
	});
	expect(items[1]).toMatchObject({
		email: 'bob@example.com',
		added: true,
		reason: 'hardBounce',
		messageId: '<b1@x>',
	});
	expect(items[2]).toEqual({
		email: 'cy@example.com',
		added: false,
		skipped: 'a soft bounce: the address still works',
	});
	expect(items[3].error).toMatch(/not a bounce or complaint event/);
	expect(items[3].description).toMatch(/Pick a fixed Reason/);
	expect(items[4].error).toMatch(/"not an address" is not an email address \(item 4\)/);
	expect(fake.rowsOf('crm_suppression').map((r) => r.email)).toEqual([
		'ann@example.com',
		'bob@example.com',
	]);
});

test('without Continue On Fail a bad item stops the run before anything is written', async () => {
	const res = await run(suppression('add', { reason: 'manual' }), [
		{ email: 'ok@example.com' },
		{ email: '' },
	]);
	expect(nodeError(res)?.message).toMatch(/"" is not an email address \(item 1\)/);
	expect(nodeError(res)?.description).toMatch(/Set Email to one address/);
	expect(fake.rowsOf('crm_suppression')).toEqual([]);
});

test('a refused API key says where to make one; with Continue On Fail every item carries it', async () => {
	creds.crmMailN8nApi.apiKey = 'wrong';
	const stopped = await run(suppression('check'), [{ email: 'a@example.com' }]);
	expect(nodeError(stopped)?.message).toMatch(/refused the API key \(401\)/);
	expect(nodeError(stopped)?.description).toMatch(/Settings > n8n API/);
	const items = out(
		await run(suppression('check'), [{ email: 'a@example.com' }, { email: 'b@example.com' }], true),
	);
	expect(items.map((i) => [i.json.error, i.pairedItem])).toEqual([
		[expect.stringMatching(/401/), { item: 0 }],
		[expect.stringMatching(/401/), { item: 1 }],
	]);
});

test('Campaign Report: figures per asked campaign from the log, per recipient on request, in one read', async () => {
	const log = (
		campaign: string,
		event: string,
		recipient: string,
		extra: Record<string, unknown> = {},
	) => ({
		campaign,
		event,
		recipient,
		message_id: `<${campaign}-${recipient}>`,
		event_at: '2026-03-01T10:00:00.000Z',
		...extra,
	});
	// first use creates the tables; then the log gets rows as the send node and the trigger write them
	await run({ resource: 'campaign', operation: 'report', campaigns: '' }, [{}]);
	fake.rowsOf('crm_campaign_log').push(
		...[
			log('spring', 'sent', 'ann@x.com'),
			log('spring', 'sent', 'bob@x.com'),
			log('spring', 'bounced', 'bob@x.com'),
			log('spring', 'opened', 'ann@x.com', { classification: 'human' }),
			log('spring', 'clicked', 'ann@x.com', {
				classification: 'human',
				url: 'https://shop.example/a',
			}),
			log('autumn', 'sent', 'cy@x.com'),
			log('winter', 'sent', 'dee@x.com'),
		].map((r, n) => ({ id: n + 1, ...r })),
	);
	fake.requests.length = 0;
	const res = await run(
		{
			resource: 'campaign',
			operation: 'report',
			campaigns: '={{ $json.campaigns }}',
			perRecipient: true,
		},
		[{ campaigns: 'spring, autumn' }],
	);
	const [spring, autumn] = out(res).map((i) => i.json);
	expect(spring).toMatchObject({
		campaign: 'spring',
		sent: 2,
		bounced: 1,
		delivered: 1,
		uniqueOpens: { total: 1, human: 1, machine: 0 },
		clicks: {
			total: 1,
			unique: 1,
			links: [{ url: 'https://shop.example/a', clicks: 1, uniqueClicks: 1 }],
		},
		rates: { delivery: 0.5, open: 1, click: 1 },
	});
	expect(spring.recipients).toHaveLength(2);
	expect(autumn).toMatchObject({ campaign: 'autumn', sent: 1, delivered: 1 });
	expect(out(res).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	expect(rowRequests()).toEqual(['GET']);
	const filter = JSON.parse(String(fake.requests.find((r) => /rows/.test(r.path))!.query.filter));
	expect(filter.filters.map((f: { value: string }) => f.value)).toEqual(['spring', 'autumn']);

	const all = out(await run({ resource: 'campaign', operation: 'report', campaigns: '' }, [{}]));
	expect(all.map((i) => i.json.campaign)).toEqual(['autumn', 'spring', 'winter']);
});
