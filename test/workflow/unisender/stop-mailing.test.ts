// Contact > Stop Mailing through real workflows against the fake Unisender: bounce events in, the address's
// own status set through importContacts' documented `email_status` field, all items in batches of 500, one
// result per item; a row Unisender refuses fails only its item.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
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
				parameters: { resource: 'contact', operation: 'stopMailing', ...parameters },
				credentials: { unisenderApi: { id: 'x', name: 'x' } },
				...(settings.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'Unisender', type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	} as unknown as WorkflowJson;
}

/** What the IMAP Sync Trigger emits for a hard bounce. */
const bounce = (recipient: string): INodeExecutionData => ({
	json: { event: 'bounce', recipient, kind: 'hard', reason: 'userUnknown' } as IDataObject,
});

async function subscribed(email: string, listId: number): Promise<void> {
	await fetch(`${fake.baseUrl}/en/api/importContacts`, {
		method: 'POST',
		body: new URLSearchParams({
			api_key: 'good-key',
			format: 'json',
			'field_names[0]': 'email',
			'field_names[1]': 'email_list_ids',
			'data[0][0]': email,
			'data[0][1]': String(listId),
		}),
	});
}

test('bounce events deactivate their recipients with email + email_status=inactive, list membership kept', async () => {
	const list = fake.addList('Clients');
	await subscribed('dead@client.example', list.id);
	const run = await runWorkflow(wf({}), {
		credentials: creds,
		input: [bounce('dead@client.example'), bounce('gone@other.example')],
	});
	expect(run.status).toBe('success');
	const out = outputOf(run, 'Unisender');
	expect(out.map((o) => [o.json, o.pairedItem])).toEqual([
		[{ email: 'dead@client.example', emailStatus: 'inactive', updated: true }, { item: 0 }],
		[{ email: 'gone@other.example', emailStatus: 'inactive', updated: true }, { item: 1 }],
	]);
	expect(fake.contact('dead@client.example')!.emailStatus).toBe('inactive');
	expect([...fake.contact('dead@client.example')!.lists.keys()]).toEqual([list.id]);
	expect(fake.contact('gone@other.example')!.emailStatus).toBe('inactive');
	const body = new URLSearchParams(fake.requests.at(-1)!.body.toString());
	expect(fake.requests.at(-1)!.path).toBe('/en/api/importContacts');
	expect(body.get('field_names[0]')).toBe('email');
	expect(body.get('field_names[1]')).toBe('email_status');
	expect(body.get('data[1][1]')).toBe('inactive');
});

test('"Unsubscribed From All" for a complaint; 1,001 items go in 3 calls, a bad address fails only its item', async () => {
	const input = Array.from({ length: 1001 }, (_, i) =>
		bounce(i === 600 ? 'broken@' : `u${i}@x.example`),
	);
	const run = await runWorkflow(
		wf(
			{ emailStatus: 'unsubscribed', stopEmail: '={{ $json.recipient }}' },
			{ continueOnFail: true },
		),
		{ credentials: creds, input },
	);
	expect(run.status).toBe('success');
	expect(fake.calls.importContacts).toBe(3);
	const out = outputOf(run, 'Unisender');
	expect(out).toHaveLength(1001);
	out.forEach((o, i) => expect(o.pairedItem).toEqual({ item: i }));
	expect(out[600].json).toMatchObject({ email: 'broken@', updated: false });
	expect(out[600].json.error).toContain('Invalid email address');
	expect(out[1000].json).toEqual({
		email: 'u1000@x.example',
		emailStatus: 'unsubscribed',
		updated: true,
	});
	expect(fake.contact('u999@x.example')!.emailStatus).toBe('unsubscribed');
});

test('an item without an address stops the run with what to set, before anything is sent', async () => {
	const run = await runWorkflow(wf({}), {
		credentials: creds,
		input: [bounce('a@x.example'), { json: { event: 'message' } }],
	});
	expect(run.status).toBe('error');
	expect(run.data.resultData.error!.message).toContain('Item 1 has no email to stop mailing');
	expect(fake.calls.importContacts ?? 0).toBe(0);
});
