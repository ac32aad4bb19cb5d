import { FakeEspoCrm } from '/work/main/test/fakes/espocrm/server';
import { runWorkflow, outputOf } from '/work/main/test/harness/workflow';
test('dbg', async () => {
	const fake = new FakeEspoCrm(); fake.addApiUser({ apiKey: 'k', userId: 'a' }); await fake.start();
	const wf = (p: any) => ({ nodes: [{ id: 's', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, { id: 'c', name: 'CRM', type: 'n8n-nodes-crm-mail.crmMatch', typeVersion: 1, position: [1, 0], parameters: { backend: 'espoCrm', ...p }, credentials: { crmMailEspoCrmApi: { id: 'x', name: 'x' } } }], connections: { Start: { main: [[{ node: 'CRM', type: 'main', index: 0 }]] } } });
	const creds = { crmMailEspoCrmApi: { baseUrl: fake.baseUrl, authType: 'apiKey', apiKey: 'k' } };
	for (const p of [{ operation: 'create', entity: 'contact', fields: { lastName: 'Z', email: 'z@z.io' } }, { operation: 'get', entity: 'contact', recordId: 'nope' }, { operation: 'create', entity: 'contact', fields: { lastName: 'O', email: 'z@z.io' } }, { operation: 'update', entity: 'deal', recordId: 'nope', fields: { stage: 'X' } }]) {
		const r = await runWorkflow(wf(p) as any, { credentials: creds as any, input: [{ json: {} }] });
		console.log(JSON.stringify(r.data.resultData.error ? { m: r.data.resultData.error.message, d: (r.data.resultData.error as any).description } : outputOf(r, 'CRM')[0].json).slice(0, 300));
	}
	await fake.stop();
});
