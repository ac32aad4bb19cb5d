// CRM Match & Create on the amoCRM / Kommo backend, through real workflows against the fake amoCRM API v4.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeAmoCrm, email } from '../../fakes/amocrm/server';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';
import { setAccountLimits } from '../../../nodes/CrmMatch/transport/amocrm/client';

type Creds = { region: string; baseUrl: string; accessToken: string };
let fake: FakeAmoCrm;
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
			parameters: { backend: 'amoCrm', ...parameters } as INodeParameters,
			credentials: { crmMailAmoCrmApi: { id: 'x', name: 'x' } },
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
	opts: { extra?: Record<string, unknown>; creds?: Partial<Creds> } = {},
) =>
	await runWorkflow(
		wf({ options: { ownAddresses: 'sales@mycompany.com' }, ...parameters }, opts.extra),
		{
			credentials: { crmMailAmoCrmApi: { ...creds, ...opts.creds } },
			input: input as INodeExecutionData[],
		},
	);

const crmOf = (r: Awaited<ReturnType<typeof run>>, i = 0) => outputOf(r, 'CRM')[i].json.crm as any;
const calls = () => fake.requests.map((r) => `${r.method} ${r.path.replace('/api/v4', '')}`);
const emailOf = (row: any) => row.custom_fields_values?.[0]?.values?.[0]?.value;

beforeEach(async () => {
	fake = new FakeAmoCrm();
	fake.perSecond = 10_000;
	await fake.start();
	creds = { region: 'custom', baseUrl: fake.baseUrl, accessToken: 'token1' };
	fake.users.push({
		id: 7,
		name: 'Anna Sales',
		email: 'anna@mycompany.com',
		rights: { is_active: true },
	});
	setAccountLimits(new URL(fake.baseUrl).host, { perSecond: 10_000 });
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Match: contact by address (any case, exact among what `query` finds), its company and open lead, company by web site, closed leads left out', async () => {
	const acme = fake.put('companies', {
		name: 'Acme',
		custom_fields_values: [{ field_code: 'WEB', values: [{ value: 'https://www.acme.com' }] }],
	});
	const ann = fake.put('contacts', {
		name: 'Ann Lee',
		custom_fields_values: email('Ann.Lee@acme.com'),
		company_id: acme.id,
		responsible_user_id: 7,
	});
	// `query` is a substring search: these come back for ann.lee@acme.com but are not her
	fake.put('contacts', { name: 'Jo', custom_fields_values: email('joann.lee@acme.com') });
	fake.put('contacts', { name: 'ann.lee@acme.com (old)', custom_fields_values: email('x@y.org') });
	fake.put('leads', { name: 'Big deal', status_id: 12, contacts: [ann.id], company_id: acme.id });
	fake.put('leads', { name: 'Old deal', status_id: 143, contacts: [ann.id] });
	fake.put('leads', { name: 'Won deal', status_id: 142, contacts: [ann.id] });
	fake.reset();
	const res = await run({ operation: 'match' }, [
		{
			json: {
				from: 'Ann <ANN.LEE@Acme.com>',
				to: 'sales@mycompany.com, new@acme.com',
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
		id: String(ann.id),
		name: 'Ann Lee',
		ownerId: '7',
		company: { id: String(acme.id), name: 'Acme' },
		openDeals: [{ name: 'Big deal', stage: '10:12' }],
	});
	expect(by['ann.lee@acme.com'].matches.filter((m: any) => m.matchType === 'exact')).toHaveLength(
		1,
	);
	expect(by['ann.lee@acme.com'].ambiguous).toBe(false);
	expect(by['new@acme.com'].primary).toMatchObject({
		type: 'company',
		id: String(acme.id),
		matchType: 'domain',
	});
	expect(crmOf(res, 1).primary).toMatchObject({ id: String(ann.id) });
	// one query per address and per work domain (concurrently), then the open leads by id: 4 requests
	expect(calls().sort()).toEqual([
		'GET /companies',
		'GET /contacts',
		'GET /contacts',
		'GET /leads',
	]);
	expect(fake.requests.find((r) => r.path.endsWith('/leads'))!.query).toMatchObject({
		with: 'contacts',
	});
});

test('Match & Create: 10 racing executions for one unknown sender end with ONE contact and ONE open lead; the losers are retired', async () => {
	fake.now = () => 1_700_000_000; // all in the same second: the id decides
	const runs = await Promise.all(
		Array.from({ length: 10 }, () =>
			run({ operation: 'matchAndCreate', incomingUnknownOwner: '7' }, [
				incoming('New.Person@prospect.io', 'Quote for 50 chairs'),
			]),
		),
	);
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	const withAddress = fake.list('contacts').filter((c) => emailOf(c) === 'new.person@prospect.io');
	expect(withAddress).toHaveLength(1);
	const [contact] = withAddress;
	expect(contact).toMatchObject({
		name: 'Jane Doe',
		first_name: 'Jane',
		last_name: 'Doe',
		responsible_user_id: 7,
		tags: ['Email'],
	});
	expect(contact.custom_fields_values[0].values).toEqual([
		{ value: 'new.person@prospect.io', enum_code: 'WORK' },
	]);
	const open = fake.list('leads').filter((l) => l.status_id !== 143);
	expect(open).toHaveLength(1);
	expect(open[0]).toMatchObject({
		name: expect.stringContaining('Quote for 50 chairs'),
		contacts: [contact.id],
		pipeline_id: 10,
		status_id: 11,
		responsible_user_id: 7,
	});
	const created = runs.map((r) => crmOf(r).created[0]);
	expect(new Set(created.map((c) => c.id))).toEqual(new Set([String(open[0].id)]));
	expect(created.filter((c) => c.created)).toHaveLength(1);
	// what lost is marked, never left matching or open
	for (const c of fake.list('contacts').filter((x) => x !== contact))
		expect(c).toMatchObject({
			name: expect.stringMatching(/^\[duplicate of #\d+\]/),
			tags: ['duplicate'],
			custom_fields_values: null,
		});
	for (const l of fake.list('leads').filter((x) => x !== open[0]))
		expect(l).toMatchObject({ status_id: 143, name: expect.stringMatching(/^\[duplicate of #/) });
	// the next mail from the sender finds them and creates nothing
	const again = await run({ operation: 'matchAndCreate' }, [
		incoming('new.person@prospect.io', 'Re: quote'),
	]);
	expect(crmOf(again).created).toEqual([]);
	expect(crmOf(again).primary).toMatchObject({
		id: String(contact.id),
		openDeals: [{ id: String(open[0].id) }],
	});
});

test('outgoing to unknown -> contact; incoming from known -> one lead in the chosen pipeline and stage; a closed lead does not count; automated mail creates nothing', async () => {
	fake.addPipeline(20, 'Wholesale', [
		[21, 'New'],
		[22, 'Offer sent'],
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
	const [carl] = fake.list('contacts');
	expect(carl).toMatchObject({ name: 'Carl Client', responsible_user_id: 7 });
	expect(emailOf(carl)).toBe('carl@client.org');
	await run(
		{
			operation: 'matchAndCreate',
			dealStage: '20:22',
			dealAmount: 10,
			incomingKnownOwner: '__matchedOwner',
		},
		[incoming('carl@client.org', 'Order'), incoming('carl@client.org', 'Order 2')],
	);
	const leads = fake.list('leads');
	expect(leads).toHaveLength(1);
	expect(leads[0]).toMatchObject({
		name: 'Order',
		contacts: [carl.id],
		pipeline_id: 20,
		status_id: 22,
		price: 10,
		responsible_user_id: 7,
	});
	leads[0].status_id = 142;
	await run({ operation: 'matchAndCreate' }, [incoming('carl@client.org', 'Order 3')]);
	expect(fake.list('leads').map((d) => d.name)).toEqual(['Order', 'Order 3']);
	const auto = await run({ operation: 'matchAndCreate' }, [
		incoming('noreply@shop.com'),
		incoming('news@brand.com', 'Sale', { headers: { 'List-Id': '<news.brand.com>' } }),
	]);
	expect(fake.list('contacts')).toHaveLength(1);
	expect(outputOf(auto, 'CRM').map((i) => (i.json.crm as any).skipped)).toEqual([
		expect.stringMatching(/no-reply/),
		expect.stringMatching(/List-Id/),
	]);
});

test('Link Email: a note with the Message-ID on every target, idempotent (twice, and racing)', async () => {
	const mail = incoming('first@buyer.com', 'Hello', {
		date: '2026-03-01T10:00:00Z',
		text: 'Body text',
	});
	const item = outputOf(await run({ operation: 'matchAndCreate' }, [mail]), 'CRM')[0];
	const [lead] = fake.list('leads');
	const [contact] = fake.list('contacts');
	// racing first (nothing recorded yet), then twice in a row
	const racing = await Promise.all(
		Array.from({ length: 4 }, () => run({ operation: 'linkEmail' }, [item])),
	);
	const links = racing.map((r) => crmOf(r).links[0]);
	expect(new Set(links.map((l: any) => `${l.type}:${l.id}:${l.linkId}`)).size).toBe(1);
	expect(links[0]).toMatchObject({ type: 'lead', id: String(lead.id) });
	expect(links.filter((l: any) => l.created)).toHaveLength(1);
	await run({ operation: 'linkEmail' }, [item]);
	const second = await run({ operation: 'linkEmail' }, [item]);
	expect(crmOf(second).links).toEqual([
		expect.objectContaining({ linkId: links[0].linkId, created: false }),
	]);
	const marked = fake.notes.filter((n) =>
		n.params.text.includes(`Message-ID: ${mail.json.messageId}`),
	);
	expect(marked).toHaveLength(1);
	expect(marked[0]).toMatchObject({ entity: 'leads', entity_id: lead.id, note_type: 'common' });
	expect(marked[0].params.text).toMatch(
		/^E-mail received: Hello\nFrom: first@buyer.com\n[\s\S]*Body text/,
	);
	// a later match links the contact and its lead: the lead's note stays one, the contact gets one
	const again = await run({ operation: 'linkEmail' }, [{ json: { ...mail.json, crm: undefined } }]);
	expect(crmOf(again).links.map((l: any) => [l.type, l.id, l.created])).toEqual(
		expect.arrayContaining([['contact', String(contact.id), true]]),
	);
	expect(
		fake.notes
			.filter((n) => n.params.text.includes(`Message-ID: ${mail.json.messageId}`))
			.map((n) => n.entity)
			.sort(),
	).toEqual(['contacts', 'leads']);
});

test('Find / Get / Create / Update on every entity type', async () => {
	const one = async (p: Record<string, unknown>) =>
		outputOf(await run(p, [{ json: {} }]), 'CRM')[0].json as any;
	const co = await one({
		operation: 'create',
		entity: 'company',
		fields: { name: 'Zeta', domain: 'zeta.io' },
	});
	expect(co).toMatchObject({ type: 'company', name: 'Zeta', domain: 'zeta.io' });
	const c = await one({
		operation: 'create',
		entity: 'contact',
		fields: { firstName: 'Zed', lastName: 'Z', email: 'Zed@Zeta.io', companyId: co.id },
	});
	expect(c).toMatchObject({ name: 'Zed Z', email: 'zed@zeta.io', companyId: co.id });
	const d = await one({
		operation: 'create',
		entity: 'deal',
		fields: { name: 'Deal A', stage: '10:12', amount: 5, contactId: c.id },
	});
	expect(d).toMatchObject({ stage: '10:12', open: true, contactId: c.id });
	await run({ operation: 'update', entity: 'deal', recordId: d.id, fields: { stage: '10:142' } }, [
		{ json: {} },
	]);
	expect(await one({ operation: 'get', entity: 'deal', recordId: d.id })).toMatchObject({
		stage: '10:142',
		open: false,
		contactId: c.id,
	});
	// `query` finds this one too (a substring): it is not zed@zeta.io
	fake.put('contacts', { name: 'Fan', custom_fields_values: email('fan.zed@zeta.io') });
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
	const dealsOf = await run({ operation: 'find', entity: 'deal', findEmail: 'zed@zeta.io' }, [
		{ json: {} },
	]);
	expect(outputOf(dealsOf, 'CRM').map((o) => o.json.id)).toEqual([d.id]);
	const missing = await run({ operation: 'get', entity: 'contact', recordId: '999' }, [
		{ json: {} },
	]);
	expect(missing.data.resultData.error?.message).toMatch(/No contact with ID 999/);
	const bad = await run(
		{ operation: 'update', entity: 'deal', recordId: '999', fields: { stage: '10:11' } },
		[{ json: {} }],
	);
	expect(bad.data.resultData.error?.name).toBe('NodeApiError');
	expect(bad.data.resultData.error?.message).toMatch(/no such record.*404/);
});

test("errors say what to do and are NodeApiErrors with amoCRM's own words: token, subscription, block, a named field, unreachable", async () => {
	const token = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { accessToken: 'old' },
	});
	expect(token.data.resultData.error?.name).toBe('NodeApiError');
	expect(token.data.resultData.error?.message).toMatch(
		/expired, revoked or wrong.*401.*Invalid user name or password/,
	);
	expect((token.data.resultData.error as any).description).toMatch(/long-lived token/);
	fake.unpaid = true;
	const unpaid = await run({ operation: 'match' }, [incoming('a@b.com')]);
	expect(unpaid.data.resultData.error?.message).toMatch(/no active subscription.*402/);
	fake.unpaid = false;
	fake.blocked = true;
	const blocked = await run({ operation: 'match' }, [incoming('a@b.com')]);
	expect(blocked.data.resultData.error?.message).toMatch(/blocked the account.*403.*403 Forbidden/);
	expect((blocked.data.resultData.error as any).description).toMatch(/support/);
	fake.blocked = false;
	const field = await run(
		{ operation: 'create', entity: 'deal', fields: { name: 'X', stage: '10:999' } },
		[{ json: {} }],
	);
	expect(field.data.resultData.error?.name).toBe('NodeApiError');
	expect(field.data.resultData.error?.message).toMatch(
		/rejected a field.*status_id: Status not found/,
	);
	const down = await run({ operation: 'match' }, [incoming('a@b.com')], {
		creds: { baseUrl: 'http://127.0.0.1:9' },
	});
	expect(down.data.resultData.error?.name).toBe('NodeApiError');
	expect(down.data.resultData.error?.message).toMatch(/Cannot reach amoCRM/);
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
	expect(fake.list('leads')).toHaveLength(2);
});

test('the 7 requests a second limit: a 429 is answered with a pause and a repeat; the pacer keeps parallel runs under it', async () => {
	fake.put('contacts', { name: 'Known', custom_fields_values: email('known@b.com') });
	fake.failNext(2, 429, {
		title: 'Too Many Requests',
		type: 'https://httpstatus.es/429',
		status: 429,
		detail: 'You have sent too many requests',
		retry_after: 300,
	});
	const res = await run({ operation: 'match' }, [incoming('known@b.com')]);
	expect(res.data.resultData.error).toBeUndefined();
	expect(crmOf(res).primary).toMatchObject({ name: 'Known' });
	// the real limit on both sides: 4 runs of 3 addresses (12+ requests) without a single 429
	fake.reset();
	fake.perSecond = 7;
	fake.blockAfter429 = 1;
	setAccountLimits(new URL(fake.baseUrl).host, { perSecond: 7 });
	const runs = await Promise.all(
		[1, 2, 3, 4].map((n) =>
			run({ operation: 'match' }, [
				{
					json: {
						from: 'known@b.com',
						to: `x${n}@c.com`,
						cc: `y${n}@d.com`,
						subject: 's',
						messageId: `<${n}@x>`,
					},
				},
			]),
		),
	);
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	expect(fake.requests.length).toBeGreaterThanOrEqual(12);
	expect(fake.tooMany).toBe(0);
	expect(fake.blocked).toBe(false);
});

test('dropdowns come from the account: active users, tags as sources, the open stages of every pipeline; the credential test reads /account', async () => {
	fake.addPipeline(20, 'Wholesale', [[21, 'New']]);
	fake.users.push({
		id: 8,
		name: 'Gone',
		email: 'gone@mycompany.com',
		rights: { is_active: false },
	});
	fake.put('leads', { name: 'Tagged', tags: ['Website'] });
	const node = new CrmMatch();
	const parameters = { backend: 'amoCrm' };
	const credentials = { crmMailAmoCrmApi: creds };
	const owners = await loadOptions(node, 'getOwners', { credentials, parameters });
	expect(owners.map((o) => o.value)).toEqual(['', '__sender', '__matchedOwner', '100', '7']);
	expect(
		(await loadOptions(node, 'getSources', { credentials, parameters })).map((o) => o.value),
	).toEqual(['Email', 'Website']);
	expect(await loadOptions(node, 'getStages', { credentials, parameters })).toEqual([
		{ name: 'Sales / First contact', value: '10:11' },
		{ name: 'Sales / Negotiation', value: '10:12' },
		{ name: 'Wholesale / New', value: '20:21' },
	]);
	await expect(
		loadOptions(node, 'getStages', {
			credentials: { crmMailAmoCrmApi: { ...creds, accessToken: 'bad' } },
			parameters,
		}),
	).rejects.toThrow(/expired, revoked or wrong/);
	expect(await testCredential(node, 'crmMailAmoCrmApi', creds)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	expect(await testCredential(node, 'crmMailAmoCrmApi', { ...creds, accessToken: 'bad' })).toEqual({
		status: 'Error',
		message: expect.stringMatching(/refused the token|Authorization failed/),
	});
	const account = fake.requests.find((r) => r.path === '/api/v4/account')!;
	expect(account.headers.authorization).toBe('Bearer token1');
});
