// Runs real workflows through n8n-core's WorkflowExecute, with this package's nodes and credentials:
// execute nodes, trigger / poll nodes (as start node in manual mode, or live with startTrigger),
// waiting executions and their resume. What the editor calls besides (dropdowns, credential tests):
// node-methods.ts.
import { ExecutionLifecycleHooks, TriggerContext, WorkflowExecute } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	ITriggerResponse,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import type { CredentialsByType } from './credentials-helper';
import { TestCredentialsHelper } from './credentials-helper';
import { TestNodeTypes } from './node-registry';

export { PACKAGE_NAME, TestNodeTypes, packageNodes, packageCredentials } from './node-registry';

export type WorkflowJson = Pick<IWorkflowBase, 'nodes' | 'connections'> &
	Partial<Pick<IWorkflowBase, 'id' | 'name' | 'settings' | 'staticData' | 'pinData'>>;

export interface RunOptions {
	credentials?: CredentialsByType;
	/** Items given to the start node (default: one empty item). */
	input?: INodeExecutionData[];
	/** Start at this node instead of the workflow's start node. */
	startNode?: string;
	/** Resume a waiting execution: the `data` of the IRun that ended with status 'waiting'. */
	resumeFrom?: IRunExecutionData;
	mode?: WorkflowExecuteMode;
	nodeTypes?: INodeTypes;
	/** Base URL of webhooks (the Email Tracking Trigger builds its links from it). */
	webhookBaseUrl?: string;
}

let executionCounter = 0;

/** The `additionalData` n8n hands every node, reduced to what nodes use, as a plain object. */
export function additionalDataFor(
	credentials: CredentialsByType = {},
	extra: Partial<IWorkflowExecuteAdditionalData> & IDataObject = {},
): IWorkflowExecuteAdditionalData {
	const base =
		(extra.webhookBaseUrl as string | undefined)?.replace(/\/webhook\/?$/, '') ??
		'http://localhost:5678';
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not supported in tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('task runners are not supported in tests');
		},
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		variables: {},
		executionId: `test-${++executionCounter}`,
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function createWorkflow(
	wf: WorkflowJson,
	nodeTypes: INodeTypes = new TestNodeTypes(),
	active = false,
): Workflow {
	return new Workflow({
		id: wf.id ?? 'test-workflow',
		name: wf.name ?? 'test workflow',
		nodes: wf.nodes,
		connections: wf.connections,
		active,
		nodeTypes,
		settings: wf.settings ?? {},
		staticData: wf.staticData ?? {},
		pinData: wf.pinData,
	});
}

/** Runs a workflow to its end (or until it waits) and returns n8n's IRun. */
export async function runWorkflow(wf: WorkflowJson, opts: RunOptions = {}): Promise<IRun> {
	const workflow = createWorkflow(wf, opts.nodeTypes);
	return await runPrepared(workflow, wf, opts);
}

export async function runPrepared(
	workflow: Workflow,
	wf: WorkflowJson,
	opts: RunOptions = {},
): Promise<IRun> {
	const mode = opts.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, `test-${++executionCounter}`, {
		...wf,
		id: workflow.id,
		name: workflow.name,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase);
	let resolveRun!: (r: IRun) => void;
	const done = new Promise<IRun>((r) => (resolveRun = r));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
	const additionalData = additionalDataFor(opts.credentials, {
		hooks,
		...(opts.webhookBaseUrl ? { webhookBaseUrl: opts.webhookBaseUrl } : {}),
	} as IDataObject);
	const startNode = opts.startNode ? workflow.getNode(opts.startNode) : workflow.getStartNode();
	if (!startNode) throw new Error('The workflow has no start node');
	// Items for a trigger start node are pinned, as n8n runs a trigger with pinned test data: the node
	// itself is not run, its pinned items leave on its output.
	const isTrigger = workflow.nodeTypes
		.getByNameAndVersion(startNode.type, startNode.typeVersion)
		.description.group.includes('trigger');
	const pinData = {
		...(wf.pinData ?? {}),
		...(opts.input && isTrigger && !opts.resumeFrom ? { [startNode.name]: opts.input } : {}),
	};
	// a waiting execution comes back from the database: nothing of the first run's objects survives
	const runExecutionData =
		(opts.resumeFrom && jsonCopy(opts.resumeFrom)) ??
		createRunExecutionData({
			resultData: { pinData },
			executionData: {
				nodeExecutionStack: [
					{ node: startNode, data: { main: [opts.input ?? [{ json: {} }]] }, source: null },
				],
			},
		});
	await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
		workflow,
	);
	return await done;
}

/** Items a node put on one of its outputs in one of its runs (throws if the node did not run). */
export function outputOf(
	run: IRun,
	nodeName: string,
	outputIndex = 0,
	runIndex = 0,
): INodeExecutionData[] {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs?.[runIndex]) {
		const error = run.data.resultData.error;
		throw new Error(
			`Node "${nodeName}" did not run${error ? `; the run failed: ${error.message}` : ''}`,
		);
	}
	return runs[runIndex].data?.main?.[outputIndex] ?? [];
}

/** Whether a node ran at all. */
export function didRun(run: IRun, nodeName: string): boolean {
	return Boolean(run.data.resultData.runData[nodeName]?.length);
}

export interface LiveTrigger {
	emitted: INodeExecutionData[][][];
	errors: Error[];
	/** Errors the trigger reported with `saveFailedExecution` (n8n shows them as failed executions). */
	failedExecutions: Error[];
	workflow: Workflow;
	response: ITriggerResponse | undefined;
	/** Resolves once at least `count` items were emitted in total (all outputs, all emits). */
	waitForItems(count: number, timeoutMs?: number): Promise<INodeExecutionData[]>;
	items(): INodeExecutionData[];
	/** Executions started by an emit whose `donePromise` has not been resolved yet. */
	running(): number;
	close(): Promise<void>;
}

export interface StartTriggerOptions {
	credentials?: CredentialsByType;
	nodeTypes?: INodeTypes;
	mode?: WorkflowExecuteMode;
	onEmit?: (data: INodeExecutionData[][]) => void;
	/**
	 * Runs the execution an emit starts; the emit's `donePromise` resolves when it settles (as n8n resolves
	 * it when the execution finished). Default: finishes at once.
	 */
	execute?: (data: INodeExecutionData[][]) => Promise<void>;
}

const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? {})) as T;

/**
 * Activates a trigger node as n8n does for an active workflow (mode 'trigger'), collecting what it emits.
 * `wf.staticData` plays the database row: the node works on a JSON copy of it, and the copy is written
 * back (through JSON) only where n8n saves a trigger's static data: at every emit, before the execution
 * starts, and once the activation returned. Deactivating saves nothing. Passing the same `staticData`
 * object to the next activation is what n8n does after a restart.
 */
export async function startTrigger(
	wf: WorkflowJson,
	nodeName: string,
	opts: StartTriggerOptions = {},
): Promise<LiveTrigger> {
	const row = (wf.staticData ?? {}) as IDataObject;
	const workflow = createWorkflow({ ...wf, staticData: jsonCopy(row) }, opts.nodeTypes, true);
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`No node named ${nodeName}`);
	const saveStaticData = () => {
		const data = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (data.__dataChanged !== true) return;
		for (const key of Object.keys(row)) delete row[key];
		Object.assign(row, jsonCopy(data));
		data.__dataChanged = false;
	};
	const emitted: INodeExecutionData[][][] = [];
	const errors: Error[] = [];
	const failedExecutions: Error[] = [];
	const listeners: Array<() => void> = [];
	let running = 0;
	const ctx = new TriggerContext(
		workflow,
		node,
		additionalDataFor(opts.credentials),
		opts.mode ?? 'trigger',
		'activate',
		(data, _responsePromise, donePromise) => {
			saveStaticData();
			emitted.push(data);
			opts.onEmit?.(data);
			listeners.forEach((l) => l());
			running++;
			const execution = opts.execute ? opts.execute(data) : Promise.resolve();
			void execution.then(
				() => {
					running--;
					donePromise?.resolve(undefined as never);
				},
				(error: Error) => {
					running--;
					donePromise?.reject(error);
				},
			);
		},
		(error) => {
			errors.push(error);
			listeners.forEach((l) => l());
		},
		(error) => {
			failedExecutions.push(error);
			listeners.forEach((l) => l());
		},
	);
	const type = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const response = (await type.trigger!.call(ctx)) ?? undefined;
	saveStaticData();
	const items = () => emitted.flatMap((d) => d.flat());
	return {
		emitted,
		errors,
		failedExecutions,
		workflow,
		response,
		items,
		running: () => running,
		async waitForItems(count, timeoutMs = 30000) {
			if (items().length >= count) return items();
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(
					() =>
						reject(
							new Error(
								`Timed out after ${timeoutMs} ms waiting for ${count} items; got ${items().length}${errors.length ? `; errors: ${errors.map((e) => e.message).join('; ')}` : ''}`,
							),
						),
					timeoutMs,
				);
				listeners.push(() => {
					if (items().length >= count) {
						clearTimeout(timer);
						resolve();
					}
				});
			});
			return items();
		},
		async close() {
			await response?.closeFunction?.();
		},
	};
}

/** `credentials` of a node JSON: a reference for every credential type the test supplies data for. */
export function credentialRefsFor(
	nodeType: INodeType,
	creds: CredentialsByType = {},
): INode['credentials'] {
	const refs: INode['credentials'] = {};
	for (const c of nodeType.description.credentials ?? []) {
		if (creds[c.name]) refs[c.name] = { id: c.name, name: c.name };
	}
	return refs;
}
