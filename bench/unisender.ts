// `npm run bench -- unisender`: 10,000 contacts through the Unisender node (workflow harness) against the
// fake Unisender enforcing the documented limits (1,200 calls/min, subscribe 300/min), once with Import
// (batches of 500) and once with Add to Lists one item at a time.
// Time scale: Unisender's minute is shrunk by UNISENDER_BENCH_SCALE (default 0.01: a minute lasts 600 ms),
// in the fake (FakeUnisender timeScale) and in the node's pacer (setTimeScale from client/pacer.ts, an
// exported function the benchmark calls; there is no user-visible parameter and the node reads no env var).
// Anchor: the fastest the limit allows for the same number of calls (calls / limit x scaled minute).
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
// Everything is required from its TypeScript source (scripts/lib/ts-require.js), as the harness loads the nodes,
// so the pacer module the benchmark scales is the very instance the node uses.
const harness = require(
	path.join(root, 'test/harness/workflow.ts'),
) as typeof import('../test/harness/workflow');
const { FakeUnisender } = require(
	path.join(root, 'test/fakes/unisender/server.ts'),
) as typeof import('../test/fakes/unisender/server');
const { setTimeScale } = require(
	path.join(root, 'nodes/Unisender/transport/pacer.ts'),
) as typeof import('../nodes/Unisender/transport/pacer');

const N = Number(process.env.UNISENDER_BENCH_CONTACTS ?? 10_000);
const SCALE = Number(process.env.UNISENDER_BENCH_SCALE ?? 0.01);

function workflow(
	parameters: Record<string, unknown>,
): import('../test/harness/workflow').WorkflowJson {
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
				onError: 'continueRegularOutput' as const,
			},
		],
		connections: { Start: { main: [[{ node: 'Unisender', type: 'main' as const, index: 0 }]] } },
	} as unknown as import('../test/harness/workflow').WorkflowJson;
}

async function main() {
	setTimeScale(SCALE);
	const fake = new FakeUnisender({ apiKeys: ['bench-key'], timeScale: SCALE });
	await fake.start();
	const credentials = { unisenderApi: { apiKey: 'bench-key', lang: 'en', baseUrl: fake.baseUrl } };
	const minute = 60_000 * SCALE;
	const input = (tag: string) =>
		Array.from({ length: N }, (_, i) => ({
			json: { email: `${tag}${i}@example.com`, name: `Contact ${i}` },
		}));
	const isRateFailure = (j: Record<string, unknown>) =>
		typeof j.error === 'string' &&
		/rate limit|api_call_limit/i.test(j.error + String(j.code ?? ''));

	async function phase(
		label: string,
		params: Record<string, unknown>,
		method: string,
		limitPerMinute: number,
	) {
		const before = { calls: fake.calls[method] ?? 0, limited: fake.rateLimited };
		const t0 = performance.now();
		const run = await harness.runWorkflow(workflow(params), { credentials, input: input(label) });
		const ms = performance.now() - t0;
		const out = run.status === 'success' ? harness.outputOf(run, 'Unisender') : [];
		const calls = (fake.calls[method] ?? 0) - before.calls;
		const failures =
			out.filter((o) => isRateFailure(o.json)).length + (run.status === 'success' ? 0 : N);
		const errors = out.filter((o) => o.json.error !== undefined).length;
		const floor = (calls / limitPerMinute) * minute * 0.9;
		console.log(
			`${label}: ${N} contacts, ${calls} ${method} calls, ${ms.toFixed(0)} ms (${method === 'subscribe' ? `fastest the 300/min limit allows ${floor.toFixed(0)} ms, ratio ${(ms / floor).toFixed(2)}` : `${(ms / Math.max(calls, 1)).toFixed(0)} ms per call`}), ` +
				`rate-limit answers ${fake.rateLimited - before.limited}, items failed on a rate limit ${failures}, other item errors ${errors - failures}, run ${run.status}`,
		);
		return { calls, failures };
	}

	const list = fake.addList('Bench');
	const imp = await phase(
		'import',
		{
			resource: 'contact',
			operation: 'importContacts',
			listIds: [String(list.id)],
			email: '={{ $json.email }}',
			fields: { field: [{ name: 'Name', value: '={{ $json.name }}' }] },
		},
		'importContacts',
		1200,
	);
	const sub = await phase(
		'subscribe',
		{
			resource: 'contact',
			operation: 'subscribe',
			listIds: [String(list.id)],
			email: '={{ $json.email }}',
			doubleOptin: 3,
			fields: { field: [{ name: 'Name', value: '={{ $json.name }}' }] },
		},
		'subscribe',
		300,
	);
	console.log(
		`contacts in the fake account: ${fake.contacts.length} (expected ${2 * N}); time scale ${SCALE} (one Unisender minute = ${minute} ms)`,
	);
	await fake.stop();
	console.log(
		`unisender: import_calls=${imp.calls} rate_limit_failures=${imp.failures + sub.failures} subscribe_calls=${sub.calls}`,
	);
}

main().then(
	() => process.exit(0),
	(e) => {
		console.error(e);
		process.exit(1);
	},
);
