'use strict';
// The pinned n8n that `npm start` and the e2e tests run (which version, and how it is installed: n8n-versions.js),
// started as a child process in its own process group (so stop() takes its task runners down too), plus
// installing this package into a user folder exactly as n8n's Community Nodes installer does.
const { spawn, execFile } = require('node:child_process');
const { promisify } = require('node:util');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const rest = require('./n8n-rest');
const versions = require('./n8n-versions');

const execFileP = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');
const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The encryption key n8n already persisted in this user folder, or a new one (n8n then persists it). */
function encryptionKeyFor(userFolder) {
	try {
		const config = JSON.parse(fs.readFileSync(path.join(userFolder, '.n8n', 'config'), 'utf8'));
		if (config.encryptionKey) return config.encryptionKey;
	} catch {
		// no config yet: first start of this folder
	}
	return crypto.randomBytes(24).toString('hex');
}

/** A port nobody listens on at the moment (the OS picks it). */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `preferred` when it is free on loopback, else any free port. */
function portOr(preferred) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(freePort()));
		server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
	});
}

/**
 * Starts n8n with the given user folder (n8n keeps its data in `<userFolder>/.n8n`) and waits until it is
 * ready. `command`: `start` (the main process: editor, REST API, triggers; ready when the REST API answers),
 * `worker` (runs queued executions; `port` serves its health check) or `webhook` (a webhook processor; `port`
 * serves /webhook/). Returns { baseUrl, process, logFile, stop() }. onSpawn(stop, child) is called at once, so
 * a caller interrupted during start-up (Ctrl-C) can still stop the process.
 */
async function startN8n({
	userFolder,
	port = 5678,
	env = {},
	log = console.log,
	runtime,
	listenAddress,
	timeoutMs = 180000,
	onSpawn,
	command = 'start',
	logName = 'n8n-process.log',
}) {
	const rt = runtime || (await versions.ensureN8n({ log }));
	// The task broker (n8n <-> its task runners) listens on 5679 by default; another n8n on this machine (an
	// e2e run next to npm start) has it already, and n8n then refuses to start.
	const brokerPort = env.N8N_RUNNERS_BROKER_PORT || String(await portOr(port + 1));
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	const logFile = path.join(userFolder, '.n8n', logName);
	const out = fs.openSync(logFile, 'a');
	// Under jest NODE_ENV is "test", in which n8n refuses to load nodes and logs nothing.
	const inherited = Object.fromEntries(
		Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_')),
	);
	const childEnv = {
		...inherited,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://localhost:${port}`,
		...versions.versionEnv(rt, { baseUrl: `http://localhost:${port}` }),
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: encryptionKeyFor(userFolder),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_PUBLIC_API_DISABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// Task runners are always on in 2.x (child processes); their broker needs a port of its own.
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
		...(listenAddress ? { N8N_LISTEN_ADDRESS: listenAddress } : {}),
		// a worker answers /healthz/readiness on its own small server once its database and Redis are up
		...(command === 'worker'
			? {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(port),
					N8N_WORKER_SERVER_ADDRESS: listenAddress || '127.0.0.1',
				}
			: {}),
		...env,
	};
	// detached: n8n leads its own process group, so stop() can signal the runners it spawns as well.
	const child = spawn(rt.nodeBin, [rt.bin, command], {
		cwd: userFolder,
		env: childEnv,
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	let exited = null;
	const exitPromise = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		}),
	);

	const signalGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// group already gone
		}
	};
	let stopping = null;
	const stop = () => {
		stopping ??= (async () => {
			if (!exited) signalGroup('SIGTERM');
			if ((await within(exitPromise, 15000)) === TIMEOUT) signalGroup('SIGKILL');
			// children of the group (task runner) may outlive the leader briefly
			signalGroup('SIGKILL');
			await within(exitPromise, 2000);
		})();
		return stopping;
	};

	if (onSpawn) onSpawn(stop, child);
	const baseUrl = `http://localhost:${port}`;
	const deadline = Date.now() + timeoutMs;
	try {
		for (;;) {
			if (exited)
				throw new Error(
					`n8n exited during start-up (${JSON.stringify(exited)}); see ${logFile}:\n${tail(logFile)}`,
				);
			if (Date.now() > deadline)
				throw new Error(`n8n did not become ready within ${timeoutMs / 1000} s; see ${logFile}`);
			if (command === 'start' ? await rest.isReady(baseUrl) : await isHealthy(port)) break;
			await new Promise((r) => setTimeout(r, 500));
		}
	} catch (error) {
		await stop();
		throw error;
	}
	return { baseUrl, port, process: child, logFile, userFolder, stop };
}

/** A worker's or webhook processor's readiness check (database and Redis connected). */
async function isHealthy(port) {
	try {
		const res = await fetch(`http://127.0.0.1:${port}/healthz/readiness`, {
			signal: AbortSignal.timeout(2000),
		});
		return res.ok;
	} catch {
		return false;
	}
}

const TIMEOUT = Symbol('timeout');
/** Resolves with the promise's value, or TIMEOUT after ms; leaves no timer behind either way. */
async function within(promise, ms) {
	let timer;
	try {
		return await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms, TIMEOUT)))]);
	} finally {
		clearTimeout(timer);
	}
}

function tail(file, lines = 30) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/**
 * Installs a packed tarball of a community package into `<userFolder>/.n8n/nodes` the way n8n 2.8.4's
 * CommunityPackagesService.downloadPackage does: untar into nodes/node_modules/<name>, strip dev/peer/optional
 * dependencies from its package.json, `npm install` there with the installer's flags, and record the
 * dependency in nodes/package.json. n8n loads every nodes/node_modules/n8n-nodes-* folder at start-up.
 */
async function installPackageAsCommunityNode({ userFolder, tarball, log = () => {} }) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const nodesPackageJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(nodesPackageJson)) {
		fs.writeFileSync(
			nodesPackageJson,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	const { stdout: listing } = await execFileP('tar', ['-xzOf', tarball, 'package/package.json']);
	const { name, version } = JSON.parse(listing);
	const packageDirectory = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(packageDirectory, { recursive: true, force: true });
	fs.mkdirSync(packageDirectory, { recursive: true });
	await execFileP('tar', ['-xzf', tarball, '-C', packageDirectory, '--strip-components=1']);
	const packageJsonPath = path.join(packageDirectory, 'package.json');
	const packageJson = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8'));
	delete packageJson.devDependencies;
	delete packageJson.peerDependencies;
	delete packageJson.optionalDependencies;
	fs.writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2), 'utf8');
	await execFileP(
		npmBin,
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDirectory, maxBuffer: 16 * 1024 * 1024 },
	);
	const nodesPkg = JSON.parse(fs.readFileSync(nodesPackageJson, 'utf8'));
	nodesPkg.dependencies = { ...nodesPkg.dependencies, [name]: version };
	fs.writeFileSync(nodesPackageJson, JSON.stringify(nodesPkg, null, 2), 'utf8');
	log(`Installed ${name}@${version} as a community package in ${nodesDir}`);
	return { name, version, packageDirectory };
}

/** `npm run build` then `npm pack` into `destDir`; returns the tarball's path. */
async function buildAndPack({ destDir, build = true, log = () => {} }) {
	if (build) {
		log('Building the package (npm run build)...');
		await execFileP(npmBin, ['run', 'build'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }).catch(
			(error) => {
				throw new Error(`npm run build failed:\n${error.stdout || ''}${error.stderr || ''}`);
			},
		);
	}
	fs.mkdirSync(destDir, { recursive: true });
	const { stdout } = await execFileP(npmBin, ['pack', '--json', '--pack-destination', destDir], {
		cwd: REPO,
		maxBuffer: 64 * 1024 * 1024,
	});
	const [{ filename }] = JSON.parse(stdout);
	return path.join(destDir, path.basename(filename));
}

module.exports = {
	REPO,
	freePort,
	encryptionKeyFor,
	ensureN8n: versions.ensureN8n,
	resolveVersion: versions.resolveVersion,
	startN8n,
	installPackageAsCommunityNode,
	buildAndPack,
	...rest,
};
