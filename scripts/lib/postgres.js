'use strict';
// A private PostgreSQL from Debian's packages (`postgresql`) for tests: its own data folder, loopback only, a
// free port, trust authentication, never the system service. As root it runs as the `postgres` user the
// package creates (PostgreSQL refuses to run as root).
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { freePort } = require('./n8n-runtime');

function binDir() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		: [];
	if (!versions.length)
		throw new Error('PostgreSQL is not installed: sudo apt-get install postgresql');
	return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Runs a PostgreSQL binary as the user that owns the cluster. */
function asOwner(bin, args, options = {}) {
	const root = process.getuid && process.getuid() === 0;
	return root ? ['runuser', ['-u', 'postgres', '--', bin, ...args], options] : [bin, args, options];
}

/**
 * Initialises and starts a cluster in `dir` (emptied first, unless `keep` and it holds a cluster already) and
 * creates `database`. Returns { url, port, dir, stop() }.
 */
async function startPostgres({ dir, database = 'n8n', log = () => {}, keep = false, port }) {
	const bin = binDir();
	const data = path.join(dir, 'data');
	const existing = keep && fs.existsSync(path.join(data, 'PG_VERSION'));
	if (!existing) {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
	}
	const root = process.getuid && process.getuid() === 0;
	if (root) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
	if (!existing)
		execFileSync(
			...asOwner(
				path.join(bin, 'initdb'),
				['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'],
				{ stdio: 'pipe' },
			),
		);
	port ??= await freePort();
	const logFile = path.join(dir, 'postgres.log');
	const [cmd, args] = asOwner(path.join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${dir}`,
		'-c',
		'fsync=off',
		'-c',
		'max_connections=200',
	]);
	const out = fs.openSync(logFile, 'a');
	if (root) fs.chownSync(logFile, ...ownerIds());
	const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	let exited = false;
	child.on('exit', () => (exited = true));
	const deadline = Date.now() + 30000;
	for (;;) {
		if (exited) throw new Error(`PostgreSQL exited during start-up; see ${logFile}`);
		try {
			execFileSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
				stdio: 'pipe',
			});
			break;
		} catch {
			if (Date.now() > deadline)
				throw new Error(`PostgreSQL did not start within 30 s; see ${logFile}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}
	if (!existing)
		execFileSync(
			path.join(bin, 'createdb'),
			['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database],
			{ stdio: 'pipe' },
		);
	log(`PostgreSQL on 127.0.0.1:${port} (data in ${data})`);
	return {
		port,
		dir,
		database,
		pid: child.pid,
		url: `postgres://postgres@127.0.0.1:${port}/${database}`,
		async stop() {
			if (exited) return;
			try {
				process.kill(-child.pid, 'SIGINT'); // fast shutdown, to runuser and postgres alike
			} catch {
				return;
			}
			const until = Date.now() + 10000;
			while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
			if (!exited) process.kill(-child.pid, 'SIGKILL');
		},
	};
}

function ownerIds() {
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith('postgres:'));
	const [, , uid, gid] = (line ?? 'postgres:x:0:0').split(':');
	return [Number(uid), Number(gid)];
}

module.exports = { startPostgres };
