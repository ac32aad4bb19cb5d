// End-to-end harness: this package packed, installed into a fresh n8n user folder exactly as n8n's Community
// Nodes installer does, the pinned n8n started on a free port with an owner, an API key, the mail sandbox, a
// Unisender stand-in (the fake of test/fakes/unisender on a free port) and the example workflows. Example checks live in test/e2e/checks/<example name>.ts (default export: ExampleCheck).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeBitrix24 } from '../fakes/bitrix24/server';
import { FakeUnisender, type FakeList } from '../fakes/unisender/server';

const rt = require('../../scripts/lib/n8n-runtime');
const examplesLib = require('../../scripts/lib/examples');
const sandboxLib = require('../../scripts/sandbox');
const queueLib = require('../../scripts/lib/queue-cluster');

export const REPO = path.resolve(__dirname, '..', '..');
export const E2E_DIR = path.join(REPO, '.e2e');
export const SCREENSHOTS = path.join(REPO, 'screenshots');
// For trying the harness on another package: a ready tarball and its examples folder.
const TARBALL = process.env.CRM_MAIL_TARBALL;
export const EXAMPLES_DIR: string = process.env.CRM_MAIL_EXAMPLES_DIR || examplesLib.EXAMPLES_DIR;

/** n8n's REST answers are untyped JSON; tests pick the fields they assert on. */
export type Json = any;

export interface Session {
	baseUrl: string;
	cookieHeader: string;
	get(p: string): Promise<Json>;
	post(p: string, body?: unknown): Promise<Json>;
	patch(p: string, body?: unknown): Promise<Json>;
	request(method: string, p: string, body?: unknown, opts?: { raw?: boolean }): Promise<Json>;
}

export interface Sandbox {
	host: string;
	imapPort: number;
	imapsPort: number;
	smtpPort: number;
	lmtpPort: number;
	users: Record<'sales' | 'customer', { user: string; pass: string }>;
	/** The Bitrix24 stand-in (test/fakes/bitrix24), null when it could not start. */
	bitrix24: { fake: FakeBitrix24 } | null;
	vars: Record<string, unknown>;
	stop(): Promise<void>;
}

export interface Example {
	name: string;
	file: string;
	workflow: {
		name: string;
		nodes: Array<{ name: string; type: string; disabled?: boolean }>;
		[k: string]: unknown;
	};
}

export interface E2eEnv {
	baseUrl: string;
	/** Where production webhooks are served: the main process, or in queue mode the webhook processor. */
	webhookUrl: string;
	/** Queue mode: the cluster (main, workers, webhook processor, PostgreSQL, Redis). */
	cluster: QueueCluster | null;
	session: Session;
	apiKey: string;
	login: { email: string; password: string };
	userFolder: string;
	packageName: string;
	packageDirectory: string;
	/** package.json `n8n` section of the installed package */
	n8nSection: { nodes: string[]; credentials: string[] };
	sandbox: Sandbox | null;
	examples: Example[];
	/** example name -> id of the imported workflow */
	workflowIds: Map<string, string>;
	importErrors: Map<string, string>;
	/** id in examples/credentials.json -> the credential n8n saved */
	credentialIds: Map<string, { id: string; name: string; type: string }>;
	/** What the "Sandbox Email Tracking" credential holds: a random secret, the trigger's production URL. */
	tracking: { secret: string; baseUrl: string };
	/** The Unisender stand-in the "Sandbox Unisender" credential points at (state readable in `fake`). */
	unisender: { baseUrl: string; apiKey: string; lists: FakeList[]; fake: FakeUnisender };
	logFile: string;
}

export interface Execution {
	id: string | number;
	status: string;
	finished: boolean;
	workflowId: string;
	startedAt?: string;
	stoppedAt?: string;
	data: { resultData: { runData: Record<string, Json[]>; error?: { message: string } } };
}

export interface ExampleCheck {
	/** Runs before the workflow is activated or run (e.g. sets up what the example needs). */
	prepare?(env: E2eEnv): Promise<void>;
	/**
	 * Of the executions that appear after triggering, the example's (default: the first). Executions it
	 * rejects are skipped (e.g. a mail trigger also emitting older mail on its first sync).
	 */
	pick?(execution: Execution, env: E2eEnv): boolean;
	/** Makes a workflow fire whose trigger is neither a manual trigger nor a webhook (e.g. sends a mail). */
	trigger?(env: E2eEnv): Promise<void>;
	/** Body for the webhook of a webhook-started example. */
	webhookBody?: unknown;
	/** Asserts the example's results; the default only requires a successful execution. */
	check?(execution: Execution, env: E2eEnv): void | Promise<void>;
	timeoutMs?: number;
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** scripts/lib/queue-cluster.js */
export interface ClusterProcess {
	name: string;
	pid: number | undefined;
	logFile: string;
	running: boolean;
	start(): Promise<ClusterProcess>;
	stop(): Promise<void>;
	kill(): Promise<void>;
}
export interface QueueCluster {
	main: ClusterProcess;
	workers: ClusterProcess[];
	webhook: ClusterProcess;
	processes: ClusterProcess[];
	baseUrl: string;
	webhookUrl: string;
	postgres: { url: string; port: number };
	stop(): Promise<void>;
}

export interface StartOptions {
	/** n8n in queue mode (scripts/lib/queue-cluster.js) instead of one n8n process. */
	queue?: { workers: number };
}

let current: E2eEnv | null = null;
// Everything started so far, also while startE2e is still running (a beforeAll timeout must not leak n8n).
const stoppers: Array<() => Promise<void>> = [];
async function stop(): Promise<void> {
	for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
}

/** Builds, packs, installs and starts everything; call stopE2e() in afterAll. */
export async function startE2e(options: StartOptions = {}): Promise<E2eEnv> {
	current = null;
	const log = (m: string) => process.stdout.write(`[e2e] ${m}\n`);
	const userFolder = path.join(E2E_DIR, options.queue ? 'queue' : 'n8n');
	fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-e2e-pack-'));
	try {
		const tarball = TARBALL || (await rt.buildAndPack({ destDir: packDir, log }));
		const installed = await rt.installPackageAsCommunityNode({ userFolder, tarball, log });
		const runtime = await rt.ensureN8n({ log });
		const examples: Example[] = examplesLib.loadExamples(EXAMPLES_DIR);
		let sandbox: Sandbox | null = null;
		if (examples.length) {
			// fresh mailboxes on free ports; the examples' credentials point at them
			const dir = path.join(E2E_DIR, 'sandbox');
			fs.rmSync(dir, { recursive: true, force: true });
			sandbox = await sandboxLib.startSandbox({ dir, ports: {}, log });
			stoppers.push(() => sandbox!.stop());
		}
		const fake = new FakeUnisender({ apiKeys: [`e2e-${randomBytes(8).toString('hex')}`] });
		// list 1 is the examples' default list
		const lists = ['CRM clients', 'Offer openers'].map((t) => fake.addList(t));
		await fake.start();
		stoppers.push(() => fake.stop());
		const unisender = { baseUrl: fake.baseUrl, apiKey: [...fake.apiKeys][0], lists, fake };
		const port = await freePort();
		let cluster: QueueCluster | null = null;
		let n8n: { baseUrl: string; logFile: string };
		if (options.queue) {
			cluster = (await queueLib.startQueueCluster({
				userFolder,
				port,
				runtime,
				log,
				workers: options.queue.workers,
			})) as QueueCluster;
			stoppers.push(() => cluster!.stop());
			n8n = { baseUrl: cluster.baseUrl, logFile: cluster.main.logFile };
		} else {
			const onSpawn = (stopN8n: () => Promise<void>) => stoppers.push(stopN8n);
			n8n = await rt.startN8n({
				userFolder,
				port,
				runtime,
				log,
				listenAddress: '127.0.0.1',
				onSpawn,
			});
		}
		const webhookUrl = cluster ? cluster.webhookUrl : n8n.baseUrl;
		const login = {
			email: 'owner@crm.local',
			password: 'E2e-owner-Pass1',
			firstName: 'E2E',
			lastName: 'Owner',
		};
		const { session } = await rt.setupOwner(n8n.baseUrl, login);
		const { apiKey } = await rt.createApiKey(session, 'e2e');
		const tracking = {
			secret: randomBytes(32).toString('hex'),
			baseUrl: examplesLib.trackingBaseUrl(webhookUrl, examples) as string,
		};
		const vars = {
			sandbox: sandbox ? sandbox.vars : sandboxLib.offlineVars(),
			apiKey,
			n8nUrl: n8n.baseUrl,
			tracking,
			unisender: { apiKey: unisender.apiKey, baseUrl: unisender.baseUrl },
		};
		const imported = await examplesLib.importExamples(session, {
			vars,
			dir: EXAMPLES_DIR,
			activate: false,
			log,
		});
		const workflowIds = new Map<string, string>();
		const importErrors = new Map<string, string>();
		for (const w of imported.workflows) {
			if (w.error) importErrors.set(w.name, w.error);
			else workflowIds.set(w.name, w.id);
		}
		const pkg = JSON.parse(
			fs.readFileSync(path.join(installed.packageDirectory, 'package.json'), 'utf8'),
		);
		const env: E2eEnv = {
			baseUrl: n8n.baseUrl,
			webhookUrl,
			cluster,
			session,
			apiKey,
			login,
			userFolder,
			packageName: installed.name,
			packageDirectory: installed.packageDirectory,
			n8nSection: { nodes: pkg.n8n?.nodes ?? [], credentials: pkg.n8n?.credentials ?? [] },
			sandbox,
			examples,
			workflowIds,
			importErrors,
			credentialIds: imported.credentials,
			tracking,
			unisender,
			logFile: n8n.logFile,
		};
		current = env;
		return env;
	} finally {
		// on failure stop what did start; jest then reports the error of beforeAll
		if (!current) await stop();
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

export async function stopE2e(): Promise<void> {
	await stop();
	current = null;
}

/** Loads a dist file of the installed package the way n8n does and returns its exported class instance. */
function instantiate(file: string, packageDirectory: string): Json {
	const full = path.join(packageDirectory, file);
	const mod = require(full);
	const Cls = Object.values(mod).find((v) => typeof v === 'function') as new () => Json;
	if (!Cls) throw new Error(`${file} exports no class`);
	return new Cls();
}

/** The node type names (`<package>.<name>`) and credential names the package.json lists. */
export function expectedTypes(env: E2eEnv): {
	nodes: Array<{ file: string; type: string; displayName: string; usableAsTool: boolean }>;
	credentials: Array<{ file: string; name: string }>;
} {
	// The installed package has no n8n-workflow (n8n provides it); .e2e/ lies inside the repo, so its
	// require('n8n-workflow') resolves to the repo's node_modules.
	return {
		nodes: env.n8nSection.nodes.map((file) => {
			const d = instantiate(file, env.packageDirectory).description;
			return {
				file,
				type: `${env.packageName}.${d.name}`,
				displayName: d.displayName,
				usableAsTool: d.usableAsTool === true,
			};
		}),
		credentials: env.n8nSection.credentials.map((file) => ({
			file,
			name: instantiate(file, env.packageDirectory).name,
		})),
	};
}

/**
 * The problems n8n's log reports about this package. A healthy load prints nothing about it; a failed one
 * prints the error message followed by a require stack naming the package's files.
 */
export function loadErrors(
	env: Pick<E2eEnv, 'logFile' | 'packageName' | 'packageDirectory'>,
): string[] {
	const lines = fs.readFileSync(env.logFile, 'utf8').split('\n');
	const found = new Set<string>();
	lines.forEach((line, i) => {
		const mentions = line.includes(env.packageDirectory) || line.includes(`/${env.packageName}/`);
		const named =
			line.includes(env.packageName) && /error|fail|cannot|unrecognized|invalid/i.test(line);
		if (!mentions && !named) return;
		let j = i; // walk back from a stack line to the message it belongs to
		while (j > 0 && /^\s*(- |at |Require stack)/.test(lines[j])) j--;
		found.add(lines[j].trim());
	});
	return [...found];
}

export function exampleCheck(name: string): ExampleCheck {
	const file = path.join(__dirname, 'checks', `${name}.ts`);
	if (!fs.existsSync(file)) return {};
	const mod = require(file);
	return (mod.default ?? mod) as ExampleCheck;
}

/** Calls n8n's public API (`/api/v1`) with the e2e API key. */
export function publicApi(
	env: E2eEnv,
	method: string,
	urlPath: string,
	body?: unknown,
): Promise<Json> {
	return rt.publicApi(env.baseUrl, env.apiKey, method, urlPath, body);
}

/** Executions of a workflow, oldest first. */
async function executionsOf(env: E2eEnv, workflowId: string): Promise<Array<{ id: string }>> {
	const list = await rt.publicApi(
		env.baseUrl,
		env.apiKey,
		'GET',
		`/executions?workflowId=${workflowId}&limit=100`,
	);
	return [...list.data].sort((a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id));
}

/**
 * Imports a helper workflow (a manual trigger and what follows it; credentials referenced by their id in
 * examples/credentials.json), runs it as the editor does and returns its finished execution.
 */
export async function runHelperWorkflow(
	env: E2eEnv,
	workflow: { name: string; nodes: Json[]; connections: Json },
	timeoutMs = 60000,
): Promise<Execution> {
	const [saved] = await rt.importWorkflows(
		env.session,
		[{ file: `e2e-helper-${workflow.name}`, workflow }],
		{ credentialMap: env.credentialIds },
	);
	const executionId = await rt.runManually(env.session, saved.id);
	return rt.waitForExecution(env.baseUrl, env.apiKey, executionId, { timeoutMs });
}

/**
 * Runs one example in n8n and returns its finished execution: a manual trigger is run as the editor's
 * "Execute workflow" does; a webhook is activated and called; any other trigger is activated and fired by the
 * example's check `trigger()`. The check's `prepare()` runs first; a workflow the harness activated is
 * deactivated again once its execution is found. Then the example's check (or "status success") is asserted.
 */
export async function runExample(env: E2eEnv, name: string): Promise<Execution> {
	const example = env.examples.find((e) => e.name === name);
	if (!example) throw new Error(`No example "${name}" in ${EXAMPLES_DIR}`);
	const id = env.workflowIds.get(name);
	if (!id)
		throw new Error(`examples/${example.file} was not imported: ${env.importErrors.get(name)}`);
	const spec = exampleCheck(name);
	const timeoutMs = spec.timeoutMs ?? 60000;
	const manual = example.workflow.nodes.find(
		(n) => !n.disabled && n.type === 'n8n-nodes-base.manualTrigger',
	);
	if (spec.prepare) await spec.prepare(env);
	let execution: Execution;
	if (manual && !spec.trigger) {
		const executionId = await rt.runManually(env.session, id, manual.name);
		execution = await rt.waitForExecution(env.baseUrl, env.apiKey, executionId, { timeoutMs });
	} else {
		const wf = await env.session.get(`/rest/workflows/${id}`);
		const before = new Set((await executionsOf(env, id)).map((e) => String(e.id)));
		if (!wf.active) await rt.activateWorkflow(env.session, id, wf.versionId);
		try {
			execution = await fireAndFind(env, example, id, spec, before, timeoutMs);
		} finally {
			// a trigger left active keeps reacting (the two mail examples share one mailbox)
			if (!wf.active) await rt.deactivateWorkflow(env.session, id).catch(() => undefined);
		}
	}
	if (spec.check) {
		await spec.check(execution, env);
	} else if (execution.status !== 'success') {
		const err = execution.data?.resultData?.error?.message ?? 'no error message';
		throw new Error(`Example ${name} ended with status ${execution.status}: ${err}`);
	}
	return execution;
}

/** Fires an active example (its check's trigger(), or its webhook) and waits for the example's execution. */
async function fireAndFind(
	env: E2eEnv,
	example: Example,
	id: string,
	spec: ExampleCheck,
	before: Set<string>,
	timeoutMs: number,
): Promise<Execution> {
	const webhook = example.workflow.nodes.find(
		(n) => !n.disabled && n.type === 'n8n-nodes-base.webhook',
	) as Json;
	if (spec.trigger) {
		await spec.trigger(env);
	} else if (webhook) {
		const method = webhook.parameters?.httpMethod ?? 'GET';
		const res = await fetch(`${env.webhookUrl}/webhook/${webhook.parameters?.path}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: method === 'GET' ? undefined : JSON.stringify(spec.webhookBody ?? {}),
		});
		if (res.status >= 500)
			throw new Error(`Webhook of ${example.name} answered ${res.status}: ${await res.text()}`);
	} else {
		throw new Error(
			`examples/${example.file} starts with a trigger n8n cannot run on demand; add test/e2e/checks/${example.name}.ts with a trigger() that fires it`,
		);
	}
	const deadline = Date.now() + timeoutMs;
	const skipped: string[] = [];
	for (;;) {
		const fresh = (await executionsOf(env, id)).find((e) => !before.has(String(e.id)));
		if (fresh) {
			before.add(String(fresh.id));
			const left = Math.max(1000, deadline - Date.now());
			const candidate: Execution = await rt.waitForExecution(
				env.baseUrl,
				env.apiKey,
				String(fresh.id),
				{ timeoutMs: left },
			);
			if (!spec.pick || spec.pick(candidate, env)) return candidate;
			skipped.push(`${candidate.id} (${candidate.status})`);
			continue;
		}
		if (Date.now() > deadline) {
			const also = skipped.length
				? `; skipped executions that were not the example's: ${skipped.join(', ')}`
				: '';
			throw new Error(
				`${example.name}: no execution within ${timeoutMs / 1000} s after triggering${also}`,
			);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
}
