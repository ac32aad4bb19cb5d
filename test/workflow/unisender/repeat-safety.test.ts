// Calls whose answer was lost (no answer, a 5xx from Unisender or a proxy in front of it): repeated only when a
// repeat leaves the same state; otherwise the item says Unisender may have done it, and nothing is done twice.
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { FakeUnisender } from '../../fakes/unisender/server';

let fake: FakeUnisender;
const creds = () => ({ unisenderApi: { apiKey: 'good-key', lang: 'en', baseUrl: fake.baseUrl } });

beforeEach(async () => {
	fake = new FakeUnisender({ apiKeys: ['good-key'] });
	await fake.start();
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

const wf = (parameters: Record<string, unknown>): WorkflowJson =>
	({
		nodes: [
			{
				id: '1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: '2',
				name: 'Unisender',
				type: 'n8n-nodes-crm-mail.unisender',
				typeVersion: 1,
				position: [200, 0],
				parameters,
				credentials: { unisenderApi: { id: 'x', name: 'x' } },
				onError: 'continueRegularOutput',
			},
		],
		connections: {
			Start: { main: [[{ node: 'Unisender', type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	}) as unknown as WorkflowJson;

const callsOf = (method: string) =>
	fake.requests.filter((r) => r.path.endsWith(`/api/${method}`)).length;

test('Create List after a lost answer: not repeated, the item says the list may exist', async () => {
	fake.failNext(1, 502, '<html>502 Bad Gateway</html>');
	const run = await runWorkflow(wf({ resource: 'list', operation: 'create', title: 'Won deals' }), {
		credentials: creds(),
	});
	const [out] = outputOf(run, 'Unisender');
	expect(out.json.error).toBe(
		'Unisender may have created the list: its answer was lost (Unisender answered HTTP 502 to "createList")',
	);
	expect(out.json.description).toMatch(/did not repeat the call/);
	expect(callsOf('createList')).toBe(1);
});

test('Subscribe after a lost answer: not repeated (a second confirmation letter)', async () => {
	const list = fake.addList('Clients');
	fake.failNext(1, 503);
	const run = await runWorkflow(
		wf({
			resource: 'contact',
			operation: 'subscribe',
			listIds: [String(list.id)],
			email: 'ann@client.test',
		}),
		{ credentials: creds() },
	);
	expect(outputOf(run, 'Unisender')[0].json.error).toMatch(
		/^Unisender may have added the contact \(and sent a confirmation letter/,
	);
	expect(callsOf('subscribe')).toBe(1);
});

test('Get Many Lists after a lost answer: repeated, and it succeeds', async () => {
	fake.addList('Clients');
	fake.failNext(1, 502);
	const run = await runWorkflow(wf({ resource: 'list', operation: 'getAll', returnAll: true }), {
		credentials: creds(),
	});
	expect(outputOf(run, 'Unisender').map((o) => o.json.title)).toEqual(['Clients']);
	expect(callsOf('getLists')).toBe(2);
});

test('Create List refused with a rate limit (Unisender did not do it): repeated', async () => {
	fake.failNext(1, 429, { error: 'Too many requests' });
	const run = await runWorkflow(wf({ resource: 'list', operation: 'create', title: 'Leads' }), {
		credentials: creds(),
	});
	expect(outputOf(run, 'Unisender')[0].json.error).toBeUndefined();
	expect([...fake.lists.values()].map((l) => l.title)).toEqual(['Leads']);
	expect(callsOf('createList')).toBe(2);
});
