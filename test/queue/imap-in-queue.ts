// The IMAP Sync Trigger in queue mode: the trigger (and its IMAP connection) lives on the main process only,
// each batch runs as an execution on a worker, and mail delivered while a worker is killed (kill -9) and
// started again reaches exactly one execution: a successful one, or one n8n reports as crashed.
import type { DovecotHandle } from '../harness/dovecot';
import { newUser } from '../harness/dovecot';
import type { E2eEnv, QueueCluster } from '../e2e/harness';
import { publicApi } from '../e2e/harness';
import {
	activate,
	createCredential,
	createTriggerWorkflow,
	deactivate,
	executionsOf,
	until,
} from '../e2e/imap-flow';
import { deliverSteadily } from '../e2e/imap-restarts';
import type { N8nInstance } from '../e2e/n8n-instance';
import { connectionsTo, countQueueDelivery, type QueueDelivery } from './cluster-facts';

const queueLib = require('../../scripts/lib/queue-cluster');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The main process as the mail trigger helpers see an n8n (editor session and public API). */
export function mainOf(env: E2eEnv): N8nInstance {
	return {
		baseUrl: env.baseUrl,
		session: env.session,
		apiKey: env.apiKey,
		publicApi: (method: string, urlPath: string, body?: unknown) =>
			publicApi(env, method, urlPath, body),
	} as unknown as N8nInstance;
}

export interface ImapQueueResult {
	delivered: number;
	/** Messages processed by successful executions. */
	count: QueueDelivery;
	/** Messages the trigger delivered again (marked `redelivered`): those of the executions n8n lost. */
	redelivered: string[];
	/** Connections to Dovecot's IMAP port per cluster process, while mail arrived and after the kill. */
	connections: Array<Record<string, number>>;
	executionIds: string[];
	kills: number;
	/** The executions the killed worker was running, and the status n8n gave them. */
	killedInFlight: Array<{ id: string; status: string }>;
}

/**
 * Delivers `messages` into a watched INBOX at a steady rate; a third of the way in, kills `victim` and starts it
 * again 5 s later. Waits until every message is in an execution (or 5 minutes pass) and counts.
 */
export async function runImapScenario(
	env: E2eEnv,
	dv: DovecotHandle,
	{ messages = 500, everyMs = 60, log = (_m: string) => {} } = {},
): Promise<ImapQueueResult> {
	const cluster = env.cluster as QueueCluster;
	const n8n = mainOf(env);
	const { user } = newUser('queue');
	const credential = await createCredential(n8n, 'ours', {
		host: dv.host,
		port: dv.imapPort,
		user,
		password: 'pass',
	});
	const workflowId = await createTriggerWorkflow(n8n, {
		kind: 'ours',
		credential,
		parameters: { options: { batchSize: 20 } },
		name: 'Queue mode: IMAP',
		// executions last a few seconds, so the killed worker has some in flight
		busySeconds: 3,
	});
	await activate(n8n, workflowId);
	const connections: Array<Record<string, number>> = [];
	let inFlight: string[] = [];
	try {
		const delivery = deliverSteadily(dv, user, 'queue', messages, everyMs);
		await sleep((messages * everyMs) / 3);
		connections.push(connectionsTo(cluster, dv.imapPort));
		// the victim: a worker with an execution of this workflow in flight
		let victim = cluster.workers[0];
		await until(
			async () => {
				for (const w of cluster.workers) {
					inFlight = queueLib.executionsRunningOn(w);
					victim = w;
					if (inFlight.length) return true;
				}
				return false;
			},
			20000,
			50,
		);
		log(
			`kill -9 ${victim.name} (pid ${victim.pid}) while it runs executions ${inFlight.join(', ')}`,
		);
		await victim.kill();
		await sleep(5000);
		await victim.start();
		log(`${victim.name} started again (pid ${victim.pid})`);
		const delivered = await delivery;
		log(`${delivered.length} messages delivered; waiting until each is in an execution`);
		await until(
			async () =>
				countQueueDelivery(await executionsOf(n8n, workflowId), delivered).missing.length === 0,
			5 * 60000,
			3000,
		);
		await sleep(5000); // a duplicate, if any, would show up now
		connections.push(connectionsTo(cluster, dv.imapPort));
		const executions = await executionsOf(n8n, workflowId);
		return {
			delivered: delivered.length,
			count: countQueueDelivery(executions, delivered),
			redelivered: executions
				.filter((e) => e.status === 'success')
				.flatMap((e) => e.items.filter((i) => i.redelivered).map((i) => i.messageId as string)),
			connections,
			executionIds: executions.map((e) => e.id),
			kills: 1,
			killedInFlight: inFlight.map((id) => ({
				id,
				status: executions.find((e) => e.id === id)?.status ?? 'not found',
			})),
		};
	} finally {
		await deactivate(n8n, workflowId).catch(() => undefined);
	}
}
