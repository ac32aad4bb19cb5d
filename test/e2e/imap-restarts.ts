// The restart scenario in a real n8n, shared by the e2e test and the imap-n8n benchmark: mail is delivered by
// LMTP at a steady rate into a watched INBOX while n8n is restarted gracefully, the active workflow is
// re-published, and (in a second phase, with other mail) n8n is killed. Then the messages the successful
// executions received are counted against the messages delivered.
import type { DovecotHandle } from '../harness/dovecot';
import { deliverLmtp, newUser } from '../harness/dovecot';
import {
	activate,
	countDelivery,
	createCredential,
	createTriggerWorkflow,
	executionsOf,
	republish,
	until,
	type DeliveryCount,
} from './imap-flow';
import type { N8nInstance } from './n8n-instance';

export interface RestartPlan {
	/** Messages delivered during the graceful phase (restarts and re-publishes). */
	messages: number;
	gracefulRestarts: number;
	republishes: number;
	/** Messages delivered during the crash phase. */
	crashMessages: number;
	kills: number;
	/** Pause between two deliveries. */
	deliveryEveryMs: number;
}

export const DEFAULT_PLAN: RestartPlan = {
	messages: 500,
	gracefulRestarts: 5,
	republishes: 2,
	crashMessages: 200,
	kills: 2,
	deliveryEveryMs: 120,
};

export interface RestartResult {
	graceful: DeliveryCount;
	crash: DeliveryCount;
	/** The trigger's batch size: what one batch in flight can repeat after a kill. */
	batchSize: number;
	workflowId: string;
	events: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rawMessage(id: string): string {
	return [
		`From: Client <client@example.org>`,
		`To: sales@test.local`,
		`Subject: Lead ${id}`,
		`Message-ID: <${id}>`,
		`Date: ${new Date().toUTCString()}`,
		'',
		`Body of ${id}.`,
		'',
	].join('\r\n');
}

/** Delivers `count` messages one after another; returns the Message-IDs the server accepted. */
export async function deliverSteadily(
	dv: DovecotHandle,
	user: string,
	prefix: string,
	count: number,
	everyMs: number,
): Promise<string[]> {
	const accepted: string[] = [];
	for (let i = 0; i < count; i++) {
		const id = `${prefix}-${i}@restarts.test`;
		// never re-sent: a retry could store a second copy, which would look like a duplicate
		await deliverLmtp(dv, user, rawMessage(id)).then(
			() => accepted.push(`<${id}>`),
			() => undefined,
		);
		await sleep(everyMs);
	}
	return accepted;
}

export async function runRestartScenario(
	n8n: N8nInstance,
	dv: DovecotHandle,
	plan: RestartPlan = DEFAULT_PLAN,
	log: (m: string) => void = () => {},
): Promise<RestartResult> {
	const { user } = newUser('restarts');
	const credential = await createCredential(n8n, 'ours', {
		host: dv.host,
		port: dv.imapPort,
		user,
		password: 'pass',
	});
	const batchSize = 50;
	const workflowId = await createTriggerWorkflow(n8n, {
		kind: 'ours',
		credential,
		parameters: { options: { batchSize } },
		name: 'Restarts',
	});
	await activate(n8n, workflowId);
	const events: string[] = [];

	// graceful: restarts and re-publishes spread over the delivery
	const gracefulDelivery = deliverSteadily(
		dv,
		user,
		'graceful',
		plan.messages,
		plan.deliveryEveryMs,
	);
	const steps = interleave(plan.gracefulRestarts, plan.republishes);
	const gap = (plan.messages * plan.deliveryEveryMs) / (steps.length + 1);
	for (const step of steps) {
		await sleep(gap * (0.5 + Math.random()));
		if (step === 'restart') {
			await n8n.stop();
			await n8n.start();
		} else {
			await republish(n8n, workflowId);
		}
		events.push(step);
		log(`${step} done`);
	}
	const graceful = await gracefulDelivery;
	const gracefulCount = await settle(n8n, workflowId, graceful);
	log(
		`graceful phase: ${graceful.length} delivered, missing ${gracefulCount.missing.length}, duplicates ${gracefulCount.duplicates}`,
	);

	// crashes: kill -9 while mail arrives, start again
	const crashDelivery = deliverSteadily(
		dv,
		user,
		'crash',
		plan.crashMessages,
		plan.deliveryEveryMs,
	);
	const crashGap = (plan.crashMessages * plan.deliveryEveryMs) / (plan.kills + 1);
	for (let k = 0; k < plan.kills; k++) {
		await sleep(crashGap * (0.5 + Math.random()));
		await n8n.kill();
		await n8n.start();
		events.push('kill');
		log('kill -9 and start done');
	}
	const crash = await crashDelivery;
	const crashCount = await settle(n8n, workflowId, crash);
	log(
		`crash phase: ${crash.length} delivered, missing ${crashCount.missing.length}, duplicates ${crashCount.duplicates}`,
	);
	return { graceful: gracefulCount, crash: crashCount, batchSize, workflowId, events };
}

/** Waits until every delivered message was received (or two minutes passed), then counts once more. */
async function settle(
	n8n: N8nInstance,
	workflowId: string,
	delivered: string[],
): Promise<DeliveryCount> {
	await until(
		async () => countDelivery(await executionsOf(n8n, workflowId), delivered).missing.length === 0,
		120000,
		2000,
	);
	await sleep(3000); // a duplicate, if any, would show up now
	return countDelivery(await executionsOf(n8n, workflowId), delivered);
}

function interleave(restarts: number, republishes: number): Array<'restart' | 'republish'> {
	const out: Array<'restart' | 'republish'> = [];
	for (let r = restarts, p = republishes; r + p > 0;) {
		if (r > 0) {
			out.push('restart');
			r--;
		}
		if (p > 0) {
			out.push('republish');
			p--;
		}
	}
	return out;
}
