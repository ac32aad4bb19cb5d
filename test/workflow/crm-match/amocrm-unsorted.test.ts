// CRM Match & Create on amoCRM / Kommo with rule 1's "Incoming Lead (Unsorted)": an unknown sender's email becomes
// one entry of the account's Incoming leads, through real workflows against the fake amoCRM API v4.
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { FakeAmoCrm, email } from '../../fakes/amocrm/server';
import { FakeEspoCrm } from '../../fakes/espocrm/server';
import { setAccountLimits } from '../../../nodes/CrmMatch/transport/amocrm/client';

let fake: FakeAmoCrm;
let creds: { region: string; baseUrl: string; accessToken: string };

const wf = (parameters: Record<string, unknown>): WorkflowJson => ({
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
		},
	],
	connections: { Start: { main: [[{ node: 'CRM', type: NodeConnectionTypes.Main, index: 0 }]] } },
});

let n = 0;
const incoming = (from: string, subject = 'Need a quote', extra: Record<string, unknown> = {}) => ({
	json: {
		from: [{ name: 'Jane Doe', address: from }],
		to: [{ name: 'Sales', address: 'sales@mycompany.com' }],
		cc: [],
		subject,
		messageId: `<m${++n}.${Date.now()}@mail.prospect.io>`,
		date: '2026-03-01T10:00:00.000Z',
		direction: 'incoming',
		headers: {},
		...extra,
	},
});

/** Match & Create with rule 1 set to the incoming lead. */
const run = async (
	input: Array<{ json: Record<string, unknown> }>,
	parameters: Record<string, unknown> = {},
) =>
	await runWorkflow(
		wf({
			operation: 'matchAndCreate',
			incomingUnknownEntity: 'unsorted',
			options: { ownAddresses: 'sales@mycompany.com' },
			...parameters,
		}),
		{ credentials: { crmMailAmoCrmApi: creds }, input: input as INodeExecutionData[] },
	);

const crmOf = (r: Awaited<ReturnType<typeof run>>, i = 0) => outputOf(r, 'CRM')[i].json.crm as any;
const posts = (path: string) =>
	fake.requests.filter((r) => r.method === 'POST' && r.path === `/api/v4${path}`);
const bodyOf = (path: string) => JSON.parse(posts(path)[0].body.toString('utf8'));

/** A manager's action in amoCRM, through the fake's API. */
const manager = async (method: string, path: string, body: unknown) =>
	await fetch(`${fake.baseUrl}/api/v4${path}`, {
		method,
		headers: { authorization: 'Bearer token1', 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});

beforeEach(async () => {
	fake = new FakeAmoCrm();
	fake.perSecond = 10_000;
	await fake.start();
	creds = { region: 'custom', baseUrl: fake.baseUrl, accessToken: 'token1' };
	fake.users.push({
		id: 7,
		name: 'Anna',
		email: 'anna@mycompany.com',
		rights: { is_active: true },
	});
	setAccountLimits(new URL(fake.baseUrl).host, { perSecond: 10_000 });
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('an unknown sender becomes ONE incoming lead: lead named by the subject, contact with name and address, source_uid = Message-ID; no contact + lead of their own; later mail from them finds it', async () => {
	const mail = incoming('New.Person@prospect.io', 'Quote for 50 chairs');
	const res = await run([mail], { incomingUnknownOwner: '7' });
	expect(res.data.resultData.error).toBeUndefined();
	expect(posts('/contacts')).toHaveLength(0);
	expect(posts('/leads')).toHaveLength(0);
	expect(bodyOf('/leads/unsorted/forms')).toEqual([
		{
			source_name: 'Email',
			source_uid: String(mail.json.messageId).slice(1, -1),
			created_at: expect.any(Number),
			metadata: {
				form_id: 'crm-mail',
				form_name: 'E-mail',
				form_page: 'mailto:new.person@prospect.io',
				form_sent_at: Date.parse('2026-03-01T10:00:00Z') / 1000,
			},
			_embedded: {
				leads: [
					{
						name: 'Quote for 50 chairs',
						responsible_user_id: 7,
						_embedded: { tags: [{ name: 'Email' }] },
					},
				],
				contacts: [
					{
						name: 'Jane Doe',
						first_name: 'Jane',
						last_name: 'Doe',
						responsible_user_id: 7,
						custom_fields_values: [
							{
								field_code: 'EMAIL',
								values: [{ value: 'new.person@prospect.io', enum_code: 'WORK' }],
							},
						],
					},
				],
			},
		},
	]);
	const [entry] = fake.unsorted.pending;
	const [lead] = fake.list('leads');
	const [contact] = fake.list('contacts');
	expect(fake.unsorted.pending).toHaveLength(1);
	expect(lead).toMatchObject({ name: 'Quote for 50 chairs', pipeline_id: 10, status_id: 1000 });
	expect(contact).toMatchObject({ name: 'Jane Doe', responsible_user_id: 7 });
	expect(contact.custom_fields_values[0].values).toEqual([
		{ value: 'new.person@prospect.io', enum_code: 'WORK' },
	]);
	const crm = crmOf(res);
	expect(crm.unsorted).toEqual({
		uid: entry.uid,
		leadId: String(lead.id),
		contactId: String(contact.id),
	});
	expect(crm.created).toEqual([
		expect.objectContaining({
			type: 'lead',
			id: String(lead.id),
			rule: 'incomingUnknown',
			created: true,
		}),
	]);
	// the same email again, and a second email while the entry waits: the same entry, nothing added
	fake.reset();
	const again = await run([mail, incoming('new.person@prospect.io', 'Re: quote')]);
	expect(posts('/leads/unsorted/forms')).toHaveLength(0);
	expect(fake.unsorted.pending).toHaveLength(1);
	for (const i of [0, 1])
		expect(crmOf(again, i)).toMatchObject({
			unsorted: { uid: entry.uid, leadId: String(lead.id) },
			created: [{ id: String(lead.id), name: 'Quote for 50 chairs', created: false }],
		});
	// Link Email records it on the entry's lead
	const linked = await runWorkflow(wf({ operation: 'linkEmail' }), {
		credentials: { crmMailAmoCrmApi: creds },
		input: outputOf(res, 'CRM') as INodeExecutionData[],
	});
	expect((outputOf(linked, 'CRM')[0].json.crm as any).links).toEqual([
		expect.objectContaining({ type: 'lead', id: String(lead.id), created: true }),
	]);
});

test('10 parallel executions for one unknown sender (10 different emails) end with ONE incoming lead; the losers are declined, their lead and contact gone', async () => {
	const runs = await Promise.all(
		Array.from({ length: 10 }, (_, i) => run([incoming('racer@prospect.io', `Mail ${i}`)])),
	);
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	expect(fake.unsorted.pending).toHaveLength(1);
	const [entry] = fake.unsorted.pending;
	const uids = runs.map((r) => crmOf(r).unsorted.uid);
	expect(new Set(uids)).toEqual(new Set([entry.uid]));
	expect(runs.filter((r) => crmOf(r).created[0].created)).toHaveLength(1);
	// every add that lost was declined: what amoCRM keeps is the winner's lead and contact only
	expect(posts('/leads/unsorted/forms').length).toBe(1 + fake.unsorted.declined.length);
	expect(fake.list('leads').map((l) => l.id)).toEqual([entry.lead]);
	expect(fake.list('contacts').map((c) => c.id)).toEqual([entry.contact]);
	const declines = fake.requests.filter((r) => r.method === 'DELETE');
	for (const d of declines) expect(JSON.parse(d.body.toString('utf8'))).toEqual({ user_id: 100 });
});

test('10 parallel executions of the SAME email (a redelivery) end with ONE incoming lead', async () => {
	const mail = incoming('twice@prospect.io', 'Hello');
	const runs = await Promise.all(Array.from({ length: 10 }, () => run([mail])));
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	expect(fake.unsorted.pending).toHaveLength(1);
	expect(fake.unsorted.pending[0].source_uid).toBe(String(mail.json.messageId).slice(1, -1));
	expect(new Set(runs.map((r) => crmOf(r).unsorted.uid)).size).toBe(1);
	expect(runs.filter((r) => crmOf(r).created[0].created)).toHaveLength(1);
	expect(fake.list('leads')).toHaveLength(1);
});

test('after a manager accepts the entry the sender is known (nothing new); after a decline a new mail makes a new entry; the Deal Stage picks the pipeline', async () => {
	fake.addPipeline(20, 'Wholesale', [[21, 'New']]);
	const first = crmOf(await run([incoming('ann@client.org', 'Order')], { dealStage: '20:21' }));
	expect(fake.unsorted.pending[0]).toMatchObject({ pipeline_id: 20 });
	expect(fake.list('leads')[0]).toMatchObject({ pipeline_id: 20, status_id: 2000 });
	const ok = await manager('POST', `/leads/unsorted/${first.unsorted.uid}/accept`, {
		user_id: 100,
		status_id: 21,
	});
	expect(ok.status).toBe(200);
	const known = crmOf(await run([incoming('ann@client.org', 'Order 2')], { dealStage: '20:21' }));
	expect(known.unsorted).toBeUndefined();
	expect(known.created).toEqual([]);
	expect(known.primary).toMatchObject({
		type: 'contact',
		id: first.unsorted.contactId,
		openDeals: [{ id: first.unsorted.leadId, stage: '20:21' }],
	});
	// declined: amoCRM deletes the entry's data, so the sender is unknown again
	const other = crmOf(await run([incoming('bob@client.org', 'Spam?')]));
	const no = await manager('DELETE', `/leads/unsorted/${other.unsorted.uid}/decline`, {
		user_id: 100,
	});
	expect(no.status).toBe(200);
	const again = crmOf(await run([incoming('bob@client.org', 'Not spam')]));
	expect(again.unsorted.uid).not.toBe(other.unsorted.uid);
	expect(again.created[0].created).toBe(true);
	expect(fake.unsorted.pending.map((u) => u.uid)).toEqual([again.unsorted.uid]);
});

test('known senders and automated mail are unchanged: no incoming lead', async () => {
	const carl = fake.put('contacts', {
		name: 'Carl',
		custom_fields_values: email('carl@client.org'),
	});
	const res = await run([
		incoming('carl@client.org', 'Order'),
		incoming('noreply@shop.com'),
		incoming('news@brand.com', 'Sale', { headers: { 'List-Id': '<news.brand.com>' } }),
	]);
	expect(posts('/leads/unsorted/forms')).toHaveLength(0);
	expect(crmOf(res, 0)).toMatchObject({ primary: { id: String(carl.id) } });
	expect(crmOf(res, 0).created).toEqual([
		expect.objectContaining({ rule: 'incomingKnown', type: 'deal' }),
	]);
	expect(crmOf(res, 0).unsorted).toBeUndefined();
	expect(outputOf(res, 'CRM').map((i) => (i.json.crm as any).skipped)).toEqual([
		undefined,
		expect.stringMatching(/no-reply/),
		expect.stringMatching(/List-Id/),
	]);
});

test("a field amoCRM refuses fails the item as a NodeApiError with amoCRM's validation-errors, and nothing is left behind", async () => {
	const res = await run([incoming('ann@client.org')], { dealStage: '99:1' });
	expect(res.data.resultData.error?.name).toBe('NodeApiError');
	expect(res.data.resultData.error?.message).toMatch(
		/rejected a field \(add the incoming lead, 400\): pipeline_id: Pipeline not found/,
	);
	expect((res.data.resultData.error as any).description).toMatch(/Check the named field/);
	const bad = await run([incoming('ann@client.org')], { incomingUnknownOwner: '555' });
	expect(bad.data.resultData.error?.message).toMatch(
		/_embedded\.(leads|contacts)\.0\.responsible_user_id: User not found/,
	);
	expect(fake.unsorted.pending).toEqual([]);
	expect(fake.list('leads')).toEqual([]);
	expect(fake.list('contacts')).toEqual([]);
});

test('the incoming lead on another backend (a workflow switched from amoCRM) stops with what to change, creating nothing', async () => {
	const espo = new FakeEspoCrm();
	espo.addApiUser({ apiKey: 'key-1', userId: 'api1', name: 'API' });
	await espo.start();
	try {
		const workflow = wf({
			backend: 'espoCrm',
			operation: 'matchAndCreate',
			incomingUnknownEntity: 'unsorted',
			options: { ownAddresses: 'sales@mycompany.com' },
		});
		workflow.nodes[1].credentials = { crmMailEspoCrmApi: { id: 'x', name: 'x' } };
		const res = await runWorkflow(workflow, {
			credentials: {
				crmMailEspoCrmApi: { baseUrl: espo.baseUrl, authType: 'apiKey', apiKey: 'key-1' },
			},
			input: [incoming('ann@client.org')] as INodeExecutionData[],
		});
		const error = res.data.resultData.error as any;
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe(
			'Rule 1\'s record type "Incoming Lead (Unsorted)" exists only in amoCRM / Kommo, not in EspoCRM',
		);
		expect(error?.description).toMatch(/another Record Type for rule 1/);
		expect(espo.requests.filter((r) => r.method === 'POST')).toEqual([]);
	} finally {
		await espo.stop();
	}
});
