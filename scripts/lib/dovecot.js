'use strict';
// A throw-away Dovecot 2.3 on loopback for tests and the `npm start` sandbox.
// Everything (config, users, certificate, mail, logs, sockets) lives in one directory; /etc/dovecot is never read.
// Recipe and pitfalls: /work/shared/reference/imap-sync.md §3.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ensureSelfSignedCert, runAs, checkDir, makeConfig } = require('./dovecot-config');

// dovecot-submissiond: the SMTP submission service of the OAuth2 mail server (scripts/lib/dovecot-oauth.js)
const PACKAGES = ['dovecot-imapd', 'dovecot-lmtpd', 'dovecot-submissiond'];
const INSTALL_HINT = `sudo apt-get install ${PACKAGES.join(' ')}`;
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];
const LMTP_BINARIES = [
	'/usr/lib/dovecot/lmtp',
	'/usr/libexec/dovecot/lmtp',
	'/usr/local/libexec/dovecot/lmtp',
];
const SUBMISSION_BINARIES = LMTP_BINARIES.map((p) => p.replace(/lmtp$/, 'submission'));

// PATH of a non-root user often lacks the sbin dirs where Dovecot lives.
const DEFAULT_SEARCH_PATH = [process.env.PATH || '', ...SBIN_DIRS].join(path.delimiter);

function which(name, searchPath) {
	const dirs = String(searchPath || '')
		.split(path.delimiter)
		.filter(Boolean);
	for (const d of dirs) {
		const p = path.join(d, name);
		try {
			fs.accessSync(p, fs.constants.X_OK);
			return p;
		} catch {
			// not here
		}
	}
	return null;
}

/** Paths of the Dovecot binaries, or null when Dovecot (or its LMTP / submission part on Debian) is missing. */
function findDovecot({ searchPath = DEFAULT_SEARCH_PATH } = {}) {
	const dovecot = which('dovecot', searchPath);
	const doveadm = which('doveadm', searchPath);
	if (!dovecot || !doveadm) return null;
	// Debian splits LMTP and submission into dovecot-lmtpd and -submissiond; other layouts ship them with the server.
	const debian = fs.existsSync('/usr/lib/dovecot/imap');
	if (debian && !LMTP_BINARIES.some((p) => fs.existsSync(p))) return null;
	if (debian && !SUBMISSION_BINARIES.some((p) => fs.existsSync(p))) return null;
	return { dovecot, doveadm, setpriv: which('setpriv', searchPath) };
}

function notInstalledError(detail) {
	return new Error(
		'Dovecot is needed by the integration tests (a real IMAP server on 127.0.0.1) but is not installed' +
			(detail ? ` (${detail})` : '') +
			`. Install it with: ${INSTALL_HINT}` +
			' (its system service is not needed: `sudo systemctl disable --now dovecot`).',
	);
}

/**
 * Returns the binaries; installs Dovecot with apt-get when missing and we are root, otherwise throws one clear Error.
 * allowInstall: false only checks (used by tests of the error itself).
 */
function ensureDovecotInstalled({
	log = (m) => console.log(m),
	searchPath = DEFAULT_SEARCH_PATH,
	allowInstall = true,
} = {}) {
	const found = findDovecot({ searchPath });
	if (found) return found;
	const aptGet = which('apt-get', searchPath);
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!allowInstall || !isRoot || !aptGet) {
		throw notInstalledError(
			!isRoot ? 'not root, so it cannot be installed automatically' : !aptGet ? 'no apt-get' : '',
		);
	}
	log(`Dovecot not found: installing ${PACKAGES.join(' ')} with apt-get ...`);
	// policy-rc.d exiting 101 keeps the package from starting the system-wide Dovecot on 143/993.
	const policy = '/usr/sbin/policy-rc.d';
	const ownPolicy = !fs.existsSync(policy);
	if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	try {
		execFileSync(aptGet, ['update'], { env, stdio: 'pipe' });
		execFileSync(aptGet, ['install', '-y', '--no-install-recommends', ...PACKAGES], {
			env,
			stdio: 'pipe',
		});
	} catch (e) {
		const out = String(e.stderr || e.stdout || e.message)
			.trim()
			.split('\n')
			.slice(-5)
			.join('\n');
		throw notInstalledError(`automatic apt-get install failed: ${out}`);
	} finally {
		if (ownPolicy) fs.rmSync(policy, { force: true });
	}
	const after = findDovecot({ searchPath });
	if (!after) throw notInstalledError('apt-get finished but the binaries are still missing');
	log(`Dovecot installed: ${after.dovecot}`);
	return after;
}

/** `count` distinct free loopback ports (all held open until every one is chosen). */
async function freePorts(count) {
	const servers = [];
	try {
		for (let i = 0; i < count; i++) {
			const s = net.createServer();
			await new Promise((resolve, reject) =>
				s.once('error', reject).listen(0, '127.0.0.1', resolve),
			);
			servers.push(s);
		}
		return servers.map((s) => s.address().port);
	} finally {
		await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
	}
}

function waitGreeting(port, { timeoutMs = 15000, exited } = {}) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		let done = false;
		if (exited)
			exited.then(
				(r) =>
					!done &&
					((done = true), reject(new Error(`Dovecot exited during start (${JSON.stringify(r)})`))),
			);
		(function attempt() {
			if (done) return;
			const s = net.connect(port, '127.0.0.1');
			const retry = () => {
				s.destroy();
				if (done) return;
				if (Date.now() > deadline) {
					done = true;
					reject(new Error(`Dovecot did not greet on 127.0.0.1:${port} within ${timeoutMs} ms`));
				} else setTimeout(attempt, 20);
			};
			s.once('data', (d) => {
				s.destroy();
				if (String(d).startsWith('* OK')) {
					done = true;
					resolve();
				} else retry();
			});
			s.once('error', retry);
		})();
	});
}

// Non-zombie processes of a process group (the master's children are reparented on its death and
// may never be reaped here, so "signal 0 succeeds" is not "still alive").
function liveGroupMembers(pgid) {
	const pids = [];
	for (const ent of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(ent)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') pids.push(Number(ent));
		} catch {
			// raced with its exit
		}
	}
	return pids;
}

async function waitGroupGone(pgid, timeoutMs = 5000) {
	if (process.platform !== 'linux') return;
	const deadline = Date.now() + timeoutMs;
	while (liveGroupMembers(pgid).length) {
		if (Date.now() > deadline) {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// gone meanwhile
			}
			return;
		}
		await new Promise((r) => setTimeout(r, 20));
	}
}

// Every Dovecot this process started; killed when the process exits so none outlives its parent.
const live = new Set();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const pid of live) {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	});
}

function doveadmRunner(bins, confPath) {
	return (...args) => {
		try {
			return execFileSync(bins.doveadm, ['-c', confPath, ...args.map(String)], {
				encoding: 'utf8',
				stdio: 'pipe',
			});
		} catch (e) {
			throw new Error(`doveadm ${args.join(' ')} failed: ${String(e.stderr || e.message).trim()}`);
		}
	};
}

function logTail(dir) {
	try {
		return fs
			.readFileSync(path.join(dir, 'log', 'dovecot.log'), 'utf8')
			.trim()
			.split('\n')
			.slice(-10)
			.join('\n');
	} catch {
		return '(no log)';
	}
}

/**
 * Runs `dovecot -F -c confPath` in its own process group (as nobody when root) and waits for the IMAP greeting on
 * greetPort. Returns { pid, stop(signal), restart(signal), isRunning() }; the process dies with this one.
 */
async function runDovecot({ dir, confPath, run, greetPort }) {
	const bins = findDovecot();
	if (!bins) throw notInstalledError();
	// setpriv drops to nobody when root; --pdeathsig kills the master if this process dies without running
	// its exit hook (SIGKILL); the master's children follow their master.
	const dovecotArgs = [bins.dovecot, '-F', '-c', confPath];
	const [cmd, args] = bins.setpriv
		? [
				bins.setpriv,
				[
					...(process.getuid() === 0
						? [`--reuid=${run.uid}`, `--regid=${run.gid}`, '--clear-groups']
						: []),
					'--pdeathsig',
					'SIGKILL',
					...dovecotArgs,
				],
			]
		: [bins.dovecot, dovecotArgs.slice(1)];
	if (!bins.setpriv && process.getuid() === 0)
		throw new Error('setpriv (util-linux) is needed to run Dovecot as nobody when root');

	let child = null;
	let exited = Promise.resolve();
	const spawnIt = async () => {
		const c = spawn(cmd, args, { stdio: 'ignore', detached: true });
		child = c;
		exited = new Promise((resolve) => c.once('exit', (code, signal) => resolve({ code, signal })));
		c.once('error', () => {});
		c.unref(); // a running Dovecot must not keep the test process alive; the exit hook kills it
		live.add(c.pid);
		installExitHook();
		try {
			await waitGreeting(greetPort, { exited });
		} catch (e) {
			await stopChild('SIGKILL');
			throw new Error(`${e.message}\n${logTail(dir)}`);
		}
	};
	const stopChild = async (signal) => {
		const c = child;
		if (!c) return;
		if (c.exitCode === null && c.signalCode === null) {
			c.ref(); // keep the event loop alive until the exit is observed
			try {
				process.kill(-c.pid, signal); // the whole group: logged-in imap processes too
			} catch {
				// already gone
			}
			await exited;
		}
		await waitGroupGone(c.pid);
		live.delete(c.pid);
	};
	await spawnIt();
	return {
		get pid() {
			return child ? child.pid : 0;
		},
		stop: (signal = 'SIGTERM') => stopChild(signal),
		restart: async (signal = 'SIGTERM') => {
			await stopChild(signal);
			await spawnIt();
		},
		isRunning: () => !!child && child.exitCode === null && child.signalCode === null,
	};
}

/**
 * Starts Dovecot (own process group) with IMAP, IMAPS and LMTP on loopback and waits for its greeting.
 * users: named { user, pass } accounts with real password checks; any *@test.local also logs in with "pass".
 */
async function startDovecot({ dir, imapPort, imapsPort, lmtpPort, users = [] } = {}) {
	if (!dir) throw new Error('startDovecot needs { dir }');
	const bins = findDovecot();
	if (!bins) throw notInstalledError();
	dir = path.resolve(dir);
	fs.mkdirSync(dir, { recursive: true });
	checkDir(dir, users);
	const missing = [imapPort, imapsPort, lmtpPort].filter((p) => !p).length;
	const free = missing ? await freePorts(missing) : [];
	imapPort = imapPort || free.shift();
	imapsPort = imapsPort || free.shift();
	lmtpPort = lmtpPort || free.shift();
	const run = runAs();
	const { confPath, certPem } = makeConfig({ dir, imapPort, imapsPort, lmtpPort, users, run });
	const proc = await runDovecot({ dir, confPath, run, greetPort: imapPort });

	const doveadm = doveadmRunner(bins, confPath);
	const handle = {
		host: '127.0.0.1',
		imapPort,
		imapsPort,
		lmtpPort,
		dir,
		confPath,
		certPem,
		users: users.map((u) => ({ user: u.user, pass: String(u.pass) })),
		get pid() {
			return proc.pid;
		},
		/** Graceful by default: clients get "* BYE Server shutting down.". Resolves once every process is gone. */
		stop: (signal = 'SIGTERM') => proc.stop(signal),
		/** A crash: SIGKILL to every process, sockets just close. */
		kill: () => proc.stop('SIGKILL'),
		restart: (signal = 'SIGTERM') => proc.restart(signal),
		isRunning: () => proc.isRunning(),
		doveadm,
		setUidValidity: (user, mailbox, value) => {
			doveadm('mailbox', 'update', '-u', user, '--uid-validity', String(value), mailbox);
		},
	};
	return handle;
}

/** Environment variables describing a running Dovecot, for processes that reuse it (jest workers, sandbox). */
function dovecotEnv(h) {
	return {
		DOVECOT_DIR: h.dir,
		DOVECOT_IMAP_PORT: String(h.imapPort),
		DOVECOT_IMAPS_PORT: String(h.imapsPort),
		DOVECOT_LMTP_PORT: String(h.lmtpPort),
		DOVECOT_PID: String(h.pid),
	};
}

/** A handle on a Dovecot started by another process (see dovecotEnv); null when env does not describe one. */
function attachDovecot(env = process.env) {
	if (!env.DOVECOT_DIR || !env.DOVECOT_IMAP_PORT) return null;
	const bins = findDovecot();
	if (!bins) throw notInstalledError();
	const dir = env.DOVECOT_DIR;
	const confPath = path.join(dir, 'dovecot.conf');
	const pid = Number(env.DOVECOT_PID) || 0;
	const doveadm = doveadmRunner(bins, confPath);
	const notOwned = async () => {
		throw new Error(
			'This Dovecot is shared by all tests (started by the global setup); use startDovecot() to stop / kill / restart one',
		);
	};
	return {
		host: '127.0.0.1',
		imapPort: Number(env.DOVECOT_IMAP_PORT),
		imapsPort: Number(env.DOVECOT_IMAPS_PORT),
		lmtpPort: Number(env.DOVECOT_LMTP_PORT),
		dir,
		confPath,
		certPem: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
		users: [],
		pid,
		stop: notOwned,
		kill: notOwned,
		restart: notOwned,
		isRunning: () => {
			try {
				process.kill(pid, 0);
				return liveGroupMembers(pid).length > 0 || process.platform !== 'linux';
			} catch {
				return false;
			}
		},
		doveadm,
		setUidValidity: (user, mailbox, value) => {
			doveadm('mailbox', 'update', '-u', user, '--uid-validity', String(value), mailbox);
		},
	};
}

module.exports = {
	INSTALL_HINT,
	findDovecot,
	ensureDovecotInstalled,
	ensureSelfSignedCert,
	freePorts,
	waitGreeting,
	startDovecot,
	runDovecot,
	doveadmRunner,
	notInstalledError,
	dovecotEnv,
	attachDovecot,
};
