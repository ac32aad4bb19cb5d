// The workflow harness itself, exercised with n8n's own nodes and small inline node types: if these
// fail, every feature's workflow tests are meaningless.
import type {
	INodeExecutionData,
	INodeType,
	IPollFunctions,
	ITriggerFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { outputOf, runWorkflow, startTrigger, TestNodeTypes, didRun } from '../../harness/workflow';
import { WebhookServer } from '../../harness/webhook-server';

const node = (name: string, type: string, parameters = {}, extra = {}) => ({
	id: name,
	name,
	type,
	typeVersion: 1,
	position: [0, 0] as [number, number],
	parameters,
	...extra,
});
const chain = (...names: string[]) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((n, i) => [
				n,
				{ main: [[{ node: names[i + 1], type: NodeConnectionTypes.Main, index: 0 }]] },
			]),
	);

test('runs n8n nodes from n8n-nodes-base with the given input items', async () => {
	const run = await runWorkflow(
		{
			nodes: [node('Start', 'n8n-nodes-base.manualTrigger'), node('Pass', 'n8n-nodes-base.noOp')],
			connections: chain('Start', 'Pass'),
		},
		{ input: [{ json: { a: 1 } }, { json: { a: 2 } }] },
	);
	expect(run.status).toBe('success');
	expect(outputOf(run, 'Pass').map((i) => i.json.a)).toEqual([1, 2]);
});

test('a long wait puts the execution into waiting, and its resume continues after the waiting node', async () => {
	const wf = {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger'),
			{
				...node('Wait', 'n8n-nodes-base.wait', {
					resume: 'timeInterval',
					amount: 10,
					unit: 'minutes',
				}),
				typeVersion: 1.1,
			},
			node('After', 'n8n-nodes-base.noOp'),
		],
		connections: chain('Start', 'Wait', 'After'),
	};
	const before = Date.now();
	const first = await runWorkflow(wf, { input: [{ json: { id: 7 } }] });
	expect(first.status).toBe('waiting');
	expect(first.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1000);
	expect(didRun(first, 'After')).toBe(false);
	const resumed = await runWorkflow(wf, { resumeFrom: first.data });
	expect(resumed.status).toBe('success');
	expect(outputOf(resumed, 'After').map((i) => i.json.id)).toEqual([7]);
});

test('a node error fails the run with its message', async () => {
	const failing: INodeType = {
		description: {
			displayName: 'Fail',
			name: 'fail',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Fail' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			throw new Error('boom: the fix is X');
		},
	};
	const run = await runWorkflow(
		{
			nodes: [node('Start', 'n8n-nodes-base.manualTrigger'), node('Fail', 'CUSTOM.fail')],
			connections: chain('Start', 'Fail'),
		},
		{ nodeTypes: new TestNodeTypes({ 'CUSTOM.fail': failing }) },
	);
	expect(run.status).toBe('error');
	expect(run.data.resultData.error?.message).toContain('boom: the fix is X');
});

class CountingPoll implements INodeType {
	description = {
		displayName: 'Count Trigger',
		name: 'countTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Count' },
		polling: true as const,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const state = this.getWorkflowStaticData('node');
		state.n = ((state.n as number) ?? 0) + 1;
		return [[{ json: { n: state.n } }]];
	}
}

class TickTrigger implements INodeType {
	description = {
		displayName: 'Tick Trigger',
		name: 'tickTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Tick' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];
	async trigger(this: ITriggerFunctions) {
		const state = this.getWorkflowStaticData('node');
		const tick = () => {
			state.n = ((state.n as number) ?? 0) + 1;
			this.emit([[{ json: { n: state.n } }]]);
		};
		if (this.getMode() === 'manual') return { manualTriggerFunction: async () => tick() };
		const timer = setInterval(tick, 5);
		return { closeFunction: async () => clearInterval(timer) };
	}
}

const extra = new TestNodeTypes({
	'CUSTOM.countTrigger': new CountingPoll(),
	'CUSTOM.tickTrigger': new TickTrigger(),
});

test('poll and trigger nodes run as the start node in manual mode ("Fetch Test Event")', async () => {
	const polled = await runWorkflow(
		{
			nodes: [node('Count', 'CUSTOM.countTrigger'), node('Pass', 'n8n-nodes-base.noOp')],
			connections: chain('Count', 'Pass'),
		},
		{ nodeTypes: extra },
	);
	expect(outputOf(polled, 'Pass')[0].json).toEqual({ n: 1 });
	const triggered = await runWorkflow(
		{
			nodes: [node('Tick', 'CUSTOM.tickTrigger'), node('Pass', 'n8n-nodes-base.noOp')],
			connections: chain('Tick', 'Pass'),
		},
		{ nodeTypes: extra },
	);
	expect(outputOf(triggered, 'Pass')[0].json).toEqual({ n: 1 });
});

test('a live trigger emits until closed, and its static data survives re-activation', async () => {
	const staticData = {};
	const wf = { nodes: [node('Tick', 'CUSTOM.tickTrigger')], connections: {}, staticData };
	const first = await startTrigger(wf, 'Tick', { nodeTypes: extra });
	await first.waitForItems(3);
	await first.close();
	const count = first.items().length;
	await new Promise((r) => setTimeout(r, 30));
	expect(first.items().length).toBe(count);
	const second = await startTrigger(wf, 'Tick', { nodeTypes: extra });
	const items = await second.waitForItems(1);
	await second.close();
	expect(items[0].json.n).toBeGreaterThan(count);
});

test('webhook nodes answer HTTP requests and start executions with the request data', async () => {
	const server = new WebhookServer({
		nodes: [
			{
				...node('Hook', 'n8n-nodes-base.webhook', {
					path: 'deal-stage',
					httpMethod: 'POST',
					responseMode: 'onReceived',
					options: {},
				}),
				typeVersion: 2,
				webhookId: 'abc',
			},
			node('Pass', 'n8n-nodes-base.noOp'),
		],
		connections: chain('Hook', 'Pass'),
	});
	await server.start();
	try {
		const res = await fetch(`${server.baseUrl}/webhook/deal-stage`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ dealId: 42 }),
		});
		expect([res.status, res.status === 200 ? '' : await res.text()]).toEqual([200, '']);
		const missing = await fetch(`${server.baseUrl}/webhook/nope`, { method: 'POST' });
		expect(missing.status).toBe(404);
		const [run] = server.runs();
		expect(run.status).toBe('success');
		expect(outputOf(run, 'Pass')[0].json.body).toEqual({ dealId: 42 });
	} finally {
		await server.stop();
	}
});
