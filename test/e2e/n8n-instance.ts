// One real n8n with this package installed as the Community Nodes screen does, in its own user folder, that a
// test can stop gracefully, kill, and start again on the same data: what users do when they restart, upgrade
// or lose a server. Used by the IMAP e2e tests and the imap-n8n benchmark.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Json, Session } from './harness';

const rt = require('../../scripts/lib/n8n-runtime');

export const E2E_ROOT = path.resolve(__dirname, '..', '..', '.e2e');

export interface N8nInstance {
	baseUrl: string;
	session: Session;
	apiKey: string;
	/** The owner's sign-in (for the editor in a browser). */
	login: { email: string; password: string };
	userFolder: string;
	logFile: string;
	/** PID of n8n's main process. */
	pid(): number;
	/** Resident memory of n8n's main process, MB. */
	rssMb(): number;
	/** SIGTERM and wait for n8n to exit (n8n deactivates its triggers and waits for running executions). */
	stop(): Promise<void>;
	/** SIGKILL to n8n and its task runner: a crash. */
	kill(): Promise<void>;
	/** Starts n8n again on the same user folder and port. */
	start(): Promise<void>;
	publicApi(method: string, urlPath: string, body?: unknown): Promise<Json>;
}

export interface StartOptions {
	/** Folder name under .e2e/ (emptied first). */
	name: string;
	env?: Record<string, string>;
	log?: (m: string) => void;
}

/** The packed package: CRM_MAIL_TARBALL (set by the e2e global setup), else built and packed now. */
export async function packedTarball(log: (m: string) => void = () => {}): Promise<string> {
	if (process.env.CRM_MAIL_TARBALL && fs.existsSync(process.env.CRM_MAIL_TARBALL))
		return process.env.CRM_MAIL_TARBALL;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-pack-'));
	const tarball = await rt.buildAndPack({ destDir: dir, log });
	process.env.CRM_MAIL_TARBALL = tarball;
	return tarball;
}

export async function startPackagedN8n(o: StartOptions): Promise<N8nInstance> {
	const log = o.log ?? (() => {});
	const userFolder = path.join(E2E_ROOT, o.name);
	fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	await rt.installPackageAsCommunityNode({ userFolder, tarball: await packedTarball(log), log });
	const runtime = await rt.ensureN8n({ log });
	const port: number = await rt.freePort();
	let proc: { process: { pid: number }; stop(): Promise<void>; logFile: string } | undefined;
	const boot = async () => {
		proc = await rt.startN8n({
			userFolder,
			port,
			runtime,
			log,
			listenAddress: '127.0.0.1',
			env: o.env ?? {},
		});
	};
	await boot();
	const baseUrl = `http://localhost:${port}`;
	const login = {
		email: 'owner@crm.local',
		password: 'E2e-owner-Pass1',
		firstName: 'E2E',
		lastName: 'Owner',
	};
	const { session } = await rt.setupOwner(baseUrl, login);
	const { apiKey } = await rt.createApiKey(session, o.name);
	const instance: N8nInstance = {
		baseUrl,
		session,
		apiKey,
		login,
		userFolder,
		logFile: proc!.logFile,
		pid: () => proc!.process.pid,
		rssMb: () => rssMb(proc!.process.pid),
		async stop() {
			await proc?.stop();
			proc = undefined;
		},
		async kill() {
			const pid = proc!.process.pid;
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// already gone
			}
			await proc!.stop(); // reaps what is left of the group
			proc = undefined;
		},
		async start() {
			await boot();
			// the session cookie is signed with the instance's key: still valid, but log in again to be sure
			Object.assign(instance.session, (await rt.login(baseUrl, login)) as Session);
		},
		publicApi: (method, urlPath, body) => rt.publicApi(baseUrl, apiKey, method, urlPath, body),
	};
	return instance;
}

function rssMb(pid: number): number {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
		return Math.round(kb / 1024);
	} catch {
		return 0;
	}
}
