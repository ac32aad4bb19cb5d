'use strict';
// `npm start`: build this package, install it into a local n8n exactly as the Community Nodes screen would,
// start the mail sandbox, a local Unisender stand-in and the pinned n8n at http://localhost:5678 with an owner
// account, an API key, the sandbox credentials and every example workflow imported. Ctrl-C stops everything it
// started. A local OAuth2 provider and a mail server that takes its tokens let "Connect my account" be tried
// (scripts/lib/oauth-sandbox.js). `npm start -- --queue`: the same on n8n in queue mode (PostgreSQL, Redis, main, two workers and a
// webhook processor on http://localhost:5680), with its data in .n8n-queue/.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const rt = require('./lib/n8n-runtime');
const { importExamples, loadExamples, trackingBaseUrl } = require('./lib/examples');
const unisenderLib = require('./lib/unisender-standin');
const sandboxLib = require('./sandbox');
const oauthLib = require('./lib/oauth-sandbox');
const { RunState, watchLauncher } = require('./lib/run-state');
const { startQueueCluster } = require('./lib/queue-cluster');

const REPO = rt.REPO;
const QUEUE = process.argv.includes('--queue');
// N8N_USER_FOLDER: n8n keeps its data in <it>/.n8n (database, nodes/) and its static cache in <it>/.cache.
// CRM_MAIL_START_FOLDER / CRM_MAIL_SANDBOX_DIR: other data folders (the first-run check uses throw-away ones)
const USER_FOLDER =
	process.env.CRM_MAIL_START_FOLDER || path.join(REPO, QUEUE ? '.n8n-queue' : '.n8n');
const N8N_FOLDER = path.join(USER_FOLDER, '.n8n');
const PORT = Number(process.env.N8N_PORT || 5678);
// queue mode: the webhook processor's port (production webhooks, tracking links)
const WEBHOOK_PORT = Number(process.env.N8N_WEBHOOK_PORT || 5680);
const LOGIN_FILE = path.join(USER_FOLDER, 'owner-login.json');
const API_KEY_FILE = path.join(USER_FOLDER, 'api-key.txt');
const TRACKING_SECRET_FILE = path.join(USER_FOLDER, 'tracking-secret.txt');
const UNISENDER_PORT = Number(process.env.UNISENDER_STANDIN_PORT || unisenderLib.DEFAULT_PORT);
// CRM_MAIL_OAUTH_TTL: lifetime in seconds of the local OAuth2 provider's access tokens (shorter to try refreshes)
const OAUTH_TTL = Number(process.env.CRM_MAIL_OAUTH_TTL) || 3600;
// `npm start -- --reset-examples`: import the example workflows again over the ones in n8n (your edits are lost)
const RESET_EXAMPLES = process.argv.includes('--reset-examples');
const runState = new RunState(path.join(USER_FOLDER, 'npm-start.json'));
const log = (msg) => console.log(`[start] ${msg}`);

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, () => server.close(() => resolve(true)));
	});
}

const VERSION_FILE = path.join(USER_FOLDER, 'n8n-version.txt');

/** n8n migrates its database forward only: data a newer n8n has used is not opened by an older one. */
function refuseDowngrade(version) {
	const used = fs.existsSync(VERSION_FILE) ? fs.readFileSync(VERSION_FILE, 'utf8').trim() : '';
	const newer = (a, b) =>
		a
			.split('.')
			.map(Number)
			.reduce((d, n, i) => d || n - Number(b.split('.')[i] || 0), 0) > 0;
	if (used && newer(used, version)) {
		throw new Error(
			`The data in ${USER_FOLDER} was last used by n8n ${used}, which migrated its database; n8n ${version} cannot open it. Start n8n ${used} (CRM_MAIL_N8N_VERSION=${used} npm start), or move ${USER_FOLDER} away to start afresh.`,
		);
	}
}

/** The owner login: generated once, kept in .n8n/ (ignored by git) so every later run can log in. */
function ownerLogin() {
	if (fs.existsSync(LOGIN_FILE)) return JSON.parse(fs.readFileSync(LOGIN_FILE, 'utf8'));
	const login = {
		email: 'owner@crm.local',
		// n8n wants 8+ characters with a digit and an upper-case letter
		password: `Crm-${require('node:crypto').randomBytes(6).toString('hex')}-N8n1`,
		firstName: 'Demo',
		lastName: 'Owner',
	};
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	fs.writeFileSync(LOGIN_FILE, JSON.stringify(login, null, '\t') + '\n', { mode: 0o600 });
	return login;
}

/** The Email Tracking secret: generated once and kept, since changing it breaks the links in mails already sent. */
function trackingSecret() {
	if (fs.existsSync(TRACKING_SECRET_FILE)) {
		const saved = fs.readFileSync(TRACKING_SECRET_FILE, 'utf8').trim();
		if (saved.length >= 32) return saved;
	}
	const secret = require('node:crypto').randomBytes(32).toString('hex');
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	fs.writeFileSync(TRACKING_SECRET_FILE, secret + '\n', { mode: 0o600 });
	return secret;
}

/** Reuses the saved API key while n8n still accepts it, else creates a new one. */
async function apiKeyFor(session, baseUrl) {
	if (fs.existsSync(API_KEY_FILE)) {
		const saved = fs.readFileSync(API_KEY_FILE, 'utf8').trim();
		const ok = await rt
			.publicApi(baseUrl, saved, 'GET', '/workflows?limit=1')
			.then(() => true)
			.catch(() => false);
		if (ok) return saved;
	}
	const { apiKey } = await rt.createApiKey(session, `npm start ${new Date().toISOString()}`);
	fs.writeFileSync(API_KEY_FILE, apiKey + '\n', { mode: 0o600 });
	return apiKey;
}

const CRM_TABLES = ['crm_contacts', 'crm_companies', 'crm_leads', 'crm_deals', 'crm_email_links'];

/** Runs the example "Set Up the CRM Tables" once when the data tables of the Data Tables examples are missing. */
async function setUpCrmTables(session, baseUrl, apiKey, workflows) {
	const example = workflows.find((w) => w.name === 'set-up-crm-tables' && w.id);
	if (!example) return;
	try {
		const tables = await rt.publicApi(baseUrl, apiKey, 'GET', '/data-tables?limit=250');
		const names = new Set(tables.data.map((t) => t.name));
		if (CRM_TABLES.every((name) => names.has(name))) return;
		const execution = await rt.waitForExecution(
			baseUrl,
			apiKey,
			await rt.runManually(session, example.id),
			{ timeoutMs: 60000 },
		);
		if (execution.status === 'success')
			log(
				`Created the CRM data tables (${CRM_TABLES.join(', ')}) with the example "${example.title}"`,
			);
		else
			log(
				`Setting up the CRM data tables failed (${execution.data?.resultData?.error?.message}); run the example "${example.title}" in the editor`,
			);
	} catch (error) {
		log(
			`Could not set up the CRM data tables (${error.message}); run the example "${example.title}" in the editor`,
		);
	}
}

/** The package's node and credential types as n8n loaded them. */
async function loadedTypes(session, packageDirectory) {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDirectory, 'package.json'), 'utf8'));
	const nodes = JSON.parse(
		await session.request('GET', '/types/nodes.json', undefined, { raw: true }),
	);
	const creds = JSON.parse(
		await session.request('GET', '/types/credentials.json', undefined, { raw: true }),
	);
	const mine = nodes.filter((n) => n.name.startsWith(`${pkg.name}.`));
	const nodeTypes = new Set(mine.map((n) => n.name));
	// n8n adds an AI-tool variant `<name>Tool` of every node with usableAsTool; listed apart
	const isTool = (n) => n.name.endsWith('Tool') && nodeTypes.has(n.name.slice(0, -4));
	const ours = [...new Set(mine.filter((n) => !isTool(n)).map((n) => n.displayName))];
	const tools = new Set(mine.filter(isTool).map((n) => n.name)).size;
	const ourCreds = creds
		.filter((c) => (c.supportedNodes || []).some((s) => nodeTypes.has(s)))
		.map((c) => c.displayName);
	return { nodes: ours, tools, credentials: ourCreds, expectedNodes: pkg.n8n.nodes.length };
}

// What this run started, stopped in reverse order on Ctrl-C, on SIGTERM or on a failure.
const stoppers = [];
let shuttingDown = false;
async function shutdown(code) {
	if (shuttingDown) return;
	shuttingDown = true;
	log('Stopping...');
	for (const stop of stoppers.reverse()) await stop().catch(() => {});
	runState.clear();
	log('Stopped.');
	process.exit(code);
}

/** One n8n process (the default): editor, triggers, webhooks and executions. */
async function startSingle(runtime) {
	log(
		`Starting n8n ${runtime.version} on Node ${runtime.node} (data in ${N8N_FOLDER}, log in ${path.join(N8N_FOLDER, 'n8n-process.log')})...`,
	);
	const n8n = await rt.startN8n({
		userFolder: USER_FOLDER,
		port: PORT,
		runtime,
		log,
		onSpawn: (stop, child) => {
			stoppers.push(stop);
			runState.addGroup('n8n', child.pid);
		},
	});
	n8n.process.on('exit', (code, signal) => {
		if (shuttingDown) return;
		console.error(`[start] n8n exited unexpectedly (${code ?? signal}); see ${n8n.logFile}`);
		shutdown(1);
	});
	return { baseUrl: n8n.baseUrl, webhookUrl: n8n.baseUrl, cluster: null };
}

/** n8n in queue mode: PostgreSQL, Redis, main, two workers, a webhook processor (scripts/lib/queue-cluster.js). */
async function startCluster(runtime) {
	log(
		`Starting n8n ${runtime.version} in queue mode on Node ${runtime.node} (data in ${USER_FOLDER}, one log per process in ${N8N_FOLDER})...`,
	);
	const cluster = await startQueueCluster({
		userFolder: USER_FOLDER,
		port: PORT,
		webhookPort: WEBHOOK_PORT,
		runtime,
		keepData: true,
		log,
		onStart: (stopAll) => stoppers.push(stopAll),
		onSpawn: (name, pid) => runState.addGroup(name, pid),
	});
	for (const p of cluster.processes)
		p.handle.process.on('exit', (code, signal) => {
			if (shuttingDown || !p.running) return;
			console.error(
				`[start] n8n ${p.name} exited unexpectedly (${code ?? signal}); see ${p.logFile}`,
			);
		});
	return { baseUrl: cluster.baseUrl, webhookUrl: cluster.webhookUrl, cluster };
}

function describeCluster(cluster) {
	return [
		'Queue mode (EXECUTIONS_MODE=queue):',
		`  main              ${cluster.baseUrl}  editor, REST API, triggers (IMAP Sync Trigger), log ${path.relative(REPO, cluster.main.logFile)}`,
		...cluster.workers.map(
			(w) =>
				`  ${w.name.padEnd(16)}  runs executions from the queue, log ${path.relative(REPO, w.logFile)}`,
		),
		`  webhook processor ${cluster.webhookUrl}  serves production webhooks: ${cluster.webhookUrl}/webhook/<path> (CRM webhooks, tracking links)`,
		`  PostgreSQL        ${cluster.postgres.url}`,
		`  Redis             redis://${cluster.redis.host}:${cluster.redis.port}`,
	];
}

async function main() {
	const started = Date.now();
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));
	process.on('SIGHUP', () => shutdown(0));
	// a SIGTERM to npm alone (process managers, IDEs, `kill <npm pid>`) stops npm but never reaches this script
	watchLauncher(() => {
		log('npm was stopped: stopping everything this run started.');
		shutdown(0);
	});

	fs.mkdirSync(USER_FOLDER, { recursive: true });
	const earlier = await runState.takeOver(log);
	if (earlier.running) {
		throw new Error(
			`npm start is already running (process ${earlier.running}). Stop it with Ctrl-C in its terminal, or: kill ${earlier.running}`,
		);
	}
	for (const port of QUEUE ? [PORT, WEBHOOK_PORT] : [PORT]) {
		if (!(await portIsFree(port))) {
			throw new Error(
				`Port ${port} is already in use: is another n8n (or npm start) running? Stop it first.`,
			);
		}
	}

	// CRM_MAIL_TARBALL: install an already packed tarball (e.g. a released version) instead of building.
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-crm-mail-pack-'));
	let installed;
	try {
		const tarball =
			process.env.CRM_MAIL_TARBALL || (await rt.buildAndPack({ destDir: packDir, log }));
		installed = await rt.installPackageAsCommunityNode({ userFolder: USER_FOLDER, tarball });
		log(
			`Installed ${installed.name}@${installed.version} into ${path.join(N8N_FOLDER, 'nodes')} (as the Community Nodes installer does)`,
		);
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}

	const version = rt.resolveVersion();
	refuseDowngrade(version);
	const runtime = await rt.ensureN8n({ version, log });

	let sandbox = null;
	try {
		sandbox = await sandboxLib.startSandbox({
			log,
			...(process.env.CRM_MAIL_SANDBOX_DIR ? { dir: process.env.CRM_MAIL_SANDBOX_DIR } : {}),
		});
		stoppers.push(() => sandbox.stop());
		runState.addGroup('mail sandbox (Dovecot)', sandbox.dovecot.pid);
	} catch (error) {
		log(`The mail sandbox is not available, starting n8n without it: ${error.message}`);
	}
	if (shuttingDown) return;

	let unisender = null;
	try {
		unisender = await unisenderLib.startUnisenderStandIn({ port: UNISENDER_PORT });
		stoppers.push(() => unisender.stop());
	} catch (error) {
		log(
			`The local Unisender stand-in is not available (${error.message}); the Unisender examples will fail until it runs.`,
		);
	}
	if (shuttingDown) return;

	let oauth = null;
	try {
		const sandboxDir = sandbox ? sandbox.dir : process.env.CRM_MAIL_SANDBOX_DIR || '.sandbox';
		oauth = await oauthLib.startOAuthSandbox({
			dir: path.resolve(REPO, sandboxDir, 'oauth2'),
			relay: sandbox ? sandbox.deliver : undefined,
			ttlSeconds: OAUTH_TTL,
			log,
		});
		stoppers.push(() => oauth.stop());
		if (oauth.dovecot) {
			runState.addGroup('OAuth2 mail server (Dovecot)', oauth.dovecot.pid);
			sandbox?.addMailbox(oauthLib.USER, oauth.dovecot.lmtpPort);
		}
	} catch (error) {
		log(`The local OAuth2 provider is not available: ${error.message}`);
	}
	if (shuttingDown) return;

	const n8n = QUEUE ? await startCluster(runtime) : await startSingle(runtime);
	fs.writeFileSync(VERSION_FILE, `${runtime.version}\n`);

	const login = ownerLogin();
	let session;
	try {
		({ session } = await rt.setupOwner(n8n.baseUrl, login));
	} catch (error) {
		throw new Error(
			`Could not log in as ${login.email}: ${error.message}\n` +
				`The n8n database in ${N8N_FOLDER} has an owner whose login is not in ${LOGIN_FILE}. ` +
				`Delete ${path.join(N8N_FOLDER, 'database.sqlite')} to start afresh.`,
		);
	}
	const apiKey = await apiKeyFor(session, n8n.baseUrl);
	const unisenderVars = unisender
		? { apiKey: unisender.apiKey, baseUrl: unisender.baseUrl }
		: unisenderLib.standInVars(UNISENDER_PORT);
	const tracking = {
		secret: trackingSecret(),
		baseUrl: trackingBaseUrl(n8n.webhookUrl, loadExamples()),
	};
	const vars = {
		sandbox: sandbox ? sandbox.vars : sandboxLib.offlineVars(),
		apiKey,
		n8nUrl: n8n.baseUrl,
		tracking,
		unisender: unisenderVars,
	};
	// A "Sandbox Unisender" credential the user pointed at the real Unisender (or Selzy), or a "Sandbox Bitrix24"
	// pointed at a real portal, is left as it is.
	const standInUrl = unisenderVars.baseUrl.replace(/\/+$/, '');
	const bitrix24Url = vars.sandbox.bitrix24.webhookUrl;
	const preserve = (def, data) =>
		(def.type === 'unisenderApi' &&
			typeof data.baseUrl === 'string' &&
			data.baseUrl.replace(/\/+$/, '') !== standInUrl) ||
		(def.type === 'crmMailBitrix24Api' &&
			typeof data.webhookUrl === 'string' &&
			data.webhookUrl !== bitrix24Url);
	const { workflows } = await importExamples(session, {
		vars,
		preserve,
		keepExisting: !RESET_EXAMPLES,
		log,
	});
	await setUpCrmTables(session, n8n.baseUrl, apiKey, workflows);
	const oauthCredential = await oauthLib
		.importOAuthCredential(session, { reset: RESET_EXAMPLES, log })
		.catch((error) => log(`Could not create "${oauthLib.CREDENTIAL.name}": ${error.message}`));
	const types = await loadedTypes(session, installed.packageDirectory);

	const line = '-'.repeat(72);
	console.log(
		[
			'',
			line,
			`n8n ${runtime.version} with ${installed.name} is running at ${n8n.baseUrl}  (ready in ${Math.round((Date.now() - started) / 1000)} s)`,
			...(n8n.cluster ? ['', ...describeCluster(n8n.cluster)] : []),
			'',
			'Log in with:',
			`  email     ${login.email}`,
			`  password  ${login.password}`,
			'',
			`n8n API key (saved in ${path.relative(REPO, API_KEY_FILE)}):`,
			`  ${apiKey}`,
			'',
			`Nodes of this package loaded: ${types.nodes.length ? types.nodes.join(', ') : 'none yet'} (package.json lists ${types.expectedNodes}; ` +
				`${types.tools} of them also usable as AI agent tools)`,
			`Credential types: ${types.credentials.length ? types.credentials.join(', ') : 'none yet'}`,
			`Example workflows: ${workflows.length ? (workflows.some((w) => w.kept) ? '(those already in n8n are kept as you left them; npm start -- --reset-examples imports them again)' : '') : 'none yet (examples/*.json)'}`,
			...workflows.map((w) =>
				w.error
					? `  ${w.file}: NOT imported: ${w.error}`
					: `  ${n8n.baseUrl}/workflow/${w.id}  ${w.title}${w.active ? ' (published)' : ''}`,
			),
			'',
			sandbox
				? sandboxLib.describe(sandbox, n8n.webhookUrl)
				: 'Mail sandbox: not running (see the message above).',
			'',
			unisender
				? unisenderLib.describe(unisender)
				: `Unisender stand-in: not running (see the message above); credential "Sandbox Unisender" points at ${unisenderVars.baseUrl}.`,
			'',
			oauth
				? oauthLib.describe(oauth, oauthCredential, n8n.baseUrl)
				: 'OAuth2 provider: not running (see the message above).',
			'',
			`Email tracking: credential "Sandbox Email Tracking" = ${tracking.baseUrl} (the Email Tracking Trigger's`,
			`  production URL; publish "When the offer mail is opened..." to serve it), secret in ${path.relative(REPO, TRACKING_SECRET_FILE)}.`,
			'',
			'Press Ctrl-C to stop n8n, the sandbox (with the Bitrix24 stand-in), the OAuth2 provider and the Unisender stand-in.',
			line,
		].join('\n'),
	);
}

main().catch((error) => {
	console.error(`[start] ${error.message}`);
	shutdown(1);
});
