// CRM Match & Create on the n8n Data Tables backend, through real workflows against the fake n8n public API.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { listSearch, loadOptions, testCredential } from '../../harness/node-methods';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';

let fake: FakeN8nDataTables;
let creds: { crmMailN8nApi: { baseUrl: string; apiKey: string } };

const wf = (
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
): WorkflowJson => ({
	nodes: [
		{
			id: 's',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: {},
		},
		{
			id: 'c',
			name: 'CRM',
			type: 'n8n-nodes-crm-mail.crmMatch',
			typeVersion: 1,
			position: [200, 0] as [number, number],
			parameters: parameters as INodeParameters,
			credentials: { crmMailN8nApi: { id: 'x', name: 'x' } },
			...extra,
		},
	],
	connections: { Start: { main: [[{ node: 'CRM', type: NodeConnectionTypes.Main, index: 0 }]] } },
});

const incoming = (from: string, subject = 'Need a quote', extra: Record<string, unknown> = {}) => ({
	json: {
		from: [{ name: 'Jane Doe', address: from }],
		to: [{ name: 'Sales', address: 'sales@mycompany.com' }],
		cc: [],
		subject,
		messageId: `<${Math.random()}@x>`,
		direction: 'incoming',
		headers: {},
		...extra,
	},
});

const run = async (
	parameters: Record<string, unknown>,
	input: Array<{ json: Record<string, unknown> }>,
	extra = {},
) =>
	await runWorkflow(
		wf({ options: { ownAddresses: 'sales@mycompany.com' }, ...parameters }, extra),
		{ credentials: creds, input: input as INodeExecutionData[] },
	);

beforeEach(async () => {
	fake = new FakeN8nDataTables('key-1');
	await fake.start();
	creds = { crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'key-1' } };
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('without tables the error says to run Set Up Tables; Set Up Tables creates the five tables once', async () => {
	const before = await run({ operation: 'match' }, [incoming('a@acme.com')]);
	expect(before.data.resultData.error?.message).toMatch(/crm_contacts.*do not exist/);
	expect(before.data.resultData.error?.description).toMatch(/Set Up Tables/);
	const setup = await run({ operation: 'setupTables' }, [{ json: {} }]);
	expect(outputOf(setup, 'CRM')[0].json.created).toEqual([
		'crm_contacts',
		'crm_companies',
		'crm_leads',
		'crm_deals',
		'crm_email_links',
	]);
	const again = await run({ operation: 'setupTables' }, [{ json: {} }]);
	expect(outputOf(again, 'CRM')[0].json.created).toEqual([]);
	expect(fake.tables.size).toBe(5);
});

async function setup() {
	await run({ operation: 'setupTables' }, [{ json: {} }]);
}

test('Match finds the contact (any case), its company, open deal, and flags ambiguous addresses', async () => {
	await setup();
	fake.rowsOf('crm_companies').push({ id: 1, name: 'Acme', domain: 'acme.com', email: null });
	fake
		.rowsOf('crm_contacts')
		.push(
			{ id: 1, name: 'Ann', email: 'ann@acme.com', email_canonical: 'ann@acme.com', company_id: 1 },
			{ id: 2, name: 'Bob', email: 'bob@gmail.com', email_canonical: 'bob@gmail.com' },
		);
	fake
		.rowsOf('crm_leads')
		.push({ id: 1, name: 'Old lead', email: 'bob@gmail.com', email_canonical: 'bob@gmail.com' });
	fake
		.rowsOf('crm_deals')
		.push(
			{ id: 1, name: 'Big deal', stage: 'Proposal', status: 'open', contact_id: 1, company_id: 1 },
			{ id: 2, name: 'Lost', stage: 'Closed Lost', status: 'lost', company_id: 1 },
		);
	const res = await run({ operation: 'match' }, [
		{
			json: {
				from: 'Ann <ANN@Acme.com>',
				to: 'sales@mycompany.com, new@acme.com',
				cc: 'b.o.b+x@gmail.com; bob@gmail.com',
				subject: 'Hi',
				messageId: '<1@x>',
				direction: 'incoming',
			},
		},
	]);
	const crm = outputOf(res, 'CRM')[0].json.crm as any;
	const by = Object.fromEntries(crm.participants.map((p: any) => [p.address, p]));
	expect(Object.keys(by).sort()).toEqual([
		'ann@acme.com',
		'b.o.b+x@gmail.com',
		'bob@gmail.com',
		'new@acme.com',
	]);
	expect(by['ann@acme.com'].primary).toMatchObject({
		type: 'contact',
		id: '1',
		company: { id: '1', name: 'Acme' },
		openDeals: [{ id: '1', name: 'Big deal' }],
	});
	expect(by['new@acme.com'].primary).toMatchObject({
		type: 'company',
		id: '1',
		matchType: 'domain',
	});
	expect(by['bob@gmail.com'].ambiguous).toBe(true);
	expect(by['bob@gmail.com'].primary).toMatchObject({ type: 'contact', id: '2' });
	expect(by['b.o.b+x@gmail.com'].matches).toEqual([]); // free mail: no domain match, tags never match
	expect(by['b.o.b+x@gmail.com'].possibleDuplicates.map((d: any) => d.email)).toContain(
		'bob@gmail.com',
	);
	expect(crm.linkTargets).toEqual(
		expect.arrayContaining([expect.objectContaining({ type: 'deal', id: '1' })]),
	);
});

test('Match & Create: unknown sender -> one lead named after the subject; 10 racing executions create ONE lead', async () => {
	await setup();
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate' }, [
				incoming('New.Person@prospect.io', 'Quote for 50 chairs'),
			]),
		),
	);
	const leads = fake.rowsOf('crm_leads');
	expect(leads).toHaveLength(1);
	expect(leads[0]).toMatchObject({
		email: 'new.person@prospect.io',
		name: 'Quote for 50 chairs (Jane Doe)',
		source: 'Email',
		contact_name: 'Jane Doe',
	});
	const ids = runs.map((r) => (outputOf(r, 'CRM')[0].json.crm as any).created[0].id);
	expect(new Set(ids)).toEqual(new Set([String(leads[0].id)]));
	expect(
		runs.filter((r) => (outputOf(r, 'CRM')[0].json.crm as any).created[0].created),
	).toHaveLength(1);
	// Known now: a second mail creates no lead but a deal for... nothing (a lead is not a contact).
	await run({ operation: 'matchAndCreate' }, [incoming('new.person@prospect.io', 'Again')]);
	expect(fake.rowsOf('crm_leads')).toHaveLength(1);
});

test('outgoing to unknown -> contact; incoming from known contact -> one deal; automated mail creates nothing', async () => {
	await setup();
	await run({ operation: 'matchAndCreate' }, [
		{
			json: {
				from: 'sales@mycompany.com',
				to: 'Carl Client <carl@client.org>',
				subject: 'Offer',
				messageId: '<o1@x>',
				direction: 'outgoing',
			},
		},
	]);
	expect(fake.rowsOf('crm_contacts')).toEqual([
		expect.objectContaining({ email: 'carl@client.org', first_name: 'Carl', last_name: 'Client' }),
	]);
	await run({ operation: 'matchAndCreate', dealStage: 'Qualification', dealAmount: 10 }, [
		incoming('carl@client.org', 'Order'),
		incoming('carl@client.org', 'Order 2'),
	]);
	expect(fake.rowsOf('crm_deals')).toEqual([
		expect.objectContaining({
			name: 'Order',
			contact_id: 1,
			stage: 'Qualification',
			amount: 10,
			status: 'open',
		}),
	]);
	expect(fake.rowsOf('crm_leads')).toEqual([]);
	const auto = await run({ operation: 'matchAndCreate' }, [
		incoming('noreply@shop.com'),
		incoming('news@brand.com', 'Sale', { headers: { 'List-Id': '<news.brand.com>' } }),
		incoming('ooo@other.com', 'Out of office', { headers: { 'Auto-Submitted': 'auto-replied' } }),
		incoming('bulk@other.com', 'Promo', { headers: 'Precedence: bulk\r\n' }),
	]);
	expect(fake.rowsOf('crm_leads')).toEqual([]);
	expect(outputOf(auto, 'CRM').map((i) => (i.json.crm as any).skipped)).toEqual([
		expect.stringMatching(/no-reply/),
		expect.stringMatching(/List-Id/),
		expect.stringMatching(/Auto-Submitted/),
		expect.stringMatching(/Precedence/),
	]);
});

test('rules can be switched off and retargeted', async () => {
	await setup();
	await run({ operation: 'matchAndCreate', incomingUnknownEnabled: false }, [incoming('x@y.com')]);
	expect(fake.rowsOf('crm_leads')).toEqual([]);
	await run(
		{
			operation: 'matchAndCreate',
			incomingUnknownEntity: 'contact',
			incomingUnknownOwner: 'boss@mycompany.com',
			incomingUnknownSource: 'Web Site',
		},
		[incoming('x@y.com')],
	);
	expect(fake.rowsOf('crm_contacts')).toEqual([
		expect.objectContaining({ email: 'x@y.com', owner: 'boss@mycompany.com', source: 'Web Site' }),
	]);
});

test('version 2: source, responsible and deal stage come from searchable lists or are typed in; a rule that is off is not read', async () => {
	await setup();
	const node = new CrmMatch();
	expect((await listSearch(node, 'searchStages', 'QUAL', { credentials: creds })).results).toEqual([
		{ name: 'Qualification', value: 'Qualification' },
	]);
	expect(
		(await listSearch(node, 'searchOwners', 'sender', { credentials: creds })).results,
	).toContainEqual({
		name: 'The Sender',
		value: '__sender',
	});
	const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
	const v2 = { typeVersion: 2 };
	const created = await run(
		{
			operation: 'matchAndCreate',
			incomingUnknownEntity: 'contact',
			incomingUnknownOwner: rl('id', 'boss@mycompany.com'),
			incomingUnknownSource: rl('list', 'Web Site'),
			outgoingUnknownEnabled: false,
			outgoingUnknownOwner: rl('id', 'never-read'),
		},
		[incoming('v2@client.org')],
		v2,
	);
	expect(created.status).toBe('success');
	expect(fake.rowsOf('crm_contacts')).toEqual([
		expect.objectContaining({
			email: 'v2@client.org',
			owner: 'boss@mycompany.com',
			source: 'Web Site',
		}),
	]);
	await run(
		{ operation: 'matchAndCreate', dealStage: rl('name', 'Negotiation'), dealAmount: 5 },
		[incoming('v2@client.org', 'Order')],
		v2,
	);
	expect(fake.rowsOf('crm_deals')).toEqual([
		expect.objectContaining({ name: 'Order', stage: 'Negotiation', amount: 5 }),
	]);
});

test('Link Email is idempotent by Message-ID', async () => {
	await setup();
	const mail = incoming('first@buyer.com', 'Hello');
	const created = await run({ operation: 'matchAndCreate' }, [mail]);
	const item = outputOf(created, 'CRM')[0];
	const first = await run({ operation: 'linkEmail' }, [item]);
	expect((outputOf(first, 'CRM')[0].json.crm as any).links).toEqual([
		expect.objectContaining({ type: 'lead', created: true }),
	]);
	await Promise.all([
		run({ operation: 'linkEmail' }, [item]),
		run({ operation: 'linkEmail' }, [item]),
	]);
	expect(fake.rowsOf('crm_email_links')).toEqual([
		expect.objectContaining({
			message_id: mail.json.messageId,
			entity_type: 'lead',
			subject: 'Hello',
		}),
	]);
});

test('bad API key and unreachable n8n give clear errors; Continue On Fail keeps other items', async () => {
	await setup();
	const bad = await runWorkflow(wf({ operation: 'match' }), {
		credentials: { crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'wrong' } },
		input: [incoming('a@b.com')],
	});
	expect(bad.data.resultData.error?.message).toMatch(/refused the API key/);
	const down = await runWorkflow(wf({ operation: 'match' }), {
		credentials: { crmMailN8nApi: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' } },
		input: [incoming('a@b.com')],
	});
	expect(down.data.resultData.error?.message).toMatch(/Cannot reach the n8n API/);
	const mixed = await run(
		{ operation: 'matchAndCreate' },
		[incoming('ok@b.com'), { json: { subject: 'no addresses' } }, incoming('ok2@b.com')],
		{ continueOnFail: true },
	);
	const out = outputOf(mixed, 'CRM');
	expect(out).toHaveLength(3);
	expect(out[1].json.error).toMatch(/no from \/ to/);
	expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(
		fake
			.rowsOf('crm_leads')
			.map((l) => l.email)
			.sort(),
	).toEqual(['ok2@b.com', 'ok@b.com']);
});

test('Create / Get / Find / Update, dropdowns and the credential test', async () => {
	await setup();
	const c = await run(
		{
			operation: 'create',
			entity: 'deal',
			fields: { name: 'Deal A', stage: 'Proposal', amount: 5 },
		},
		[{ json: {} }],
	);
	const id = (outputOf(c, 'CRM')[0].json as any).id;
	await run(
		{ operation: 'update', entity: 'deal', recordId: id, fields: { stage: 'Closed Won' } },
		[{ json: {} }],
	);
	const g = await run({ operation: 'get', entity: 'deal', recordId: id }, [{ json: {} }]);
	expect(outputOf(g, 'CRM')[0].json).toMatchObject({ stage: 'Closed Won', open: false });
	await run(
		{ operation: 'create', entity: 'contact', fields: { name: 'Zed', email: 'Zed@Z.com' } },
		[{ json: {} }],
	);
	const f = await run({ operation: 'find', entity: 'contact', findEmail: 'zed@z.com' }, [
		{ json: {} },
	]);
	expect(outputOf(f, 'CRM').map((o) => o.json.name)).toEqual(['Zed']);
	const node = new CrmMatch();
	expect(
		(await loadOptions(node, 'getStages', { credentials: creds })).map((o) => o.value),
	).toContain('Closed Won');
	expect(
		(await loadOptions(node, 'getOwners', { credentials: creds })).map((o) => o.value),
	).toEqual(expect.arrayContaining(['__sender', 'owner@example.com']));
	expect(
		(await loadOptions(node, 'getSources', { credentials: creds })).map((o) => o.value),
	).toContain('Email');
	expect(await testCredential(node, 'crmMailN8nApi', creds.crmMailN8nApi)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	// n8n-core 2.8 turns the 401 into its own NodeApiError before the credential's rules could read the status
	expect(
		await testCredential(node, 'crmMailN8nApi', { ...creds.crmMailN8nApi, apiKey: 'bad' }),
	).toEqual({
		status: 'Error',
		message: expect.stringMatching(/refused the API key|Authorization failed/),
	});
});

describe('tables that exist without some of the columns', () => {
	const withoutColumns = (server: FakeN8nDataTables) => {
		// an older "crm_contacts" with only some of the columns, and a row in it
		server.seed(
			'crm_contacts',
			[
				{ name: 'name', type: 'string' },
				{ name: 'email', type: 'string' },
			],
			[{ name: 'Ann', email: 'ann@acme.com' }],
		);
	};

	test('n8n 2.41 and newer: Set Up Tables adds the missing columns, and the table works', async () => {
		await fake.stop();
		fake = new FakeN8nDataTables('key-1', '2.41');
		await fake.start();
		creds = { crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'key-1' } };
		withoutColumns(fake);
		const setup = await run({ operation: 'setupTables' }, [{ json: {} }]);
		expect(outputOf(setup, 'CRM')[0].json).toMatchObject({
			existing: ['crm_contacts'],
			columnsAdded: [
				'first_name',
				'last_name',
				'email_canonical',
				'company_id',
				'owner',
				'source',
				'dedupe_key',
				'undeliverable',
				'undeliverable_reason',
				'undeliverable_at',
			].map((c) => `crm_contacts.${c}`),
		});
		const contacts = [...fake.tables.values()].find((t) => t.name === 'crm_contacts')!;
		expect(contacts.columns.find((c) => c.name === 'company_id')?.type).toBe('number');
		const after = await run({ operation: 'match' }, [incoming('ann@acme.com')]);
		expect(after.status).toBe('success');
		const participant = (outputOf(after, 'CRM')[0].json.crm as any).participants.find(
			(p: any) => p.address === 'ann@acme.com',
		);
		expect(participant.primary).toMatchObject({ type: 'contact', name: 'Ann' });
	});

	test('n8n 2.8: no column endpoints; Set Up Tables stops with the error naming the columns and what to do', async () => {
		withoutColumns(fake);
		const setup = await run({ operation: 'setupTables' }, [{ json: {} }]);
		expect(setup.data.resultData.error?.message).toMatch(/crm_contacts \(first_name/);
		expect(setup.data.resultData.error?.description).toMatch(
			/on n8n 2\.41 and newer it adds the missing columns.*Older n8n cannot add columns through its API/,
		);
		expect(
			[...fake.tables.values()].find((t) => t.name === 'crm_contacts')!.columns.map((c) => c.name),
		).toEqual(['name', 'email']);
	});
});

test('before "Set Up Tables" the Deal Stage dropdown still lists the usual stages (running the node says what to set up)', async () => {
	const node = new CrmMatch();
	const stages = (await loadOptions(node, 'getStages', { credentials: creds })).map((o) => o.value);
	expect(stages).toEqual(expect.arrayContaining(['Closed Won']));
	expect(fake.tables.size).toBe(0);
});

test('a deal closed in the Data Tables UI (status changed there, key untouched) no longer blocks a new deal for its contact', async () => {
	await setup();
	fake.rowsOf('crm_contacts').push({ id: 1, name: 'Carl', email: 'carl@client.org' });
	await run({ operation: 'matchAndCreate' }, [incoming('carl@client.org', 'Order 1')]);
	const [first] = fake.rowsOf('crm_deals');
	expect(first).toMatchObject({ name: 'Order 1', status: 'open', dedupe_key: 'deal:contact:1' });
	first.status = 'won'; // edited in the UI: the node's Update never ran
	await run({ operation: 'matchAndCreate' }, [incoming('carl@client.org', 'Order 2')]);
	await run({ operation: 'matchAndCreate' }, [incoming('carl@client.org', 'Order 3')]);
	expect(fake.rowsOf('crm_deals').map((d) => [d.name, d.status])).toEqual([
		['Order 1', 'won'],
		['Order 2', 'open'],
	]);
});

test('Link Email without a Message-ID: a key derived from the content, the same for the same mail, different for different mails, and the output says so', async () => {
	await setup();
	fake.rowsOf('crm_contacts').push({ id: 1, name: 'Carl', email: 'carl@client.org' });
	const mail = (subject: string, size: number) => ({
		json: {
			from: 'carl@client.org',
			to: 'sales@mycompany.com',
			subject,
			date: '2026-03-01T10:00:00Z',
			size,
		},
	});
	const res = await run({ operation: 'linkEmail' }, [mail('Hello', 1200), mail('Other', 900)]);
	expect(res.data.resultData.error).toBeUndefined();
	const out = outputOf(res, 'CRM').map((o) => o.json.crm as any);
	expect(out[0].messageIdDerived).toMatch(/^<derived-[0-9a-f]{32}@crm-mail\.invalid>$/);
	expect(out[0].messageIdDerived).not.toBe(out[1].messageIdDerived);
	expect(out[0].note).toMatch(/no Message-ID/);
	await run({ operation: 'linkEmail' }, [mail('Hello', 1200)]);
	expect(
		fake
			.rowsOf('crm_email_links')
			.map((r) => r.subject)
			.sort(),
	).toEqual(['Hello', 'Other']);
});

test('every failure of the n8n API is a NodeApiError with its own message (unreachable included)', async () => {
	await setup();
	const bad = await runWorkflow(wf({ operation: 'match' }), {
		credentials: { crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'wrong' } },
		input: [incoming('a@b.com')],
	});
	expect(bad.data.resultData.error?.name).toBe('NodeApiError');
	expect(bad.data.resultData.error?.message).toMatch(/401\): unauthorized/);
	const down = await runWorkflow(wf({ operation: 'match' }), {
		credentials: { crmMailN8nApi: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' } },
		input: [incoming('a@b.com')],
	});
	expect(down.data.resultData.error?.name).toBe('NodeApiError');
});
