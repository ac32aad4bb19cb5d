// examples/deal-stage-to-unisender.json run as shipped (webhook item pinned) against the fake Unisender:
// a won deal's contact lands in the lists; a deal at another stage does not reach Unisender.
import { CrmDelay } from '../../../nodes/CrmDelay/CrmDelay.node';
import type { WorkflowJson } from '../../harness/workflow';
import { didRun, runWorkflow, TestNodeTypes } from '../../harness/workflow';
import { FakeUnisender } from '../../fakes/unisender/server';
import exampleJson from '../../../examples/deal-stage-to-unisender.json';

const example = exampleJson as unknown as WorkflowJson;

test('deal-stage-to-unisender: a won deal adds the contact, another stage does not', async () => {
	const fake = new FakeUnisender({ apiKeys: ['k'] });
	await fake.start();
	try {
		const a = fake.addList('Clients');
		const b = fake.addList('Won');
		const opts = {
			credentials: { unisenderApi: { apiKey: 'k', lang: 'ru', baseUrl: fake.baseUrl } },
			nodeTypes: new TestNodeTypes({ 'n8n-nodes-crm-mail.crmDelay': new CrmDelay() }),
			startNode: 'Deal Reached a Stage',
		};
		const deal = (stage: string, email: string) => [
			{ json: { body: { deal: { stage }, contact: { email, name: 'Ann' } } } },
		];
		const won = await runWorkflow(example, { ...opts, input: deal('won', 'ann@example.com') });
		expect(won.status).toBe('success');
		const c = fake.contact('ann@example.com')!;
		// the list picked in the example's dropdown (the sandbox's "CRM clients", id 1), as the sticky note says
		expect([...c.lists.keys()]).toEqual([a.id]);
		expect(b.id).not.toBe(a.id);
		expect(c.fields).toEqual({ Name: 'Ann', deal_stage: 'won' });
		expect(c.invitations).toBe(0);
		expect(fake.requests.at(-1)!.path).toBe('/ru/api/subscribe');
		const lost = await runWorkflow(example, { ...opts, input: deal('lost', 'bob@example.com') });
		expect(lost.status).toBe('success');
		expect(didRun(lost, 'Add to Unisender Lists')).toBe(false);
		expect(fake.contact('bob@example.com')).toBeUndefined();
	} finally {
		await fake.stop();
	}
});
