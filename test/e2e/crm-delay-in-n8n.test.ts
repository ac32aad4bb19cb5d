// CRM Delay in a real n8n: a mixed batch whose execution n8n saves between the two runs (a Wait of more than
// 65 s on the "Not Matched" branch, and n8n restarted while it waits), with "Run Now" and "Treat as Too Late":
// each item leaves once, on the right output, at the right time. On n8n versions with the opt-in "engine v2",
// CRM Delay refuses what that engine cannot do (long waits, mixed batches) with a clear error.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { until } from './imap-flow';
import type { Json } from './harness';
import {
	finishedExecution,
	postWebhook,
	expectMixedBatchDone,
	startMixedBatches,
	saveDelayWorkflow,
	type DelayN8n,
} from './crm-delay-flow';
import { startPackagedN8n, type N8nInstance } from './n8n-instance';

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

/** The workflow helpers' view of the current n8n (it is replaced while the engine v2 test runs). */
const api = (): DelayN8n => ({
	session: n8n.session,
	publicApi: n8n.publicApi,
	webhookUrl: n8n.baseUrl,
});
const saveWorkflow = (
	name: string,
	delay: Json,
	o?: { waitSeconds?: number; engineV2?: boolean },
) => saveDelayWorkflow(api(), name, delay, o);
const post = (path: string, body: Json) => postWebhook(api(), path, body);
const finished = (workflowId: string, timeoutMs: number) =>
	finishedExecution(api(), workflowId, timeoutMs);

test(
	'a mixed batch with a 66 s Wait on "Not Matched" and an n8n restart during it: each item leaves once, on the right output, at the right time',
	async () => {
		const { t0, cases } = await startMixedBatches(api(), 'CRM Delay e2e');

		await new Promise((r) => setTimeout(r, 15000));
		log('restarting n8n while both executions wait');
		await n8n.stop();
		await n8n.start();

		for (const [label, wf, dueAfterMs] of cases) {
			const execution = await finished(wf.id, 4 * 60000);
			const { skippedAt, sentAt } = expectMixedBatchDone(execution, label, t0, dueAfterMs);
			log(
				`${label}: Skipped at +${Math.round((skippedAt - t0) / 1000)} s, Send Offer at +${Math.round((sentAt - t0) / 1000)} s`,
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
