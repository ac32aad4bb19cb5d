// The CRM Delay workflow of the e2e tests and how to read its executions: Webhook -> Split Out (body.deals) ->
// CRM Delay -> "Due": "Send Offer" (reads $('Split Out').item) / "Not Matched": Wait -> "Skipped". Shared by the
// single-process e2e and the queue-mode e2e (where the webhook processor serves the webhook).
import { randomUUID } from 'node:crypto';
import type { Json, Session } from './harness';
import { until } from './imap-flow';

const rest = require('../../scripts/lib/n8n-rest');

/** What the helpers need of an n8n: the editor session, the public API, and where webhooks are served. */
export interface DelayN8n {
	session: Session;
	publicApi(method: string, urlPath: string, body?: unknown): Promise<Json>;
	webhookUrl: string;
}

export const offerOnly = {
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

/** Saves and activates the workflow with these CRM Delay parameters; returns its id and webhook path. */
export async function saveDelayWorkflow(
	n8n: DelayN8n,
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

export async function postWebhook(n8n: DelayN8n, path: string, body: Json): Promise<void> {
	const res = await fetch(`${n8n.webhookUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (res.status >= 400)
		throw new Error(`webhook ${path} answered ${res.status}: ${await res.text()}`);
}

/** The first finished execution of the workflow (polls the public API). */
export async function finishedExecution(
	n8n: DelayN8n,
	workflowId: string,
	timeoutMs: number,
): Promise<Json> {
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
export function runsOf(execution: Json, node: string): Array<{ startTime: number; items: Json[] }> {
	return (execution.data.resultData.runData[node] ?? []).map((r: Json) => ({
		startTime: r.startTime,
		items: (r.data?.main?.[0] ?? []).map((i: Json) => i.json),
	}));
}

/**
 * Asserts the outcome of the mixed batch [1 Offer, 2 Won, 3 Offer] posted at t0: 1 and 3 leave "Due" once, after
 * `dueAfterMs`, still paired with their Split Out items; 2 leaves "Not Matched" once, after its 66 s Wait.
 */
export function expectMixedBatchDone(
	execution: Json,
	label: string,
	t0: number,
	dueAfterMs: number,
): { skippedAt: number; sentAt: number } {
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
	return { skippedAt: skipped[0].startTime, sentAt: sent[0].startTime };
}

/** Deals 1 and 3 in stage "Offer", 2 in "Won" (optionally each due at `dueAt`). */
export function mixedBatch(dueAt?: string): Json[] {
	return [1, 2, 3].map((id) => ({
		id,
		stage: id === 2 ? 'Won' : 'Offer',
		...(dueAt ? { dueAt } : {}),
	}));
}

export interface MixedBatchRun {
	t0: number;
	/** [label, workflow, how long after t0 its "Due" items are due] for each of the two workflows. */
	cases: Array<[string, { id: string; path: string }, number]>;
}

/**
 * Saves two CRM Delay workflows and posts the mixed batch to each: "after 72 s" (Run Now: due 72 s after
 * arrival) and "too late" (at a date 40 s away with "Treat as Too Late": past by the time the held run starts,
 * after the 66 s Wait, and due all the same).
 */
export async function startMixedBatches(n8n: DelayN8n, prefix: string): Promise<MixedBatchRun> {
	const runNow = await saveDelayWorkflow(n8n, `${prefix}: after 72 s`, {
		when: 'afterNow',
		amount: 1.2,
		unit: 'minutes',
		...offerOnly,
	});
	const tooLate = await saveDelayWorkflow(n8n, `${prefix}: at a date, too late`, {
		when: 'atDate',
		dateSource: 'value',
		dateValue: '={{ $json.dueAt }}',
		ifPast: 'tooLate',
		...offerOnly,
	});
	const t0 = Date.now();
	await postWebhook(n8n, runNow.path, { deals: mixedBatch() });
	await postWebhook(n8n, tooLate.path, { deals: mixedBatch(new Date(t0 + 40000).toISOString()) });
	return {
		t0,
		cases: [
			['after 72 s', runNow, 72000],
			['too late', tooLate, 40000],
		],
	};
}
