// A new user's first hour, checked from outside: `npm start` as a user runs it (its own throw-away data folders,
// the default ports), an example renamed and published through n8n's API, a SIGTERM to the npm process alone
// (what process managers, IDEs and `kill <pid>` send), nothing of the run left behind, and a second `npm start`
// that keeps the rename and the published state. Used by the e2e test and by `npm run bench -- first-run`.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const rest = require('../../scripts/lib/n8n-rest');

const REPO = path.resolve(__dirname, '..', '..');
/** n8n, the sandbox (IMAP, SMTP), the Unisender stand-in, the OAuth2 provider and its mail server (IMAP, SMTP). */
export const START_PORTS = [5678, 3143, 3025, 3081, 3082, 3083, 3144, 3587];

export interface FirstRunResult {
	readyS: number;
	editsKept: boolean;
	activeKept: boolean;
	cleanStopOnSigterm: boolean;
	/** The credential "Sandbox OAuth2 mailbox" exists, pointed at the local OAuth2 provider. */
	oauthCredential: boolean;
	/** The local OAuth2 provider answers its RFC 8414 metadata URL with its token endpoint. */
	oauthProviderUp: boolean;
	/** Ports still bound after the SIGTERM, if any. */
	leftBound: number[];
}

function portFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function boundPorts(): Promise<number[]> {
	const out: number[] = [];
	for (const p of START_PORTS) if (!(await portFree(p))) out.push(p);
	return out;
}

/** Starts `npm start`, resolves once it printed that n8n is running. */
function npmStart(
	env: NodeJS.ProcessEnv,
	log: (m: string) => void,
): Promise<{ npm: ChildProcess; readyMs: number }> {
	const started = Date.now();
	const npm = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start'], {
		cwd: REPO,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(
			() => reject(new Error(`npm start was not ready within 20 minutes:\n${output.slice(-3000)}`)),
			20 * 60000,
		);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (/ is running at http/.test(output)) {
				clearTimeout(timer);
				resolve({ npm, readyMs: Date.now() - started });
			}
		};
		npm.stdout!.on('data', onData);
		npm.stderr!.on('data', onData);
		npm.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm start exited (${code}) before it was ready:\n${output.slice(-3000)}`));
		});
		log('npm start launched');
	});
}

async function sigtermAndWait(npm: ChildProcess): Promise<number[]> {
	if (npm.exitCode === null && npm.signalCode === null) {
		const exited = new Promise<void>((r) => npm.once('exit', () => r()));
		npm.kill('SIGTERM'); // the npm process alone, not its group
		await exited;
	}
	// everything the run started stops within seconds
	const deadline = Date.now() + 30000;
	for (;;) {
		const bound = await boundPorts();
		if (!bound.length || Date.now() > deadline) return bound;
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** "Connect my account" can be tried: the sandbox credential points at the provider, and the provider answers. */
async function oauthSandboxOf(session: {
	get(p: string): Promise<any>;
}): Promise<{ credential: boolean; providerUp: boolean }> {
	const list: Array<{ id: string; name: string; type: string }> =
		await session.get('/rest/credentials');
	const found = list.find(
		(c) => c.name === 'Sandbox OAuth2 mailbox' && c.type === 'crmMailOAuth2Api',
	);
	const data = found
		? (await session.get(`/rest/credentials/${found.id}?includeData=true`)).data
		: undefined;
	const metadata = await fetch('http://localhost:3082/.well-known/oauth-authorization-server')
		.then((r) => (r.ok ? (r.json() as Promise<{ token_endpoint?: string }>) : undefined))
		.catch(() => undefined);
	return {
		credential: data?.accessTokenUrl === 'http://localhost:3082/token',
		providerUp: /\/token$/.test(metadata?.token_endpoint ?? ''),
	};
}

export async function firstRunCheck(log: (m: string) => void = () => {}): Promise<FirstRunResult> {
	const busy = await boundPorts();
	if (busy.length)
		throw new Error(
			`Ports ${busy.join(', ')} are in use: stop what runs there (another npm start?) before the first-run check`,
		);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-first-run-'));
	fs.chmodSync(dir, 0o755); // Dovecot runs as nobody when we are root
	const env: NodeJS.ProcessEnv = {
		...process.env,
		CRM_MAIL_START_FOLDER: path.join(dir, 'n8n'),
		CRM_MAIL_SANDBOX_DIR: path.join(dir, 'sandbox'),
	};
	delete env.NODE_ENV;
	for (const k of Object.keys(env)) if (k.startsWith('JEST_')) delete env[k];
	let npm: ChildProcess | undefined;
	try {
		const first = await npmStart(env, log);
		npm = first.npm;
		const login = JSON.parse(fs.readFileSync(path.join(dir, 'n8n', 'owner-login.json'), 'utf8'));
		const session = await rest.login('http://localhost:5678', login);
		// the example "deal moved to a stage -> send the offer", by the id its import gives it
		const example = { id: rest.stableWorkflowId('deal-stage-offer.json') };
		const current = await session.get(`/rest/workflows/${example.id}`);
		const renamed = `${current.name} (my version)`;
		const saved = await session.patch(`/rest/workflows/${example.id}`, {
			name: renamed,
			nodes: current.nodes,
			connections: current.connections,
			settings: current.settings,
			versionId: current.versionId,
		});
		await rest.activateWorkflow(session, example.id, saved.versionId);
		log(`renamed and published "${renamed}"`);
		const oauth = await oauthSandboxOf(session);
		log(
			`OAuth2: credential ${oauth.credential ? 'there' : 'MISSING'}, provider ${oauth.providerUp ? 'up' : 'DOWN'}`,
		);

		const leftBound = await sigtermAndWait(npm);
		npm = undefined;
		log(
			`after SIGTERM to npm: ${leftBound.length ? `still bound: ${leftBound.join(', ')}` : 'every port free'}`,
		);

		const second = await npmStart(env, log);
		npm = second.npm;
		const again = await (
			await rest.login('http://localhost:5678', login)
		).get(`/rest/workflows/${example.id}`);
		const result: FirstRunResult = {
			readyS: Math.round(first.readyMs / 1000),
			editsKept: again.name === renamed,
			activeKept: Boolean(again.active),
			cleanStopOnSigterm: leftBound.length === 0,
			leftBound,
			oauthCredential: oauth.credential,
			oauthProviderUp: oauth.providerUp,
		};
		await sigtermAndWait(npm);
		npm = undefined;
		return result;
	} finally {
		if (npm) await sigtermAndWait(npm).catch(() => undefined);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
