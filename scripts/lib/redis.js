'use strict';
// A private Redis from Debian's package (`redis-server`) for n8n's queue mode: its own folder, loopback only,
// a free port, no persistence to disk, never the system service.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { freePort } = require('./n8n-runtime');

const BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((b) => fs.existsSync(b));

/** PING over a raw socket: true once Redis answers PONG. */
function ping(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		const done = (ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('error', () => done(false));
		socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
		socket.once('connect', () => socket.write('PING\r\n'));
	});
}

/** Starts redis-server in `dir` (created if missing) on a free port (or `port`). Returns { host, port, stop() }. */
async function startRedis({ dir, port, log = () => {} }) {
	if (!BIN) throw new Error('Redis is not installed: sudo apt-get install redis-server');
	fs.mkdirSync(dir, { recursive: true });
	const chosen = port || (await freePort());
	const logFile = path.join(dir, 'redis.log');
	const child = spawn(
		BIN,
		[
			'--port',
			String(chosen),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
			'--logfile',
			logFile,
		],
		{ stdio: 'ignore', detached: true },
	);
	let exited = false;
	child.on('exit', () => (exited = true));
	const deadline = Date.now() + 15000;
	while (!(await ping(chosen))) {
		if (exited) throw new Error(`Redis exited during start-up; see ${logFile}`);
		if (Date.now() > deadline) throw new Error(`Redis did not start within 15 s; see ${logFile}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	log(`Redis on 127.0.0.1:${chosen} (log in ${logFile})`);
	return {
		host: '127.0.0.1',
		port: chosen,
		pid: child.pid,
		async stop() {
			if (exited) return;
			child.kill('SIGTERM');
			const until = Date.now() + 5000;
			while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
			if (!exited) child.kill('SIGKILL');
		},
	};
}

module.exports = { startRedis };
