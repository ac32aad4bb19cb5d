// CRM Match & Create on the EspoCRM backend, through real workflows against the fake EspoCRM REST API.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeEspoCrm } from '../../fakes/espocrm/server';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';

type Creds = { baseUrl: string; authType: 'apiKey' | 'hmac'; apiKey: string; secretKey?: string };
let fake: FakeEspoCrm;
let apiKey: Creds;
let hmac: Creds;

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
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'c',
			name: 'CRM',
			type: 'n8n-nodes-crm-mail.crmMatch',
			typeVersion: 1,
			position: [200, 0],
			parameters: { backend: 'espoCrm', ...parameters } as INodeParameters,
			credentials: { crmMailEspoCrmApi: { id: 'x', name: 'x' } },
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
	opts: { extra?: Record<string, unknown>; creds?: Creds } = {},
) =>
	await runWorkflow(
		wf({ options: { ownAddresses: 'sales@mycompany.com' }, ...parameters }, opts.extra),
		{
			credentials: { crmMailEspoCrmApi: opts.creds ?? apiKey },
			input: input as INodeExecutionData[],
		},
	);

const crmOf = (r: Awaited<ReturnType<typeof run>>, i = 0) => outputOf(r, 'CRM')[i].json.crm as any;

beforeEach(async () => {
	fake = new FakeEspoCrm();
	fake.addApiUser({ apiKey: 'key-1', userId: 'api1', name: 'API' });
	fake.addApiUser({ apiKey: 'hmac-1', secretKey: 'secret-1', userId: 'api2', name: 'API HMAC' });
	fake.addApiUser({
		apiKey: 'no-leads',
		userId: 'api3',
		scopes: ['Contact', 'Account', 'Opportunity', 'Email', 'User'],
	});
	fake.put('User', {
		id: 'u-anna',
		name: 'Anna Sales',
		userName: 'anna',
		emailAddress: 'anna@mycompany.com',
		type: 'regular',
		isActive: true,
	});
	fake.put('User', {
		id: 'u-gone',
		name: 'Gone',
		userName: 'gone',
		type: 'regular',
		isActive: false,
	});
	await fake.start();
	apiKey = { baseUrl: fake.baseUrl, authType: 'apiKey', apiKey: 'key-1' };
	hmac = { baseUrl: fake.baseUrl, authType: 'hmac', apiKey: 'hmac-1', secretKey: 'secret-1' };
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Match: contact by any of its addresses (any case), its account and open deal, domain match, ambiguity, in a few requests', async () => {
	const acme = fake.put('Account', { name: 'Acme', website: 'https://www.acme.com' });
	const ann = fake.put('Contact', {
		firstName: 'Ann',
		lastName: 'Lee',
		emailAddress: 'ann@acme.com',
		emailAddressData: [{ emailAddress: 'ann.lee@acme.com' }],
		accountId: acme.id,
		assignedUserId: 'u-anna',
	});
	fake.put('Opportunity', {
		name: 'Big deal',
		stage: 'Proposal',
		amount: 5,
		closeDate: '2030-01-01',
		contactId: ann.id,
		accountId: acme.id,
	});
	fake.put('Opportunity', {
		name: 'Old deal',
		stage: 'Closed Lost',
		amount: 5,
		closeDate: '2020-01-01',
		accountId: acme.id,
	});
	const bob = fake.put('Contact', { lastName: 'Bob', emailAddress: 'bob@gmail.com' });
	fake.put('Lead', { lastName: 'Bob lead', emailAddress: 'BOB@gmail.com' });
	fake.put('Lead', { lastName: 'Converted', emailAddress: 'conv@other.org', status: 'Converted' });
	fake.reset();
	const res = await run({ operation: 'match' }, [
		{
			json: {
				from: 'Ann <ANN.LEE@Acme.com>',
				to: 'sales@mycompany.com, new@acme.com',
				cc: 'b.o.b+x@gmail.com; bob@gmail.com, conv@other.org',
				subject: 'Hi',
				messageId: '<1@x>',
				direction: 'incoming',
			},
		},
		{
			json: {
				from: 'ann@acme.com',
				to: 'sales@mycompany.com',
				subject: 'Again',
				messageId: '<2@x>',
			},
		},
	]);
	const crm = crmOf(res);
	const by = Object.fromEntries(crm.participants.map((p: any) => [p.address, p]));
	expect(Object.keys(by).sort()).toEqual([
		'ann.lee@acme.com',
		'b.o.b+x@gmail.com',
		'bob@gmail.com',
		'conv@other.org',
		'new@acme.com',
	]);
	expect(by['ann.lee@acme.com'].primary).toMatchObject({
		type: 'contact',
		id: ann.id,
		name: 'Ann Lee',
		ownerId: 'u-anna',
		company: { id: acme.id, name: 'Acme' },
		openDeals: [{ name: 'Big deal', stage: 'Proposal' }],
	});
	expect(by['new@acme.com'].primary).toMatchObject({
		type: 'company',
		id: acme.id,
		matchType: 'domain',
	});
	expect(by['bob@gmail.com'].ambiguous).toBe(true);
	expect(by['bob@gmail.com'].primary).toMatchObject({ type: 'contact', id: bob.id });
	expect(by['b.o.b+x@gmail.com'].matches).toEqual([]);
	expect(by['conv@other.org'].matches).toEqual([]); // converted leads are not matched
	expect(crm.primary).toMatchObject({ id: ann.id });
	expect(crmOf(res, 1).primary).toMatchObject({ id: ann.id });
	// Both items were looked up together, not one request per address: contacts and leads (each once more
	// for the addresses that are nobody's primary), the detail read of Ann (matched by a secondary
	// address), accounts, open deals.
	expect(fake.requests.length).toBeLessThanOrEqual(7);
	expect(fake.requests.every((r) => r.headers['x-api-key'] === 'key-1')).toBe(true);
});

test('Match & Create: 10 racing executions for one unknown sender create ONE lead (409 Duplicate + re-read)', async () => {
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate', incomingUnknownOwner: 'u-anna' }, [
				incoming('New.Person@prospect.io', 'Quote for 50 chairs'),
			]),
		),
	);
	const leads = fake.list('Lead');
	expect(leads).toHaveLength(1);
	expect(leads[0]).toMatchObject({
		firstName: 'Jane',
		lastName: 'Doe',
		emailAddress: 'new.person@prospect.io',
		source: 'Email',
		status: 'New',
		assignedUserId: 'u-anna',
	});
	expect(String(leads[0].description)).toContain('Quote for 50 chairs');
	const created = runs.map((r) => crmOf(r).created[0]);
	expect(new Set(created.map((c) => c.id))).toEqual(new Set([leads[0].id]));
	expect(created.filter((c) => c.created)).toHaveLength(1);
	expect(fake.requests.some((r) => r.headers['x-skip-duplicate-check'])).toBe(false);
});

test('racing creates that all pass the (non-atomic) duplicate check still end as ONE lead: the oldest wins, the others delete their own', async () => {
	fake.duplicateCheck = false;
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate' }, [incoming('race@prospect.io')]),
		),
	);
	const leads = fake.list('Lead');
	expect(leads).toHaveLength(1);
	const created = runs.map((r) => crmOf(r).created[0]);
	expect(new Set(created.map((c) => c.id))).toEqual(new Set([leads[0].id]));
	expect(created.filter((c) => c.created)).toHaveLength(1);
	expect(
		fake.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/v1/Lead/')),
	).toHaveLength(
		fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/Lead').length - 1,
	);
});

test('a lead with the same NAME but another address is a different person: created deliberately past the duplicate check', async () => {
	fake.put('Lead', { firstName: 'Jane', lastName: 'Doe', emailAddress: 'jane@elsewhere.com' });
	await run({ operation: 'matchAndCreate' }, [incoming('jane.doe@newco.com')]);
	expect(
		fake
			.list('Lead')
			.map((l) => l.emailAddress)
			.sort(),
	).toEqual(['jane.doe@newco.com', 'jane@elsewhere.com']);
	const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/Lead');
	expect(posts.map((r) => r.headers['x-skip-duplicate-check'])).toEqual([undefined, 'true']);
});

test('HMAC auth: outgoing to unknown -> contact owned by the sender; incoming from known -> one opportunity; automated mail creates nothing', async () => {
	await run(
		{ operation: 'matchAndCreate', outgoingUnknownOwner: '__sender' },
		[
			{
				json: {
					from: 'Anna <anna@mycompany.com>',
					to: 'Carl Client <carl@client.org>',
					subject: 'Offer',
					messageId: '<o1@x>',
					direction: 'outgoing',
				},
			},
		],
		{ creds: hmac },
	);
	const [carl] = fake.list('Contact');
	expect(carl).toMatchObject({
		firstName: 'Carl',
		lastName: 'Client',
		emailAddress: 'carl@client.org',
		assignedUserId: 'u-anna',
	});
	expect(
		fake.requests.every(
			(r) => typeof r.headers['x-hmac-authorization'] === 'string' && !r.headers['x-api-key'],
		),
	).toBe(true);
	await run(
		{
			operation: 'matchAndCreate',
			dealStage: 'Qualification',
			dealAmount: 10,
			incomingKnownOwner: '__matchedOwner',
		},
		[incoming('carl@client.org', 'Order'), incoming('carl@client.org', 'Order 2')],
		{ creds: hmac },
	);
	const deals = fake.list('Opportunity');
	expect(deals).toHaveLength(1);
	expect(deals[0]).toMatchObject({
		name: 'Order',
		contactId: carl.id,
		stage: 'Qualification',
		amount: 10,
		assignedUserId: 'u-anna',
	});
	expect(deals[0].closeDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
	expect(fake.list('Lead')).toEqual([]);
	const auto = await run({ operation: 'matchAndCreate' }, [
		incoming('noreply@shop.com'),
		incoming('news@brand.com', 'Sale', { headers: { 'List-Id': '<news.brand.com>' } }),
		incoming('ooo@other.com', 'Out of office', { headers: { 'Auto-Submitted': 'auto-replied' } }),
	]);
	expect(fake.list('Lead')).toEqual([]);
	expect(outputOf(auto, 'CRM').map((i) => (i.json.crm as any).skipped)).toEqual([
		expect.stringMatching(/no-reply/),
		expect.stringMatching(/List-Id/),
		expect.stringMatching(/Auto-Submitted/),
	]);
});

test('Link Email: an archived Email with its parent, idempotent by Message-ID (twice, and racing); a mail EspoCRM imported itself gets its parent', async () => {
	const mail = incoming('first@buyer.com', 'Hello', {
		date: '2026-03-01T10:00:00Z',
		text: 'Body text',
	});
	const item = outputOf(await run({ operation: 'matchAndCreate' }, [mail]), 'CRM')[0];
	const [lead] = fake.list('Lead');
	const first = await run({ operation: 'linkEmail' }, [item]);
	expect(crmOf(first).links).toEqual([
		expect.objectContaining({ type: 'lead', id: lead.id, created: true }),
	]);
	await run({ operation: 'linkEmail' }, [item]);
	await Promise.all([
		run({ operation: 'linkEmail' }, [item]),
		run({ operation: 'linkEmail' }, [item]),
	]);
	const emails = fake.list('Email');
	expect(emails).toHaveLength(1);
	expect(emails[0]).toMatchObject({
		name: 'Hello',
		status: 'Archived',
		from: 'first@buyer.com',
		to: 'sales@mycompany.com',
		parentType: 'Lead',
		parentId: lead.id,
		dateSent: '2026-03-01 10:00:00',
	});
	expect(String(emails[0].body)).toContain('Body text');
	// Imported by EspoCRM (messageId set, no parent): linked, not copied.
	const imported = fake.put('Email', {
		name: 'Imported',
		messageId: '<imp@x>',
		from: 'first@buyer.com',
		to: 'sales@mycompany.com',
		status: 'Archived',
	});
	const again = await run({ operation: 'linkEmail' }, [
		{ json: { ...item.json, messageId: '<imp@x>', subject: 'Imported' } },
	]);
	expect(crmOf(again).links).toEqual([
		expect.objectContaining({ linkId: imported.id, created: false }),
	]);
	expect(fake.list('Email')).toHaveLength(2);
	expect(fake.byId('Email', imported.id)).toMatchObject({ parentType: 'Lead', parentId: lead.id });
});

test('Find / Get / Create / Update on every entity type', async () => {
	const co = outputOf(
		await run(
			{ operation: 'create', entity: 'company', fields: { name: 'Zeta', domain: 'zeta.io' } },
			[{ json: {} }],
		),
		'CRM',
	)[0].json as any;
	expect(co).toMatchObject({ type: 'company', name: 'Zeta', domain: 'zeta.io' });
	const c = outputOf(
		await run(
			{
				operation: 'create',
				entity: 'contact',
				fields: { firstName: 'Zed', lastName: 'Z', email: 'Zed@Zeta.io', companyId: co.id },
			},
			[{ json: {} }],
		),
		'CRM',
	)[0].json as any;
	expect(fake.byId('Contact', c.id)).toMatchObject({
		accountId: co.id,
		emailAddress: 'zed@zeta.io',
	});
	const d = outputOf(
		await run(
			{
				operation: 'create',
				entity: 'deal',
				fields: { name: 'Deal A', stage: 'Proposal', amount: 5, contactId: c.id },
			},
			[{ json: {} }],
		),
		'CRM',
	)[0].json as any;
	await run(
		{ operation: 'update', entity: 'deal', recordId: d.id, fields: { stage: 'Closed Won' } },
		[{ json: {} }],
	);
	expect(
		fake.requests.some((r) => r.method === 'PUT' && r.path === `/api/v1/Opportunity/${d.id}`),
	).toBe(true);
	const g = await run({ operation: 'get', entity: 'deal', recordId: d.id }, [{ json: {} }]);
	expect(outputOf(g, 'CRM')[0].json).toMatchObject({
		stage: 'Closed Won',
		open: false,
		contactId: c.id,
	});
	await run(
		{ operation: 'create', entity: 'lead', fields: { lastName: 'Lead L', email: 'l@l.com' } },
		[{ json: {} }],
	);
	const f = await run({ operation: 'find', entity: 'contact', findEmail: 'ZED@zeta.io' }, [
		{ json: {} },
	]);
	expect(outputOf(f, 'CRM').map((o) => o.json.name)).toEqual(['Zed Z']);
	const byDomain = await run({ operation: 'find', entity: 'company', findDomain: 'zeta.io' }, [
		{ json: {} },
	]);
	expect(outputOf(byDomain, 'CRM').map((o) => o.json.id)).toEqual([co.id]);
	const byName = await run({ operation: 'find', entity: 'lead', findName: 'ead' }, [{ json: {} }]);
	expect(outputOf(byName, 'CRM').map((o) => o.json.name)).toEqual(['Lead L']);
	const missing = await run({ operation: 'get', entity: 'contact', recordId: 'nope' }, [
		{ json: {} },
	]);
	expect(missing.data.resultData.error?.message).toMatch(/No contact with ID nope/);
	const dup = await run(
		{ operation: 'create', entity: 'contact', fields: { lastName: 'Other', email: 'zed@zeta.io' } },
		[{ json: {} }],
	);
	expect(dup.data.resultData.error?.message).toMatch(/already has a contact like this \(Zed Z\)/);
	const bad = await run(
		{ operation: 'update', entity: 'deal', recordId: 'nope', fields: { stage: 'Proposal' } },
		[{ json: {} }],
	);
	expect(bad.data.resultData.error?.message).toMatch(/404/);
});

test('bad credentials (401), a role without access (403) and an unreachable site give clear errors; Continue On Fail keeps other items', async () => {
	const bad = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...apiKey, apiKey: 'wrong' },
	});
	expect(bad.data.resultData.error?.message).toMatch(/EspoCRM refused the credentials \(401\)/);
	expect((bad.data.resultData.error as any)?.description).toMatch(/API Users/);
	const badHmac = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...hmac, secretKey: 'wrong' },
	});
	expect(badHmac.data.resultData.error?.message).toMatch(/401/);
	const denied = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...apiKey, apiKey: 'no-leads' },
	});
	expect(denied.data.resultData.error?.message).toMatch(
		/may not search Lead \(403\): No access to scope 'Lead'/,
	);
	const down = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...apiKey, baseUrl: 'http://127.0.0.1:9' },
	});
	expect(down.data.resultData.error?.message).toMatch(/Cannot reach EspoCRM/);
	expect((down.data.resultData.error as any)?.description).toMatch(/Base URL/);
	fake.put('Contact', { lastName: 'Known', emailAddress: 'known@b.com' });
	const mixed = await run(
		{ operation: 'matchAndCreate' },
		[incoming('ok@b.com'), { json: { subject: 'no addresses' } }, incoming('ok2@b.com')],
		{ extra: { continueOnFail: true } },
	);
	const out = outputOf(mixed, 'CRM');
	expect(out).toHaveLength(3);
	expect(out[1].json.error).toMatch(/no from \/ to/);
	expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(
		fake
			.list('Lead')
			.map((l) => l.emailAddress)
			.sort(),
	).toEqual(['ok2@b.com', 'ok@b.com']);
});

test('dropdowns come from EspoCRM: active users, Lead sources and Opportunity stages from the metadata', async () => {
	const node = new CrmMatch();
	const parameters = { backend: 'espoCrm' };
	const credentials = { crmMailEspoCrmApi: apiKey };
	fake.metadata.entityDefs.Opportunity.fields.stage.options.splice(2, 0, 'Demo');
	const owners = await loadOptions(node, 'getOwners', { credentials, parameters });
	expect(owners.map((o) => o.value)).toEqual(['', '__sender', '__matchedOwner', 'u-anna']);
	expect(owners[3].name).toBe('Anna Sales');
	expect(
		(await loadOptions(node, 'getSources', { credentials, parameters })).map((o) => o.value),
	).toEqual([
		'Call',
		'Email',
		'Existing Customer',
		'Partner',
		'Public Relations',
		'Web Site',
		'Campaign',
		'Other',
	]);
	expect(
		(await loadOptions(node, 'getStages', { credentials, parameters })).map((o) => o.value),
	).toContain('Demo');
	await expect(
		loadOptions(node, 'getStages', {
			credentials: { crmMailEspoCrmApi: { ...apiKey, apiKey: 'x' } },
			parameters,
		}),
	).rejects.toThrow(/401/);
});

test("the credential's test, run as n8n runs it (GET App/user), passes with API key and HMAC and fails with a wrong key or secret", async () => {
	const node = new CrmMatch();
	const ok = { status: 'OK', message: 'Connection successful' };
	expect(await testCredential(node, 'crmMailEspoCrmApi', apiKey)).toEqual(ok);
	expect(await testCredential(node, 'crmMailEspoCrmApi', hmac)).toEqual(ok);
	for (const bad of [
		{ ...hmac, secretKey: 'bad' },
		{ ...apiKey, apiKey: 'bad' },
	])
		expect(await testCredential(node, 'crmMailEspoCrmApi', bad)).toEqual({
			status: 'Error',
			message: expect.stringMatching(/refused the key|Authorization failed/),
		});
	expect(fake.requests.filter((r) => r.path === '/api/v1/App/user').length).toBeGreaterThanOrEqual(
		4,
	);
});

test('company by domain takes the domain literally: `_` and `%` in it are no LIKE wildcards', async () => {
	const other = fake.put('Account', { name: 'Myxco', emailAddress: 'info@myxco.com' });
	const mine = fake.put('Account', { name: 'My_co', emailAddress: 'info@my_co.com' });
	const found = await run({ operation: 'find', entity: 'company', findDomain: 'my_co.com' }, [
		{ json: {} },
	]);
	expect(outputOf(found, 'CRM').map((o) => o.json.id)).toEqual([mine.id]);
	expect(other.id).not.toBe(mine.id);
});

test('every failure of EspoCRM is a NodeApiError with its own words (unreachable included)', async () => {
	const bad = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...apiKey, apiKey: 'wrong' },
	});
	expect(bad.data.resultData.error?.name).toBe('NodeApiError');
	expect(bad.data.resultData.error?.message).toMatch(/\(401\): Unauthorized/);
	const down = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { ...apiKey, baseUrl: 'http://127.0.0.1:9' },
	});
	expect(down.data.resultData.error?.name).toBe('NodeApiError');
});

test('the race guard keeps the oldest by createdAt, not the lowest id: ids that do not grow with time still end as ONE lead', async () => {
	fake.duplicateCheck = false;
	fake.randomIds = true;
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate' }, [incoming('uuid@prospect.io')]),
		),
	);
	const leads = fake.list('Lead');
	expect(leads).toHaveLength(1);
	expect(new Set(runs.map((r) => crmOf(r).created[0].id))).toEqual(new Set([leads[0].id]));
});
