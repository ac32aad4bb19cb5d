'use strict';
// The n8n versions this package is tested on, and how each is installed into a folder of its own under
// .n8n-runtime/: the oldest supported one on this machine's Node, the latest one on the Node it needs. That
// Node comes from the npm registry (the node-<platform>-<arch> package holds the binary and its headers), and
// n8n's native sqlite3 is built against those headers; nothing is downloaded from elsewhere.
// CRM_MAIL_N8N_VERSION picks the version: "latest" (default), "oldest" or a version number below.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PINNED = {
	// the newest n8n on Node 20; n8n-nodes-base pins xlsx to a tarball on cdn.sheetjs.com, 0.18.5 is on npm
	'2.8.4': { n8n: '2.8.4', node: null, overrides: { xlsx: '0.18.5' } },
	// the newest n8n whose whole dependency tree the registry serves (2.41.3 needs @n8n/agents@0.26.2, missing)
	'2.41.1': { n8n: '2.41.1', node: '24.21.0' },
};
const LATEST = '2.41.1';
const OLDEST = '2.8.4';
const REPO = path.resolve(__dirname, '..', '..');
const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The pinned version CRM_MAIL_N8N_VERSION (or `value`) asks for. */
function resolveVersion(value = process.env.CRM_MAIL_N8N_VERSION) {
	const version = !value || value === 'latest' ? LATEST : value === 'oldest' ? OLDEST : value;
	if (!PINNED[version]) {
		throw new Error(
			`n8n ${version} is not a tested version (${Object.keys(PINNED).join(', ')}): set CRM_MAIL_N8N_VERSION to one of them, "latest" or "oldest"`,
		);
	}
	return version;
}

function nodePackageName() {
	return `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
}

/** Where a version lives and what runs it: { version, dir, n8nDir, bin, nodeBin, nodeHeaders }. */
function runtimeFor(
	version,
	root = process.env.N8N_RUNTIME_DIR || path.join(REPO, '.n8n-runtime'),
) {
	const dir = path.join(root, `n8n-${version}`);
	const pin = PINNED[version];
	const nodeDir = pin.node ? path.join(dir, 'node_modules', nodePackageName()) : null;
	return {
		version,
		dir,
		n8nDir: path.join(dir, 'node_modules', 'n8n'),
		bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodeBin: nodeDir ? path.join(nodeDir, 'bin', 'node') : process.execPath,
		nodeHeaders: nodeDir,
		node: pin.node ?? process.versions.node,
	};
}

function isInstalled(rt) {
	try {
		const version = JSON.parse(
			fs.readFileSync(path.join(rt.n8nDir, 'package.json'), 'utf8'),
		).version;
		// without the native sqlite3 binding n8n cannot open its database
		const sqlite = path.join(
			rt.dir,
			'node_modules',
			'sqlite3',
			'build',
			'Release',
			'node_sqlite3.node',
		);
		return version === rt.version && fs.existsSync(sqlite) && fs.existsSync(rt.nodeBin);
	} catch {
		return false;
	}
}

/** Runs a command with its output in `logFile`, printing the elapsed time every 30 s so nobody thinks it hangs. */
function run(command, args, { cwd, env, logFile, what, log }) {
	const started = Date.now();
	const out = fs.openSync(logFile, 'a');
	const ticker = setInterval(
		() =>
			log(`  ... ${what}: ${Math.round((Date.now() - started) / 1000)} s so far (log: ${logFile})`),
		30000,
	);
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env: env || process.env,
			stdio: ['ignore', out, out],
		});
		child.on('error', reject);
		child.on('exit', (code) => {
			clearInterval(ticker);
			fs.closeSync(out);
			if (code === 0) resolve();
			else reject(new Error(`${what} failed (exit code ${code}); see ${logFile}`));
		});
	});
}

/** npm's own node-gyp (npm ships it), which builds native addons. */
function npmNodeGyp() {
	const root = execFileSync(npmBin, ['root', '-g'], { encoding: 'utf8' }).trim();
	const candidates = [
		path.join(root, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
		path.join(
			path.dirname(process.execPath),
			'..',
			'lib',
			'node_modules',
			'npm',
			'node_modules',
			'node-gyp',
			'bin',
			'node-gyp.js',
		),
	];
	const found = candidates.find((c) => fs.existsSync(c));
	if (!found) throw new Error(`npm's node-gyp was not found (looked in ${candidates.join(', ')})`);
	return found;
}

/** Installs the version unless it is there; returns its runtime (see runtimeFor). */
async function ensureN8n({ version = resolveVersion(), log = console.log, root } = {}) {
	const rt = runtimeFor(version, root);
	if (isInstalled(rt)) return rt;
	const pin = PINNED[version];
	fs.mkdirSync(rt.dir, { recursive: true });
	const manifest = {
		name: `n8n-runtime-${version}`,
		private: true,
		version: '1.0.0',
		description: `n8n ${version} on Node ${rt.node} for npm start and the e2e tests (installed by scripts/lib/n8n-versions.js)`,
		dependencies: { n8n: pin.n8n, ...(pin.node ? { [nodePackageName()]: pin.node } : {}) },
		...(pin.overrides ? { overrides: pin.overrides } : {}),
		// npm 11 runs no install script unless allowed: sqlite3 must build its binding (on this machine's Node);
		// for another Node it is built below against that Node's headers
		allowScripts: pin.node ? {} : { sqlite3: true },
	};
	fs.writeFileSync(path.join(rt.dir, 'package.json'), JSON.stringify(manifest, null, '\t') + '\n');
	const logFile = path.join(rt.dir, 'install.log');
	fs.writeFileSync(logFile, '');
	const started = Date.now();
	log(
		`Installing n8n ${version}${pin.node ? ` and Node ${pin.node}` : ''} into ${rt.dir} (first run only; 5-15 minutes, depending on the machine)...`,
	);
	await run(
		npmBin,
		[
			'install',
			'--no-audit',
			'--no-fund',
			'--loglevel=warn',
			...(pin.node ? ['--ignore-scripts'] : []),
		],
		{ cwd: rt.dir, logFile, what: `npm install of n8n ${version}`, log },
	);
	if (pin.node) {
		log(`Building n8n's sqlite3 for Node ${pin.node} (a few minutes)...`);
		await run(
			rt.nodeBin,
			[npmNodeGyp(), 'rebuild', '--release', '-j', '2', `--nodedir=${rt.nodeHeaders}`],
			{
				cwd: path.join(rt.dir, 'node_modules', 'sqlite3'),
				env: {
					...process.env,
					PATH: `${path.dirname(rt.nodeBin)}${path.delimiter}${process.env.PATH}`,
				},
				logFile,
				what: 'building sqlite3',
				log,
			},
		);
	}
	if (!isInstalled(rt))
		throw new Error(`Installing n8n ${version} left it incomplete; see ${logFile}`);
	log(`n8n ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return rt;
}

/** Environment n8n needs per version: the settings the latest n8n does not deprecate. */
function versionEnv(rt, { baseUrl }) {
	if (rt.version === OLDEST) return { WEBHOOK_URL: `${baseUrl}/`, N8N_RUNNERS_MODE: 'internal' };
	// announced to default to false: an admin installing this (unverified) package from the Community Nodes screen sets it
	return { N8N_WEBHOOK_URL: `${baseUrl}/`, N8N_UNVERIFIED_PACKAGES_ENABLED: 'true' };
}

module.exports = { PINNED, LATEST, OLDEST, resolveVersion, runtimeFor, ensureN8n, versionEnv };
