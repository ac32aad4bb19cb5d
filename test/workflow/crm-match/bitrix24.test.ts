// CRM Match & Create on the Bitrix24 backend, through real workflows against the fake Bitrix24 REST API.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeBitrix24 } from '../../fakes/bitrix24/server';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';
import { setPortalLimits } from '../../../nodes/CrmMatch/transport/bitrix24/client';

type Creds = { webhookUrl: string };
let fake: FakeBitrix24;
let creds: Creds;

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
			parameters: { backend: 'bitrix24', ...parameters } as INodeParameters,
			credentials: { crmMailBitrix24Api: { id: 'x', name: 'x' } },
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
			credentials: { crmMailBitrix24Api: opts.creds ?? creds },
			input: input as INodeExecutionData[],
		},
	);

const crmOf = (r: Awaited<ReturnType<typeof run>>, i = 0) => outputOf(r, 'CRM')[i].json.crm as any;
const email = (address: string) => [{ VALUE: address, VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }];
const calls = () =>
	fake.requests.map((r) => r.path.replace(/^\/rest\/\d+\/[^/]+\//, '').replace(/\.json$/, ''));

beforeEach(async () => {
	fake = new FakeBitrix24();
	fake.limits = { burst: 10_000, perSecond: 10_000 };
	await fake.start();
	creds = { webhookUrl: fake.addWebhook({ code: 'secret1' }) };
	fake.addWebhook({ code: 'crmonly', userId: 2, scopes: ['crm'] });
	fake.addWebhook({ code: 'nocrm', userId: 3, scopes: ['user'] });
	fake.users.push({
		ID: '7',
		NAME: 'Anna',
		LAST_NAME: 'Sales',
		EMAIL: 'anna@mycompany.com',
		ACTIVE: true,
	});
	fake.users.push({ ID: '8', NAME: 'Gone', EMAIL: 'gone@mycompany.com', ACTIVE: false });
	setPortalLimits(new URL(fake.baseUrl).host, { burst: 10_000, perSecond: 10_000 });
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Match: contact by address (any case), its company and open deal, company by web site, ambiguity, converted leads left out, in three batch requests', async () => {
	const acme = fake.put('company', {
		TITLE: 'Acme',
		WEB: [{ VALUE: 'https://www.acme.com', VALUE_TYPE: 'WORK' }],
	});
	const ann = fake.put('contact', {
		NAME: 'Ann',
		LAST_NAME: 'Lee',
		EMAIL: email('Ann.Lee@acme.com'),
		COMPANY_ID: acme.ID,
		ASSIGNED_BY_ID: '7',
	});
	fake.put('deal', {
		TITLE: 'Big deal',
		STAGE_ID: 'PREPARATION',
		CONTACT_ID: ann.ID,
		COMPANY_ID: acme.ID,
	});
	fake.put('deal', { TITLE: 'Old deal', STAGE_ID: 'LOSE', CONTACT_ID: ann.ID });
	const bob = fake.put('contact', { NAME: 'Bob', EMAIL: email('bob@gmail.com') });
	fake.put('lead', { TITLE: 'Bob lead', EMAIL: email('BOB@gmail.com'), STATUS_ID: 'NEW' });
	fake.put('lead', { TITLE: 'Converted', EMAIL: email('conv@other.org'), STATUS_ID: 'CONVERTED' });
	fake.reset();
	const res = await run({ operation: 'match' }, [
		{
			json: {
				from: 'Ann <ANN.LEE@Acme.com>',
				to: 'sales@mycompany.com, new@acme.com',
				cc: 'bob@gmail.com, conv@other.org',
				subject: 'Hi',
				messageId: '<1@x>',
			},
		},
		{
			json: {
				from: 'ann.lee@acme.com',
				to: 'sales@mycompany.com',
				subject: 'Again',
				messageId: '<2@x>',
			},
		},
	]);
	const crm = crmOf(res);
	const by = Object.fromEntries(crm.participants.map((p: any) => [p.address, p]));
	expect(by['ann.lee@acme.com'].primary).toMatchObject({
		type: 'contact',
		id: ann.ID,
		name: 'Ann Lee',
		ownerId: '7',
		company: { id: acme.ID, name: 'Acme' },
		openDeals: [{ name: 'Big deal', stage: 'PREPARATION' }],
	});
	expect(by['new@acme.com'].primary).toMatchObject({
		type: 'company',
		id: acme.ID,
		matchType: 'domain',
	});
	expect(by['bob@gmail.com'].ambiguous).toBe(true);
	expect(by['bob@gmail.com'].primary).toMatchObject({ type: 'contact', id: bob.ID });
	expect(by['conv@other.org'].matches).toEqual([]);
	expect(crmOf(res, 1).primary).toMatchObject({ id: ann.ID });
	// findbycomm, then the records + web sites, then companies + open deals: one batch each
	expect(calls()).toEqual(['batch', 'batch', 'batch']);
});

test('Match & Create: 10 racing executions for one unknown sender create ONE lead; the losers delete their own', async () => {
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate', incomingUnknownOwner: '7' }, [
				incoming('New.Person@prospect.io', 'Quote for 50 chairs'),
			]),
		),
	);
	const leads = fake.list('lead');
	expect(leads).toHaveLength(1);
	expect(leads[0]).toMatchObject({
		TITLE: expect.stringContaining('Quote for 50 chairs'),
		NAME: 'Jane',
		LAST_NAME: 'Doe',
		SOURCE_ID: 'EMAIL',
		STATUS_ID: 'NEW',
		ASSIGNED_BY_ID: '7',
		EMAIL: [expect.objectContaining({ VALUE: 'new.person@prospect.io', VALUE_TYPE: 'WORK' })],
	});
	const created = runs.map((r) => crmOf(r).created[0]);
	expect(new Set(created.map((c) => c.id))).toEqual(new Set([leads[0].ID]));
	expect(created.filter((c) => c.created)).toHaveLength(1);
	const adds = fake.requests.filter((r) => r.path.endsWith('/crm.lead.add.json')).length;
	const deletes = fake.requests.filter((r) => r.path.endsWith('/crm.lead.delete.json')).length;
	expect(deletes).toBe(adds - 1);
});

test('outgoing to unknown -> contact; incoming from known -> one deal in the chosen pipeline and stage; automated mail creates nothing', async () => {
	fake.addPipeline(3, 'Wholesale', [
		['NEW', 'New'],
		['OFFER', 'Offer sent'],
	]);
	await run({ operation: 'matchAndCreate', outgoingUnknownOwner: '__sender' }, [
		{
			json: {
				from: 'Anna <anna@mycompany.com>',
				to: 'Carl Client <carl@client.org>',
				subject: 'Offer',
				messageId: '<o1@x>',
				direction: 'outgoing',
			},
		},
	]);
	const [carl] = fake.list('contact');
	expect(carl).toMatchObject({
		NAME: 'Carl',
		LAST_NAME: 'Client',
		ASSIGNED_BY_ID: '7',
		EMAIL: [expect.objectContaining({ VALUE: 'carl@client.org' })],
	});
	await run(
		{
			operation: 'matchAndCreate',
			dealStage: 'C3:OFFER',
			dealAmount: 10,
			incomingKnownOwner: '__matchedOwner',
		},
		[incoming('carl@client.org', 'Order'), incoming('carl@client.org', 'Order 2')],
	);
	const deals = fake.list('deal');
	expect(deals).toHaveLength(1);
	expect(deals[0]).toMatchObject({
		TITLE: 'Order',
		CONTACT_ID: carl.ID,
		CATEGORY_ID: '3',
		STAGE_ID: 'C3:OFFER',
		OPPORTUNITY: '10',
		ASSIGNED_BY_ID: '7',
		CLOSED: 'N',
	});
	// a closed deal does not count: the next mail opens a new one
	deals[0].STAGE_ID = 'C3:WON';
	deals[0].CLOSED = 'Y';
	await run({ operation: 'matchAndCreate' }, [incoming('carl@client.org', 'Order 3')]);
	expect(fake.list('deal').map((d) => d.TITLE)).toEqual(['Order', 'Order 3']);
	const auto = await run({ operation: 'matchAndCreate' }, [
		incoming('noreply@shop.com'),
		incoming('news@brand.com', 'Sale', { headers: { 'List-Id': '<news.brand.com>' } }),
	]);
	expect(fake.list('lead')).toEqual([]);
	expect(outputOf(auto, 'CRM').map((i) => (i.json.crm as any).skipped)).toEqual([
		expect.stringMatching(/no-reply/),
		expect.stringMatching(/List-Id/),
	]);
});

test('Link Email: an e-mail activity on the timeline, bound to every target, idempotent by Message-ID (twice, and racing); an outgoing mail is never sent', async () => {
	const mail = incoming('first@buyer.com', 'Hello', {
		date: '2026-03-01T10:00:00Z',
		text: 'Body text',
	});
	const item = outputOf(await run({ operation: 'matchAndCreate' }, [mail]), 'CRM')[0];
	const [lead] = fake.list('lead');
	const first = await run({ operation: 'linkEmail' }, [item]);
	expect(crmOf(first).links).toEqual([
		expect.objectContaining({ type: 'lead', id: lead.ID, created: true }),
	]);
	await run({ operation: 'linkEmail' }, [item]);
	await Promise.all(Array.from({ length: 4 }, () => run({ operation: 'linkEmail' }, [item])));
	const acts = fake.list('activity');
	expect(acts).toHaveLength(1);
	expect(acts[0]).toMatchObject({
		OWNER_TYPE_ID: '1',
		OWNER_ID: lead.ID,
		TYPE_ID: '4',
		DIRECTION: '1',
		SUBJECT: 'Hello',
		DESCRIPTION: 'Body text',
		ORIGINATOR_ID: 'n8n-crm-mail',
		ORIGIN_ID: mail.json.messageId,
		START_TIME: '2026-03-01T10:00:00.000Z',
	});
	// outgoing, to a contact and its deal: added open, then completed; bound to both
	const c = fake.put('contact', { NAME: 'Carl', EMAIL: email('carl@client.org') });
	const d = fake.put('deal', { TITLE: 'D', CONTACT_ID: c.ID });
	const out = {
		json: {
			from: 'sales@mycompany.com',
			to: 'carl@client.org',
			subject: 'Offer',
			messageId: '<out@x>',
			direction: 'outgoing',
			crm: {
				linkTargets: [
					{ type: 'contact', id: c.ID },
					{ type: 'deal', id: d.ID },
				],
			},
		},
	};
	await run({ operation: 'linkEmail' }, [out]);
	await run({ operation: 'linkEmail' }, [out]);
	const sent = fake.list('activity').filter((a) => a.ORIGIN_ID === '<out@x>');
	expect(sent).toHaveLength(1);
	expect(sent[0]).toMatchObject({ DIRECTION: '2', COMPLETED: 'Y' });
	expect(fake.sentMail).toEqual([]);
	expect(
		fake.bindings
			.filter((b) => b.activityId === Number(sent[0].ID))
			.map((b) => [b.entityTypeId, String(b.entityId)]),
	).toEqual([
		[3, c.ID],
		[2, d.ID],
	]);
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
	expect(c).toMatchObject({ name: 'Zed Z', email: 'zed@zeta.io', companyId: co.id });
	const d = outputOf(
		await run(
			{
				operation: 'create',
				entity: 'deal',
				fields: { name: 'Deal A', stage: 'PREPARATION', amount: 5, contactId: c.id },
			},
			[{ json: {} }],
		),
		'CRM',
	)[0].json as any;
	await run({ operation: 'update', entity: 'deal', recordId: d.id, fields: { stage: 'WON' } }, [
		{ json: {} },
	]);
	const g = await run({ operation: 'get', entity: 'deal', recordId: d.id }, [{ json: {} }]);
	expect(outputOf(g, 'CRM')[0].json).toMatchObject({ stage: 'WON', open: false, contactId: c.id });
	const f = await run({ operation: 'find', entity: 'contact', findEmail: 'ZED@zeta.io' }, [
		{ json: {} },
	]);
	expect(outputOf(f, 'CRM').map((o) => o.json.name)).toEqual(['Zed Z']);
	const byDomain = await run({ operation: 'find', entity: 'company', findDomain: 'zeta.io' }, [
		{ json: {} },
	]);
	expect(outputOf(byDomain, 'CRM').map((o) => o.json.id)).toEqual([co.id]);
	const byName = await run({ operation: 'find', entity: 'company', findName: 'eta' }, [
		{ json: {} },
	]);
	expect(outputOf(byName, 'CRM').map((o) => o.json.id)).toEqual([co.id]);
	const missing = await run({ operation: 'get', entity: 'contact', recordId: '999' }, [
		{ json: {} },
	]);
	expect(missing.data.resultData.error?.message).toMatch(/No contact with ID 999/);
	const bad = await run(
		{ operation: 'update', entity: 'deal', recordId: '999', fields: { stage: 'NEW' } },
		[{ json: {} }],
	);
	expect(bad.data.resultData.error?.name).toBe('NodeApiError');
	expect(bad.data.resultData.error?.message).toMatch(/Not found/);
});

test("errors say what to do and are NodeApiErrors with Bitrix24's own words: unknown webhook, missing CRM scope, unreachable portal", async () => {
	const unknown = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { webhookUrl: `${fake.baseUrl}/rest/1/wrong/` },
	});
	expect(unknown.data.resultData.error?.name).toBe('NodeApiError');
	expect(unknown.data.resultData.error?.message).toMatch(
		/does not know this webhook.*401.*NO_AUTH_FOUND/,
	);
	expect((unknown.data.resultData.error as any).description).toMatch(/Inbound webhook/);
	const scope = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { webhookUrl: `${fake.baseUrl}/rest/3/nocrm/` },
	});
	expect(scope.data.resultData.error?.message).toMatch(/lacks a permission.*insufficient_scope/);
	expect((scope.data.resultData.error as any).description).toMatch(/CRM \(crm\)/);
	const down = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { webhookUrl: 'http://127.0.0.1:9/rest/1/x/' },
	});
	expect(down.data.resultData.error?.name).toBe('NodeApiError');
	expect(down.data.resultData.error?.message).toMatch(/Cannot reach Bitrix24/);
	const mixed = await run(
		{ operation: 'matchAndCreate' },
		[incoming('ok@b.com'), { json: { subject: 'no addresses' } }, incoming('ok2@b.com')],
		{ extra: { continueOnFail: true } },
	);
	expect(outputOf(mixed, 'CRM').map((o) => o.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
		{ item: 2 },
	]);
	expect(fake.list('lead')).toHaveLength(2);
});

test('the portal over its request limit: QUERY_LIMIT_EXCEEDED (503) is answered with a pause and a repeat; our pacer keeps under a known bucket', async () => {
	fake.put('contact', { NAME: 'Known', EMAIL: email('known@b.com') });
	fake.failNext(2, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
	const res = await run({ operation: 'match' }, [incoming('known@b.com')]);
	expect(res.data.resultData.error).toBeUndefined();
	expect(crmOf(res).primary).toMatchObject({ name: 'Known' });
	// a bucket of 4 draining 10 a second: the pacer set to it sends 13 requests without a single 503
	fake.reset();
	fake.limits = { burst: 4, perSecond: 10 };
	setPortalLimits(new URL(fake.baseUrl).host, { burst: 4, perSecond: 10 });
	await Promise.all([1, 2, 3, 4].map(() => run({ operation: 'match' }, [incoming('known@b.com')])));
	expect(fake.requests.length).toBeGreaterThanOrEqual(12);
	expect(fake.errors).toEqual([]);
	const limited = await run({ operation: 'match' }, [incoming('known@b.com')]);
	expect(limited.data.resultData.error).toBeUndefined();
});

test('dropdowns come from the portal: active users, sources, the stages of every pipeline; the credential test calls profile', async () => {
	fake.addPipeline(3, 'Wholesale', [['NEW', 'New']]);
	const node = new CrmMatch();
	const parameters = { backend: 'bitrix24' };
	const credentials = { crmMailBitrix24Api: creds };
	const owners = await loadOptions(node, 'getOwners', { credentials, parameters });
	expect(owners.map((o) => o.value)).toEqual(['', '__sender', '__matchedOwner', '1', '7']);
	expect(
		(await loadOptions(node, 'getSources', { credentials, parameters })).map((o) => o.value),
	).toEqual(['CALL', 'EMAIL', 'WEB', 'OTHER']);
	expect(await loadOptions(node, 'getStages', { credentials, parameters })).toEqual([
		{ name: 'General / New', value: 'NEW' },
		{ name: 'General / Preparing documents', value: 'PREPARATION' },
		{ name: 'General / Deal won', value: 'WON' },
		{ name: 'General / Deal lost', value: 'LOSE' },
		{ name: 'Wholesale / New', value: 'C3:NEW' },
	]);
	await expect(
		loadOptions(node, 'getStages', {
			credentials: { crmMailBitrix24Api: { webhookUrl: `${fake.baseUrl}/rest/1/bad/` } },
			parameters,
		}),
	).rejects.toThrow(/NO_AUTH_FOUND/);
	expect(await testCredential(node, 'crmMailBitrix24Api', creds)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	expect(
		await testCredential(node, 'crmMailBitrix24Api', { webhookUrl: `${fake.baseUrl}/rest/1/bad/` }),
	).toEqual({
		status: 'Error',
		message: expect.stringMatching(/does not know this webhook|Authorization failed/),
	});
	expect(fake.requests.some((r) => r.path.endsWith('/profile.json'))).toBe(true);
});
