// This package on n8n's distributed engine: PostgreSQL, Redis, one main process, two workers and a webhook
// processor (scripts/lib/queue-cluster.js), the package installed once into their shared user folder as the
// Community Nodes screen does. Triggers stay on main, every execution runs on a worker, webhooks (CRM Delay's
// test flow, tracking links) are served by the webhook processor; a worker is killed and stopped on the way.
import { randomBytes, randomUUID } from 'node:crypto';
import { startDovecot, type DovecotHandle } from '../harness/dovecot';
import {
	loadErrors,
	publicApi,
	runExample,
	runHelperWorkflow,
	startE2e,
	stopE2e,
	type E2eEnv,
	type Json,
	type QueueCluster,
} from '../e2e/harness';
import {
	expectMixedBatchDone,
	finishedExecution,
	startMixedBatches,
	type DelayN8n,
} from '../e2e/crm-delay-flow';
import {
	activateTrackingWorkflow,
	deactivate,
	sendTrackedMail,
	trackingEvents,
	trackingUrls,
} from '../e2e/tracking';
import { FakeEspoCrm } from '../fakes/espocrm/server';
import { executionsOnWorkers, startsOf, workersThatRan } from './cluster-facts';
import { figures, saveFigures } from './figures';
import { runImapScenario } from './imap-in-queue';
import { rotateTrackingSecret } from './tracking-secret';

const log = (m: string) => process.stdout.write(`[queue] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const THUNDERBIRD = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0';
let env: E2eEnv;
let cluster: QueueCluster;
let dv: DovecotHandle;

beforeAll(
	async () => {
		env = await startE2e({ queue: { workers: 2 } });
		cluster = env.cluster!;
		dv = await startDovecot();
		figures.worker_kills = 0;
		figures.tracking_hits = 0;
	},
	15 * 60 * 1000,
);

afterAll(async () => {
	saveFigures();
	await stopE2e();
	await dv?.stop();
}, 120 * 1000);

test('main, both workers and the webhook processor load the package from the shared user folder without error', () => {
	expect(cluster.processes.map((p) => p.name)).toEqual(['main', 'worker-1', 'worker-2', 'webhook']);
	for (const p of cluster.processes)
		expect({ process: p.name, errors: loadErrors({ ...env, logFile: p.logFile }) }).toEqual({
			process: p.name,
			errors: [],
		});
});

test(
	'IMAP Sync Trigger: one connection, on main; 500 mails in exactly one execution each, on the workers, with a worker killed (kill -9) and restarted',
	async () => {
		const result = await runImapScenario(env, dv, { log });
		figures.worker_kills! += result.kills;
		figures.missing = result.count.missing.length;
		figures.duplicated = result.count.duplicated.length;
		const { count } = result;
		log(
			`IMAP: ${result.delivered} delivered, ${count.executions} executions; missing ${count.missing.length}, duplicated ${count.duplicated.length}; ` +
				`the killed worker was running ${JSON.stringify(result.killedInFlight)} (execution: the status n8n gave it); ` +
				`${result.redelivered.length} messages delivered again by the trigger; connections to IMAP: ${JSON.stringify(result.connections)}`,
		);
		expect(result.killedInFlight.length).toBeGreaterThan(0);
		// n8n fails what the dead worker was running and keeps none of its input: the trigger delivers it again
		for (const e of result.killedInFlight)
			expect(['success', 'error', 'crashed']).toContain(e.status);
		if (result.killedInFlight.some((e) => e.status !== 'success'))
			expect(result.redelivered.length).toBeGreaterThan(0);
		expect(result.delivered).toBe(500);
		expect(result.count.missing).toEqual([]);
		expect(result.count.duplicated).toEqual([]);
		// the trigger's connection is on main, and only there
		for (const seen of result.connections) expect(seen).toEqual({ main: 1 });
		const notOnWorkers = result.executionIds.filter((id) => !workersThatRan(cluster, id).length);
		expect(notOnWorkers).toEqual([]);
	},
	12 * 60 * 1000,
);

test(
	'CRM Delay: a mixed batch waiting 66 s is saved, and resumed by a worker after the worker that started it was stopped',
	async () => {
		const api: DelayN8n = {
			session: env.session,
			publicApi: (m, p, b) => publicApi(env, m, p, b),
			webhookUrl: env.webhookUrl,
		};
		const { t0, cases } = await startMixedBatches(api, 'Queue mode: CRM Delay');
		await sleep(15000);
		const waiting: Array<{ id: string; workers: string[] }> = [];
		for (const [, wf] of cases) {
			const list = await publicApi(env, 'GET', `/executions?workflowId=${wf.id}&limit=5`);
			expect(list.data.map((e: Json) => e.status)).toEqual(['waiting']);
			const id = String(list.data[0].id);
			waiting.push({ id, workers: workersThatRan(cluster, id) });
		}
		// the worker that started the first one stops (gracefully: it has nothing running); the other stays
		expect(waiting[0].workers).toHaveLength(1);
		const stopped = cluster.workers.find((w) => w.name === waiting[0].workers[0])!;
		log(
			`waiting executions ${waiting.map((w) => `${w.id} (started on ${w.workers.join(',')})`).join(', ')}; stopping ${stopped.name}`,
		);
		await stopped.stop();
		try {
			figures.waits_resumed = await finishMixedBatches();
		} finally {
			if (!stopped.running) await stopped.start();
		}

		async function finishMixedBatches(): Promise<number> {
			let resumed = 0;
			for (const [label, wf, dueAfterMs] of cases) {
				const execution = await finishedExecution(api, wf.id, 4 * 60000);
				const { skippedAt, sentAt } = expectMixedBatchDone(execution, label, t0, dueAfterMs);
				// started twice on the workers: the first run, and the resumed one after the wait
				const starts = startsOf(cluster, String(execution.id));
				expect({ label, starts: starts.length }).toEqual({ label, starts: 2 });
				// the one whose worker was stopped was resumed by the other
				if (String(execution.id) === waiting[0].id)
					expect(new Set(starts)).toEqual(new Set(cluster.workers.map((w) => w.name)));
				resumed++;
				log(
					`${label}: Skipped at +${Math.round((skippedAt - t0) / 1000)} s, Send Offer at +${Math.round((sentAt - t0) / 1000)} s; started on ${starts.join(' and ')} (first run and resumed run)`,
				);
			}
			return resumed;
		}
	},
	8 * 60 * 1000,
);

test(
	'Email Tracking: a mail sent by a worker; its pixel, link and one-click unsubscribe at the webhook processor start executions on the workers with the event data; a forged token starts none',
	async () => {
		const workflowId = await activateTrackingWorkflow(env);
		try {
			const mail = await sendTrackedMail(env);
			const urls = trackingUrls(mail);
			expect(urls.open.startsWith(`${env.webhookUrl}/webhook/`)).toBe(true);
			const pixel = await fetch(urls.open, { headers: { 'user-agent': THUNDERBIRD } });
			expect([pixel.status, pixel.headers.get('content-type')]).toEqual([200, 'image/gif']);
			const click = await fetch(urls.click, {
				redirect: 'manual',
				headers: { 'user-agent': THUNDERBIRD },
			});
			expect([click.status, click.headers.get('location')]).toEqual([302, mail.target]);
			const oneClick = await fetch(urls.oneClick, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'List-Unsubscribe=One-Click',
			});
			expect(oneClick.status).toBe(200);
			const forgedUrl = urls.click.replace(
				/(t=.{20})(.)/,
				(_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'),
			);
			const forged = await fetch(forgedUrl, { redirect: 'manual' });
			expect([forged.status >= 400, forged.headers.get('location')]).toEqual([true, null]);
			const events = await trackingEvents(env, workflowId, 3);
			await sleep(3000); // a forged hit that started an execution would show up now
			const all = await publicApi(env, 'GET', `/executions?workflowId=${workflowId}&limit=50`);
			expect(all.data).toHaveLength(3);
			expect(events.map((e) => [e.type, e.recipient, e.messageId, e.trackingData.dealId])).toEqual(
				['opened', 'clicked', 'unsubscribed'].map((type) => [
					type,
					'customer@client.local',
					mail.messageId,
					'D-7',
				]),
			);
			for (const e of all.data)
				expect({ id: e.id, workers: workersThatRan(cluster, String(e.id)).length }).toEqual({
					id: e.id,
					workers: 1,
				});
			figures.tracking_hits! += all.data.length;
		} finally {
			await deactivate(env, workflowId);
		}
	},
	4 * 60 * 1000,
);

test(
	"Email Tracking with replay control: repeated hits at the webhook processor start one execution per link, through n8n's Redis",
	async () => {
		const workflowId = await activateTrackingWorkflow(env, 'firstPerWindow');
		const executions = async () =>
			(await publicApi(env, 'GET', `/executions?workflowId=${workflowId}&limit=100`)).data
				.length as number;
		try {
			// the import keeps the workflow of the tests before, with their executions
			const before = await executions();
			const mail = await sendTrackedMail(env);
			const urls = trackingUrls(mail);
			for (let i = 0; i < 5; i++) {
				const pixel = await fetch(urls.open, { headers: { 'user-agent': THUNDERBIRD } });
				expect(pixel.status).toBe(200);
				const click = await fetch(urls.click, {
					redirect: 'manual',
					headers: { 'user-agent': THUNDERBIRD },
				});
				expect([click.status, click.headers.get('location')]).toEqual([302, mail.target]);
			}
			const events = await trackingEvents(env, workflowId, before + 2);
			await sleep(3000); // a repeat that started an execution would show up now
			expect(await executions()).toBe(before + 2);
			expect(
				events
					.filter((e) => e.messageId === mail.messageId)
					.map((e) => e.type)
					.sort(),
			).toEqual(['clicked', 'opened']);
			figures.tracking_hits! += 10;
		} finally {
			await deactivate(env, workflowId);
		}
	},
	4 * 60 * 1000,
);

test(
	'a changed tracking secret takes effect on the webhook processor within its 10 s cache, and in the links workers sign',
	async () => {
		const workflowId = await activateTrackingWorkflow(env);
		try {
			const result = await rotateTrackingSecret(env, workflowId, randomBytes(32).toString('hex'));
			log(
				`secret changed: the webhook processor accepted the new secret ${result.acceptedAfterMs} ms after the change; old-secret hits after that accepted: ${result.oldAcceptedLater}`,
			);
			expect(result.acceptedAfterMs).toBeLessThanOrEqual(10_000 + 1500);
			expect(result.oldAcceptedLater).toBe(0);
			expect(result.newRefusedLater).toBe(0);
			// a mail a worker sends now carries links signed with the new secret
			const mail = await sendTrackedMail(env);
			const before = (await publicApi(env, 'GET', `/executions?workflowId=${workflowId}`)).data
				.length;
			await fetch(trackingUrls(mail).click, { redirect: 'manual' });
			const events = await trackingEvents(env, workflowId, before + 1);
			expect(events.some((e) => e.type === 'clicked' && e.messageId === mail.messageId)).toBe(true);
			figures.tracking_hits! += result.acceptedHits + 1;
		} finally {
			await deactivate(env, workflowId);
		}
	},
	4 * 60 * 1000,
);

test('CRM Match & Create on the EspoCRM backend runs in a worker execution', async () => {
	const fake = new FakeEspoCrm();
	fake.addApiUser({ apiKey: 'queue-key', userId: 'api1', name: 'API' });
	await fake.start();
	try {
		const cred = await env.session.post('/rest/credentials', {
			name: 'Queue EspoCRM',
			type: 'crmMailEspoCrmApi',
			data: { baseUrl: fake.baseUrl, authType: 'apiKey', apiKey: 'queue-key' },
		});
		env.credentialIds.set('queue-espocrm', { id: cred.id, name: cred.name, type: cred.type });
		const address = `lead-${randomUUID().slice(0, 8)}@newco.example`;
		const email = {
			from: [{ name: 'Jane Doe', address }],
			to: [{ name: 'Sales', address: 'sales@mycompany.com' }],
			cc: [],
			subject: 'Need a quote',
			messageId: `<${randomUUID()}@newco.example>`,
			direction: 'incoming',
			headers: {},
		};
		const execution = await runHelperWorkflow(env, {
			name: 'queue-espocrm',
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
				node('Email', 'n8n-nodes-base.code', 2, {
					jsCode: `return [{ json: ${JSON.stringify(email)} }];`,
				}),
				{
					...node('CRM', `${env.packageName}.crmMatch`, 1, {
						backend: 'espoCrm',
						operation: 'matchAndCreate',
						options: { ownAddresses: 'sales@mycompany.com' },
					}),
					credentials: { crmMailEspoCrmApi: { id: 'queue-espocrm', name: cred.name } },
				},
			],
			connections: {
				Start: { main: [[{ node: 'Email', type: 'main', index: 0 }]] },
				Email: { main: [[{ node: 'CRM', type: 'main', index: 0 }]] },
			},
		});
		expect(execution.status).toBe('success');
		expect(fake.list('Lead').map((l) => l.emailAddress)).toEqual([address]);
		expect(workersThatRan(cluster, String(execution.id))).toHaveLength(1);
		expect(fake.errors).toEqual([]);
	} finally {
		await fake.stop();
	}
});

function node(name: string, type: string, typeVersion: number, parameters: Json): Json {
	return { id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters };
}

describe('the example workflows run in queue mode with their checks', () => {
	const examples: string[] = require('../../scripts/lib/examples')
		.loadExamples()
		.map((e: { name: string }) => e.name);
	for (const name of examples)
		test(`examples/${name}.json`, async () => void (await runExample(env, name)), 180 * 1000);
});

test('every execution of the run ran on a worker', async () => {
	const ids: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await publicApi(
			env,
			'GET',
			`/executions?limit=250&includeData=false${cursor ? `&cursor=${cursor}` : ''}`,
		);
		ids.push(...page.data.map((e: Json) => String(e.id)));
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	const onWorkers = executionsOnWorkers(cluster);
	expect(ids.filter((id) => !onWorkers.has(id))).toEqual([]);
	figures.executions = ids.length;
	log(`${ids.length} executions, all started by a worker`);
});
