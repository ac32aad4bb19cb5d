// A mail trigger workflow in a real n8n, and what reached it: the credential and the workflow (a trigger ->
// No Operation), activation and re-publishing, and the messages each execution received, read through n8n's
// public API. Works for this package's IMAP Sync Trigger and for n8n's own Email Trigger (IMAP).
import type { Json } from './harness';
import type { N8nInstance } from './n8n-instance';

const rest = require('../../scripts/lib/n8n-rest');

export const TRIGGER = 'Mail Trigger';

export interface MailAccount {
	host: string;
	port: number;
	user: string;
	password: string;
}

export type TriggerKind = 'ours' | 'n8n';

/** Creates the credential the trigger kind needs; returns its reference for a node. */
export async function createCredential(
	n8n: N8nInstance,
	kind: TriggerKind,
	account: MailAccount,
): Promise<{ type: string; id: string; name: string }> {
	const name = `${kind} ${account.user}`;
	const body =
		kind === 'ours'
			? {
					name,
					type: 'crmMailImap',
					data: {
						host: account.host,
						port: account.port,
						security: 'none',
						user: account.user,
						authentication: 'password',
						password: account.password,
						allowSelfSigned: false,
					},
				}
			: {
					name,
					type: 'imap',
					data: {
						user: account.user,
						password: account.password,
						host: account.host,
						port: account.port,
						secure: false,
						allowUnauthorizedCerts: true,
					},
				};
	const saved = await n8n.session.post('/rest/credentials', body);
	return { type: body.type, id: saved.id, name: saved.name };
}

export interface TriggerSetup {
	kind: TriggerKind;
	credential: { type: string; id: string; name: string };
	/** Our trigger's parameters (folders, firstSync, options, ...), merged over the defaults. */
	parameters?: Json;
	name?: string;
	/** Each execution waits this long after the trigger (a worker busy with it), instead of ending at once. */
	busySeconds?: number;
}

/** Folder paths as version 2 stores them: picked from the list, the move-to folder typed as a path. */
function pickedFolders(parameters: Json): Json {
	const entries = (parameters.folders as { folder?: Json[] } | undefined)?.folder;
	if (!entries) return parameters;
	const rl = (mode: string, value: unknown) =>
		typeof value === 'string' ? { __rl: true, mode, value } : value;
	return {
		...parameters,
		folders: {
			folder: entries.map((f) => ({
				...f,
				path: rl('list', f.path),
				...(f.moveTo !== undefined ? { moveTo: rl('path', f.moveTo) } : {}),
			})),
		},
	};
}

/** Saves a workflow "trigger -> No Operation"; returns its id. */
export async function createTriggerWorkflow(
	n8n: N8nInstance,
	setup: TriggerSetup,
): Promise<string> {
	const trigger =
		setup.kind === 'ours'
			? {
					type: 'n8n-nodes-crm-mail.imapSyncTrigger',
					// the version the editor adds now: folders as resource locators
					typeVersion: 2,
					parameters: pickedFolders({
						folders: {
							folder: [{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'nothing' }],
						},
						firstSync: 'new',
						...setup.parameters,
					}),
				}
			: // n8n's own, newest version, default options (it marks fetched mail as read)
				{
					type: 'n8n-nodes-base.emailReadImap',
					typeVersion: 2.1,
					parameters: { ...setup.parameters },
				};
	const workflow = {
		name: setup.name ?? `${setup.kind} mail trigger ${Date.now()}`,
		nodes: [
			{
				id: 'a0000000-0000-4000-8000-000000000001',
				name: TRIGGER,
				position: [0, 0],
				...trigger,
				credentials: {
					[setup.credential.type]: { id: setup.credential.id, name: setup.credential.name },
				},
			},
			{
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'No Operation',
				position: [220, 0],
				// a short Wait keeps each execution running for a while (it stays in memory under 65 s)
				...(setup.busySeconds
					? {
							type: 'n8n-nodes-base.wait',
							typeVersion: 1.1,
							parameters: { resume: 'timeInterval', amount: setup.busySeconds, unit: 'seconds' },
							webhookId: 'a0000000-0000-4000-8000-000000000003',
						}
					: { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }),
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	const saved = await n8n.session.post('/rest/workflows', workflow);
	return saved.id;
}

/** Activates (publishes) the workflow's current version and waits until n8n has set its trigger up. */
export async function activate(n8n: N8nInstance, id: string): Promise<void> {
	await rest.activateWorkflow(n8n.session, id);
}

export async function deactivate(n8n: N8nInstance, id: string): Promise<void> {
	await rest.deactivateWorkflow(n8n.session, id);
}

/**
 * Saves a change to the active workflow and publishes it, as an admin does after editing: n8n takes the
 * trigger down and sets the new version up.
 */
export async function republish(n8n: N8nInstance, id: string): Promise<void> {
	const wf = await n8n.session.get(`/rest/workflows/${id}`);
	const nodes = wf.nodes.map((n: Json) =>
		n.name === 'No Operation' ? { ...n, position: [n.position[0] + 20, n.position[1]] } : n,
	);
	const saved = await n8n.session.patch(`/rest/workflows/${id}`, {
		name: wf.name,
		nodes,
		connections: wf.connections,
		settings: wf.settings,
		versionId: wf.versionId,
	});
	await rest.activateWorkflow(n8n.session, id, saved.versionId);
}

export interface ExecutionSummary {
	id: string;
	status: string;
	startedAt?: string;
	stoppedAt?: string;
	/** JSON of the items the trigger emitted into this execution. */
	items: Json[];
	/** The execution's error message, if it failed. */
	error?: string;
}

/**
 * The items the trigger emitted into an execution: its run data, or, for an execution that never ran (a
 * queue-mode worker died before it saved anything: n8n marks it crashed), the trigger's output still waiting
 * in the execution's stack.
 */
function triggerItems(execution: Json): Json[] {
	const run = execution.data?.resultData?.runData?.[TRIGGER]?.[0];
	const queued = (execution.data?.executionData?.nodeExecutionStack ?? []).find(
		(s: Json) => s.node?.name === TRIGGER,
	);
	const items = run?.data?.main?.[0] ?? queued?.data?.main?.[0] ?? [];
	return items.map((i: Json) => i.json);
}

/** Every execution of the workflow with the items its trigger emitted, oldest first. */
export async function executionsOf(
	n8n: N8nInstance,
	workflowId: string,
	withData = true,
): Promise<ExecutionSummary[]> {
	const out: ExecutionSummary[] = [];
	let cursor: string | undefined;
	do {
		const page = await n8n.publicApi(
			'GET',
			`/executions?workflowId=${workflowId}&includeData=${withData}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
		);
		for (const e of page.data) {
			const items = triggerItems(e);
			out.push({
				id: String(e.id),
				status: e.status,
				startedAt: e.startedAt,
				stoppedAt: e.stoppedAt,
				items,
				error: e.data?.resultData?.error?.message,
			});
		}
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return out.sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * The executions of a workflow, read incrementally: each refresh lists ids only and loads the data of
 * executions it has not seen finished yet, one by one. Polling the full list with data would make n8n
 * serialise every execution again on each poll, which distorts its memory figures.
 */
export class ExecutionLog {
	private readonly known = new Map<string, ExecutionSummary>();

	constructor(
		private readonly n8n: N8nInstance,
		private readonly workflowId: string,
	) {}

	async refresh(): Promise<ExecutionSummary[]> {
		let cursor: string | undefined;
		const fresh: Array<{ id: string; status: string }> = [];
		do {
			const page = await this.n8n.publicApi(
				'GET',
				`/executions?workflowId=${this.workflowId}&includeData=false&limit=250${cursor ? `&cursor=${cursor}` : ''}`,
			);
			for (const e of page.data) {
				const id = String(e.id);
				const seen = this.known.get(id);
				if (!seen || (seen.status !== e.status && isFinished(e.status)))
					fresh.push({ id, status: e.status });
			}
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		for (const { id, status } of fresh) {
			if (!isFinished(status)) continue;
			const e = await this.n8n.publicApi('GET', `/executions/${id}?includeData=true`);
			const items = triggerItems(e);
			this.known.set(id, {
				id,
				status: e.status,
				startedAt: e.startedAt,
				stoppedAt: e.stoppedAt,
				items,
				error: e.data?.resultData?.error?.message,
			});
		}
		return [...this.known.values()].sort((a, b) => Number(a.id) - Number(b.id));
	}
}

const isFinished = (status: string) => !['new', 'running', 'waiting'].includes(status);

export interface DeliveryCount {
	/** Expected messages no successful execution received. */
	missing: string[];
	/** Messages received by successful executions more than once, with the number of extra copies. */
	duplicates: number;
	duplicated: string[];
	/** Distinct expected messages received. */
	received: number;
	executions: number;
	failedExecutions: number;
}

/** Compares what successful executions received (by Message-ID) with what was delivered. */
export function countDelivery(
	executions: ExecutionSummary[],
	expected: string[],
	idOf: (json: Json) => string | undefined = (j) => j.messageId,
): DeliveryCount {
	const seen = new Map<string, number>();
	for (const e of executions) {
		if (e.status !== 'success') continue;
		for (const json of e.items) {
			const id = idOf(json);
			if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
		}
	}
	const wanted = new Set(expected);
	const duplicated = [...seen].filter(([id, n]) => wanted.has(id) && n > 1).map(([id]) => id);
	return {
		missing: expected.filter((id) => !seen.has(id)),
		duplicates: [...seen].reduce((sum, [id, n]) => sum + (wanted.has(id) ? n - 1 : 0), 0),
		duplicated,
		received: expected.filter((id) => seen.has(id)).length,
		executions: executions.length,
		failedExecutions: executions.filter((e) => e.status !== 'success').length,
	};
}

/** Polls until `done()` holds (or the time is up); returns whether it held. */
export async function until(
	done: () => Promise<boolean>,
	timeoutMs: number,
	everyMs = 1000,
): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await done()) return true;
		if (Date.now() > deadline) return false;
		await new Promise((r) => setTimeout(r, everyMs));
	}
}
