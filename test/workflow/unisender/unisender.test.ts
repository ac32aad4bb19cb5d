// Every operation of the Unisender node through real workflows (n8n-core's WorkflowExecute) against the
// fake Unisender server: what lands in the account, what the node outputs, and the errors users see.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { Unisender } from '../../../nodes/Unisender/Unisender.node';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeUnisender } from '../../fakes/unisender/server';

let fake: FakeUnisender;
let creds: { unisenderApi: { apiKey: string; lang: string; baseUrl: string } };

beforeEach(async () => {
	fake = new FakeUnisender({ apiKeys: ['good-key'] });
	await fake.start();
	creds = { unisenderApi: { apiKey: 'good-key', lang: 'en', baseUrl: fake.baseUrl } };
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	expect(fake.keyInQuery).toBe(0);
	await fake.stop();
});

function wf(
	parameters: Record<string, unknown>,
	settings: { continueOnFail?: boolean } = {},
): WorkflowJson {
	return {
		nodes: [
			{
				id: '1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: {},
			},
			{
				id: '2',
				name: 'Unisender',
				type: 'n8n-nodes-crm-mail.unisender',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters,
				credentials: { unisenderApi: { id: 'x', name: 'x' } },
				...(settings.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'Unisender', type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	} as unknown as WorkflowJson;
}

const items = (...rows: Array<Record<string, unknown>>): INodeExecutionData[] =>
	rows.map((json) => ({ json: json as IDataObject }));
const addParams = (listIds: string[], extra: Record<string, unknown> = {}) => ({
	resource: 'contact',
	operation: 'subscribe',
	listIds,
	email: '={{ $json.email }}',
	...extra,
});

test('Add to Lists puts the contact into every chosen list with fields, custom fields and tags, the key only in the body', async () => {
	const a = fake.addList('Clients');
	const b = fake.addList('Deals');
	const run = await runWorkflow(
		wf(
			addParams([String(a.id), String(b.id)], {
				fields: {
					field: [
						{ name: 'Name', value: '={{ $json.name }}' },
						{ name: 'deal_stage', value: 'won' },
					],
				},
				tags: 'crm, won',
				doubleOptin: 3,
			}),
		),
		{ credentials: creds, input: items({ email: 'ann@example.com', name: 'Ann' }) },
	);
	expect(run.status).toBe('success');
	const out = outputOf(run, 'Unisender');
	expect(out).toHaveLength(1);
	expect(out[0].json).toMatchObject({ email: 'ann@example.com', list_ids: `${a.id},${b.id}` });
	expect(out[0].pairedItem).toEqual({ item: 0 });
	const c = fake.contact('ann@example.com')!;
	expect(out[0].json.person_id).toBe(c.personId);
	expect([...c.lists.keys()]).toEqual([a.id, b.id]);
	expect(c.lists.get(a.id)!.status).toBe('new');
	expect(c.invitations).toBe(0);
	expect(c.fields).toEqual({ Name: 'Ann', deal_stage: 'won' });
	expect([...c.tags]).toEqual(['crm', 'won']);
	const req = fake.requests.at(-1)!;
	expect(req.method).toBe('POST');
	expect(req.path).toBe('/en/api/subscribe');
	expect(req.query).toEqual({});
	const body = new URLSearchParams(req.body.toString());
	expect(body.get('api_key')).toBe('good-key');
	expect(body.get('format')).toBe('json');
	expect(body.get('fields[email]')).toBe('ann@example.com');
	expect(body.get('list_ids')).toBe(`${a.id},${b.id}`);
	expect(JSON.stringify(run.data.resultData.runData)).not.toContain('good-key');
});

test('double opt-in 0 sends the confirmation email; a list without one gives the clear error', async () => {
	const withLetter = fake.addList('With letter');
	const without = fake.addList('No letter', false);
	const ok = await runWorkflow(wf(addParams([String(withLetter.id)], { doubleOptin: 0 })), {
		credentials: creds,
		input: items({ email: 'bob@example.com' }),
	});
	expect(ok.status).toBe('success');
	expect(fake.contact('bob@example.com')!.invitations).toBe(1);
	expect(fake.contact('bob@example.com')!.lists.get(withLetter.id)!.status).toBe('invited');

	const bad = await runWorkflow(wf(addParams([String(without.id)], { doubleOptin: 4 })), {
		credentials: creds,
		input: items({ email: 'new@example.com' }),
	});
	expect(bad.status).toBe('error');
	const err = bad.data.resultData.error as unknown as { message: string; description: string };
	expect(err.message).toContain(`list ${without.id} has no confirmation (double opt-in) email`);
	expect(err.description).toContain('Consent Already Obtained (3)');
});

test('overwrite 1 removes the contact from lists not given; 0 keeps lists and existing fields', async () => {
	const a = fake.addList('A');
	const b = fake.addList('B');
	const input = items({ email: 'cat@example.com' });
	await runWorkflow(
		wf(
			addParams([String(a.id)], {
				doubleOptin: 3,
				fields: { field: [{ name: 'Name', value: 'Cat' }] },
			}),
		),
		{ credentials: creds, input },
	);
	await runWorkflow(
		wf(
			addParams([String(b.id)], {
				doubleOptin: 3,
				overwrite: 0,
				fields: { field: [{ name: 'Name', value: 'Other' }] },
			}),
		),
		{ credentials: creds, input },
	);
	const c = fake.contact('cat@example.com')!;
	expect([...c.lists.keys()].sort()).toEqual([a.id, b.id]);
	expect(c.fields.Name).toBe('Cat');
	await runWorkflow(wf(addParams([String(b.id)], { doubleOptin: 3, overwrite: 1 })), {
		credentials: creds,
		input,
	});
	expect([...c.lists.keys()]).toEqual([b.id]);
});

test('an invalid email fails with the field named; Continue On Fail keeps the other items', async () => {
	const a = fake.addList('A');
	const input = items(
		{ email: 'ok1@example.com' },
		{ email: 'not-an-email' },
		{ email: 'ok2@example.com' },
	);
	const failed = await runWorkflow(wf(addParams([String(a.id)], { doubleOptin: 3 })), {
		credentials: creds,
		input,
	});
	expect(failed.status).toBe('error');
	expect(failed.data.resultData.error!.message).toContain('"Email" (fields[email])');
	expect(fake.contact('ok2@example.com')).toBeUndefined();

	const run = await runWorkflow(
		wf(addParams([String(a.id)], { doubleOptin: 3 }), { continueOnFail: true }),
		{ credentials: creds, input },
	);
	expect(run.status).toBe('success');
	const out = outputOf(run, 'Unisender');
	expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(out[1].json.error).toContain('"Email" (fields[email])');
	expect(out[2].json.email).toBe('ok2@example.com');
	expect(fake.contact('ok2@example.com')).toBeDefined();
});

test('a wrong API key fails with a message that says to fix the credential', async () => {
	const run = await runWorkflow(wf({ resource: 'list', operation: 'getAll' }), {
		credentials: { unisenderApi: { ...creds.unisenderApi, apiKey: 'wrong' } },
	});
	expect(run.status).toBe('error');
	const err = run.data.resultData.error as unknown as { message: string; description: string };
	expect(err.message).toBe('Unisender rejected the API key');
	expect(err.description).toContain('Unisender API');
	expect(JSON.stringify(run.data)).not.toContain('"wrong"');
});

test('not enough money and access denied become clear errors; retry_later is retried', async () => {
	const a = fake.addList('A');
	fake.injectError('not_enough_money', 'Not enough money on the account', 'subscribe');
	const poor = await runWorkflow(wf(addParams([String(a.id)], { doubleOptin: 3 })), {
		credentials: creds,
		input: items({ email: 'x@example.com' }),
	});
	expect((poor.data.resultData.error as unknown as { description: string }).description).toContain(
		'Top up the balance',
	);
	fake.injectError('access_denied', 'API access is disabled');
	const denied = await runWorkflow(wf({ resource: 'list', operation: 'getAll' }), {
		credentials: creds,
	});
	expect(denied.data.resultData.error!.message).toBe('Unisender denied access to "getLists"');
	fake.injectError('retry_later', 'Temporary failure', 'subscribe');
	const retried = await runWorkflow(wf(addParams([String(a.id)], { doubleOptin: 3 })), {
		credentials: creds,
		input: items({ email: 'y@example.com' }),
	});
	expect(retried.status).toBe('success');
	expect(fake.contact('y@example.com')).toBeDefined();
});

test('Import sends all items in batches of 500 and maps the log back to the items', async () => {
	const a = fake.addList('A');
	const rows = Array.from({ length: 1203 }, (_, i) => ({
		email: i === 7 || i === 1100 ? `bad${i}@` : `u${i}@example.com`,
		name: `U${i}`,
	}));
	const params = {
		resource: 'contact',
		operation: 'importContacts',
		listIds: [String(a.id)],
		email: '={{ $json.email }}',
		fields: { field: [{ name: 'Name', value: '={{ $json.name }}' }] },
		tags: 'imported',
	};
	const run = await runWorkflow(wf(params, { continueOnFail: true }), {
		credentials: creds,
		input: items(...rows),
	});
	expect(run.status).toBe('success');
	expect(fake.calls.importContacts).toBe(3);
	const out = outputOf(run, 'Unisender');
	expect(out).toHaveLength(1203);
	out.forEach((o, i) => expect(o.pairedItem).toEqual({ item: i }));
	expect(out[7].json).toMatchObject({ email: 'bad7@', imported: false });
	expect(out[7].json.error).toContain('Invalid email address');
	expect(out[1100].json.error).toContain('bad1100@');
	expect(out[8].json).toMatchObject({ email: 'u8@example.com', imported: true });
	expect(fake.contact('u1202@example.com')!.fields.Name).toBe('U1202');
	expect([...fake.contact('u1202@example.com')!.lists.keys()]).toEqual([a.id]);
	expect(fake.contacts).toHaveLength(1201);

	const strict = await runWorkflow(wf(params), { credentials: creds, input: items(...rows) });
	expect(strict.status).toBe('error');
	expect(strict.data.resultData.error!.message).toContain(
		'rejected 2 of 1203 contacts; first: item 7',
	);
});

test('Exclude removes from lists and the contact can be added again; Unsubscribe marks unsubscribed; unknown contact is a clear error', async () => {
	const a = fake.addList('A');
	const b = fake.addList('B');
	const input = items({ email: 'dan@example.com' });
	await runWorkflow(wf(addParams([String(a.id), String(b.id)], { doubleOptin: 3 })), {
		credentials: creds,
		input,
	});
	const ex = await runWorkflow(
		wf({
			resource: 'contact',
			operation: 'exclude',
			contact: '={{ $json.email }}',
			removeListIds: [String(a.id)],
		}),
		{ credentials: creds, input },
	);
	expect(outputOf(ex, 'Unisender')[0].json).toMatchObject({
		contact: 'dan@example.com',
		excluded: true,
	});
	expect([...fake.contact('dan@example.com')!.lists.keys()]).toEqual([b.id]);
	await runWorkflow(wf(addParams([String(a.id)], { doubleOptin: 3 })), {
		credentials: creds,
		input,
	});
	expect([...fake.contact('dan@example.com')!.lists.keys()].sort()).toEqual([a.id, b.id].sort());
	await runWorkflow(
		wf({
			resource: 'contact',
			operation: 'exclude',
			contact: 'dan@example.com',
			removeListIds: [String(a.id)],
		}),
		{ credentials: creds, input },
	);
	const un = await runWorkflow(
		wf({ resource: 'contact', operation: 'unsubscribe', contact: 'dan@example.com' }),
		{ credentials: creds, input },
	);
	expect(outputOf(un, 'Unisender')[0].json).toMatchObject({ unsubscribed: true, list_ids: 'all' });
	expect(fake.contact('dan@example.com')!.lists.get(b.id)!.status).toBe('unsubscribed');
	const missing = await runWorkflow(
		wf({ resource: 'contact', operation: 'exclude', contact: 'nobody@example.com' }),
		{ credentials: creds, input },
	);
	expect(missing.data.resultData.error!.message).toBe(
		'Contact "nobody@example.com" was not found in the given lists',
	);
});

test('Get returns the contact with lists and fields; Is in Lists returns false as a result, not an error', async () => {
	const a = fake.addList('A');
	const b = fake.addList('B');
	const input = items({ email: 'eve@example.com' });
	await runWorkflow(
		wf(
			addParams([String(a.id)], {
				doubleOptin: 3,
				fields: { field: [{ name: 'Name', value: 'Eve' }] },
			}),
		),
		{ credentials: creds, input },
	);
	const got = await runWorkflow(
		wf({ resource: 'contact', operation: 'getContact', lookupEmail: '={{ $json.email }}' }),
		{ credentials: creds, input },
	);
	const contact = outputOf(got, 'Unisender')[0].json as {
		email: { email: string };
		lists: Array<{ id: number }>;
		fields: { Name: string };
	};
	expect(contact.email.email).toBe('eve@example.com');
	expect(contact.lists.map((l) => l.id)).toEqual([a.id]);
	expect(contact.fields.Name).toBe('Eve');
	const check = (listIds: string[], condition: string) =>
		runWorkflow(
			wf({
				resource: 'contact',
				operation: 'isContactInLists',
				lookupEmail: 'eve@example.com',
				listIds,
				condition,
			}),
			{ credentials: creds, input },
		);
	expect(
		outputOf(await check([String(a.id), String(b.id)], 'or'), 'Unisender')[0].json.in_lists,
	).toBe(true);
	const none = await check([String(a.id), String(b.id)], 'and');
	expect(none.status).toBe('success');
	expect(outputOf(none, 'Unisender')[0].json.in_lists).toBe(false);
});

test('List: Create then Get Many; a duplicate name names the field', async () => {
	const created = await runWorkflow(
		wf({ resource: 'list', operation: 'create', title: 'Won deals' }),
		{ credentials: creds },
	);
	const id = outputOf(created, 'Unisender')[0].json.id;
	expect(fake.lists.get(id as number)!.title).toBe('Won deals');
	const many = await runWorkflow(wf({ resource: 'list', operation: 'getAll', returnAll: true }), {
		credentials: creds,
	});
	expect(outputOf(many, 'Unisender').map((o) => o.json)).toEqual([{ id, title: 'Won deals' }]);
	const dup = await runWorkflow(wf({ resource: 'list', operation: 'create', title: 'Won deals' }), {
		credentials: creds,
	});
	expect(dup.data.resultData.error!.message).toContain('"List Name" (title)');
});

test('the lists dropdown is loaded from getLists', async () => {
	fake.addList('Zeta');
	const a = fake.addList('Alpha');
	const options = await loadOptions(new Unisender(), 'getLists', { credentials: creds });
	expect(options[0]).toEqual({ name: `Alpha (${a.id})`, value: String(a.id) });
	expect(options).toHaveLength(2);
});

test('credential test: OK with the right key, a clear failure with a wrong key or a wrong URL', async () => {
	const node = new Unisender();
	expect(await testCredential(node, 'unisenderApi', creds.unisenderApi)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	const wrong = await testCredential(node, 'unisenderApi', {
		...creds.unisenderApi,
		apiKey: 'nope',
	});
	expect(wrong.status).toBe('Error');
	expect(wrong.message).toContain('Unisender rejected the API key');
	const url = await testCredential(node, 'unisenderApi', {
		...creds.unisenderApi,
		baseUrl: `${fake.baseUrl}/nothing`,
	});
	expect(url.status).toBe('Error');
	expect(fake.requests.every((r) => r.query.api_key === undefined && r.method === 'POST')).toBe(
		true,
	);
});
