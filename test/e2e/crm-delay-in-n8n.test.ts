// CRM Delay in a real n8n: a mixed batch whose execution n8n saves between the two runs (a Wait of more than
// 65 s on the "Not Matched" branch, and n8n restarted while it waits), with "Run Now" and "Treat as Too Late":
// each item leaves once, on the right output, at the right time. On n8n versions with the opt-in "engine v2",
// CRM Delay refuses what that engine cannot do (long waits, mixed batches) with a clear error.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { until } from './imap-flow';
import type { Json } from './harness';
import { startPackagedN8n, type N8nInstance } from './n8n-instance';

const rest = require('../../scripts/lib/n8n-rest');
const versions = require('../../scripts/lib/n8n-versions');
const postgres = require('../../scripts/lib/postgres');
const rt = require('../../scripts/lib/n8n-runtime');

const log = (m: string) => process.stdout.write(`[crm-delay-e2e] ${m}\n`);
const version: string = versions.resolveVersion();
const hasEngineV2 = version !== versions.OLDEST;
let n8n: N8nInstance;

beforeAll(
	async () => {
		n8n = await startPackagedN8n({ name: 'crm-delay', log });
	},
	15 * 60 * 1000,
);

afterAll(async () => {
	await n8n?.stop();
}, 60 * 1000);

const offerOnly = {
	combine: 'all',
	conditions: {
		conditions: [
			{
				source: 'field',
				field: 'stage',
				type: 'string',
				stringOperator: 'equals',
				compareTo: 'Offer',
			},
		],
	},
};

/** Webhook -> Split Out (body.deals) -> CRM Delay -> Due: "Send Offer" (reads $('Split Out').item) / Not Matched: Wait -> "Skipped". */
async function saveWorkflow(
	name: string,
	delay: Json,
	{ waitSeconds = 66, engineV2 = false } = {},
): Promise<{ id: string; path: string }> {
	const path = `crm-delay-${randomUUID().slice(0, 8)}`;
	const node = (
		n: string,
		type: string,
		typeVersion: number,
		parameters: Json,
		extra: Json = {},
	) => ({ id: randomUUID(), name: n, type, typeVersion, position: [0, 0], parameters, ...extra });
	const main = (to: string) => [{ node: to, type: 'main', index: 0 }];
	const saved = await n8n.session.post('/rest/workflows', {
		name,
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2,
				{ path, httpMethod: 'POST', responseMode: 'onReceived', options: {} },
				{ webhookId: randomUUID() },
			),
			node('Split Out', 'n8n-nodes-base.splitOut', 1, {
				fieldToSplitOut: 'body.deals',
				options: {},
			}),
			node('CRM Delay', 'n8n-nodes-crm-mail.crmDelay', 1, delay),
			node('Send Offer', 'n8n-nodes-base.set', 3.4, {
				assignments: {
					assignments: [
						{
							id: 'a',
							name: 'startId',
							type: 'number',
							value: "={{ $('Split Out').item.json.id }}",
						},
					],
				},
				includeOtherFields: true,
				options: {},
			}),
			node(
				'Wait',
				'n8n-nodes-base.wait',
				1.1,
				{ resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' },
				{ webhookId: randomUUID() },
			),
			node('Skipped', 'n8n-nodes-base.noOp', 1, {}),
		],
		connections: {
			Webhook: { main: [main('Split Out')] },
			'Split Out': { main: [main('CRM Delay')] },
			'CRM Delay': { main: [main('Send Offer'), main('Wait')] },
			Wait: { main: [main('Skipped')] },
		},
		settings: { executionOrder: 'v1', ...(engineV2 ? { engineType: 'v2' } : {}) },
	});
	await rest.activateWorkflow(n8n.session, saved.id);
	return { id: saved.id, path };
}

async function post(path: string, body: Json): Promise<void> {
	const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (res.status >= 400)
		throw new Error(`webhook ${path} answered ${res.status}: ${await res.text()}`);
}

async function finished(workflowId: string, timeoutMs: number): Promise<Json> {
	let execution: Json;
	const done = await until(
		async () => {
			const list = await n8n.publicApi(
				'GET',
				`/executions?workflowId=${workflowId}&includeData=true&limit=5`,
			);
			execution = list.data.find((e: Json) => !['new', 'running', 'waiting'].includes(e.status));
			return Boolean(execution);
		},
		timeoutMs,
		2000,
	);
	if (!done) throw new Error(`no finished execution of ${workflowId} within ${timeoutMs / 1000} s`);
	return execution;
}

/** Items that left a node, over all its runs, and when each run started. */
function runsOf(execution: Json, node: string): Array<{ startTime: number; items: Json[] }> {
	return (execution.data.resultData.runData[node] ?? []).map((r: Json) => ({
		startTime: r.startTime,
		items: (r.data?.main?.[0] ?? []).map((i: Json) => i.json),
	}));
}

test(
	'a mixed batch with a 66 s Wait on "Not Matched" and an n8n restart during it: each item leaves once, on the right output, at the right time',
	async () => {
		const runNow = await saveWorkflow('CRM Delay e2e: after 72 s', {
			when: 'afterNow',
			amount: 1.2,
			unit: 'minutes',
			...offerOnly,
		});
		const tooLate = await saveWorkflow('CRM Delay e2e: at a date, too late', {
			when: 'atDate',
			dateSource: 'value',
			dateValue: '={{ $json.dueAt }}',
			ifPast: 'tooLate',
			...offerOnly,
		});
		const t0 = Date.now();
		const deals = (dueAt?: string) =>
			[1, 2, 3].map((id) => ({
				id,
				stage: id === 2 ? 'Won' : 'Offer',
				...(dueAt ? { dueAt } : {}),
			}));
		await post(runNow.path, { deals: deals() });
		// due 40 s from now: when the held run starts (after the 66 s Wait) the time is past, the items were due all the same
		await post(tooLate.path, { deals: deals(new Date(t0 + 40000).toISOString()) });

		await new Promise((r) => setTimeout(r, 15000));
		log('restarting n8n while both executions wait');
		await n8n.stop();
		await n8n.start();

		for (const [label, wf, dueAfterMs] of [
			['after 72 s', runNow, 72000],
			['too late', tooLate, 40000],
		] as const) {
			const execution = await finished(wf.id, 4 * 60000);
			expect({ label, status: execution.status }).toEqual({ label, status: 'success' });
			const sent = runsOf(execution, 'Send Offer');
			const skipped = runsOf(execution, 'Skipped');
			expect({
				label,
				sent: sent.map((r) => r.items.map((i) => [i.id, i.startId, i.crmDelay.status])),
			}).toEqual({
				label,
				sent: [
					[
						[1, 1, 'due'],
						[3, 3, 'due'],
					],
				],
			});
			expect({
				label,
				skipped: skipped.map((r) => r.items.map((i) => [i.id, i.crmDelay.status])),
			}).toEqual({ label, skipped: [[[2, 'notMatched']]] });
			// at the right time: "Not Matched" after its Wait, "Due" not before its time (nor before the Wait it queued behind)
			expect(skipped[0].startTime).toBeGreaterThanOrEqual(t0 + 66000);
			expect(sent[0].startTime).toBeGreaterThanOrEqual(t0 + dueAfterMs);
			expect(sent[0].items.map((i) => Object.keys(i))).not.toContainEqual(
				expect.arrayContaining(['__crmDelayHeld']),
			);
			log(
				`${label}: Skipped at +${Math.round((skipped[0].startTime - t0) / 1000)} s, Send Offer at +${Math.round((sent[0].startTime - t0) / 1000)} s`,
			);
		}
	},
	8 * 60 * 1000,
);

if (hasEngineV2) {
	test(
		'on the opt-in "engine v2": a short delay works, a long one stops with a clear error',
		async () => {
			// engine v2 keeps its executions in a PostgreSQL "data plane" of its own; n8n itself stays on SQLite
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-engine-v2-'));
			fs.chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
			const pg = await postgres.startPostgres({
				dir: path.join(dir, 'pg'),
				database: 'engine',
				log,
			});
			const [enginePort, controlPort]: number[] = await Promise.all([rt.freePort(), rt.freePort()]);
			const main = n8n;
			try {
				n8n = await startPackagedN8n({
					name: 'crm-delay-engine-v2',
					log,
					env: {
						N8N_ENABLED_MODULES: 'engine-v2',
						N8N_ENGINE_DATABASE_URL: pg.url,
						N8N_ENGINE_PORT: String(enginePort),
						N8N_ENGINE_CONTROL_PLANE_PORT: String(controlPort),
					},
				});
				const short = await saveWorkflow(
					'CRM Delay e2e: engine v2, 2 s',
					{ when: 'afterNow', amount: 2 / 60, unit: 'minutes' },
					{ engineV2: true },
				);
				await post(short.path, { deals: [{ id: 1, stage: 'Offer' }] });
				const ok = await finishedOnEngineV2(short.id);
				expect(ok.status).toBe('success');
				expect(ok.raw).toMatch(/startId/); // "Send Offer" ran after the delay
				const long = await saveWorkflow(
					'CRM Delay e2e: engine v2, 2 days',
					{ when: 'afterNow', amount: 2, unit: 'days' },
					{ engineV2: true },
				);
				await post(long.path, { deals: [{ id: 1, stage: 'Offer' }] });
				const refused = await finishedOnEngineV2(long.id);
				expect(refused.status).toBe('error');
				expect(refused.raw).toMatch(/cannot wait longer than a minute on this execution engine/);
			} finally {
				await n8n.stop();
				n8n = main;
				await pg.stop();
				fs.rmSync(dir, { recursive: true, force: true });
			}
		},
		5 * 60 * 1000,
	);
}

/** Engine v2 keeps its executions in its data plane: n8n's internal API lists them, the public one does not. */
async function finishedOnEngineV2(workflowId: string): Promise<{ status: string; raw: string }> {
	let found: Json;
	const done = await until(
		async () => {
			const list = await n8n.session.get(
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=10`,
			);
			found = (list.results ?? []).find(
				(e: Json) => !['new', 'running', 'waiting'].includes(e.status),
			);
			return Boolean(found);
		},
		60000,
		1000,
	);
	if (!done) throw new Error(`no finished execution of ${workflowId} on engine v2 within 60 s`);
	const raw = await n8n.session.request('GET', `/rest/executions/${found.id}`, undefined, {
		raw: true,
	});
	return { status: found.status, raw };
}
