'use strict';
// What an `npm start` runs, kept in a small file so that the next one can tell a live run from the remains of a
// crashed one: n8n and Dovecot run in process groups of their own, so a start.js that was killed leaves them
// behind with their ports bound. Also: noticing that npm itself was stopped (a SIGTERM to the npm process alone,
// as process managers and IDEs send it, is not passed on to the script).
const fs = require('node:fs');

function isAlive(pid) {
	if (!pid) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** The parent pid and command of a process (Linux /proc), or undefined. */
function parentOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const close = stat.lastIndexOf(')');
		const comm = stat.slice(stat.indexOf('(') + 1, close);
		const ppid = Number(stat.slice(close + 2).split(' ')[1]);
		return { ppid, comm };
	} catch {
		return undefined;
	}
}

/**
 * Calls onGone when the npm process that started this script is gone: its parent, or its grandparent when the
 * parent is the shell npm runs scripts in (that shell lives on when npm alone is stopped).
 */
function watchLauncher(onGone, everyMs = 1000) {
	const watched = [process.ppid];
	const parent = parentOf(process.ppid);
	if (parent && /^(sh|bash|dash|zsh)$/.test(parent.comm) && parent.ppid > 1)
		watched.push(parent.ppid);
	const timer = setInterval(() => {
		if (watched.some((pid) => !isAlive(pid)) || process.ppid !== watched[0]) {
			clearInterval(timer);
			onGone();
		}
	}, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}

class RunState {
	constructor(file) {
		this.file = file;
		this.state = { pid: process.pid, groups: {} };
	}

	/** Records a process group this run started (n8n, Dovecot), so that a later run can stop it. */
	addGroup(name, pgid) {
		this.state.groups[name] = pgid;
		fs.writeFileSync(this.file, JSON.stringify(this.state, null, '\t') + '\n');
	}

	clear() {
		fs.rmSync(this.file, { force: true });
	}

	/**
	 * Looks at what an earlier run recorded. A live earlier run: returns its pid (the caller stops). A dead one whose
	 * processes live on: stops them (SIGTERM, then SIGKILL) and returns what it stopped.
	 */
	async takeOver(log = () => {}) {
		let previous;
		try {
			previous = JSON.parse(fs.readFileSync(this.file, 'utf8'));
		} catch {
			return { stopped: [] };
		}
		if (previous.pid !== process.pid && isAlive(previous.pid))
			return { running: previous.pid, stopped: [] };
		const stopped = [];
		for (const [name, pgid] of Object.entries(previous.groups ?? {})) {
			if (!groupAlive(pgid)) continue;
			log(
				`Stopping the ${name} that an npm start which is gone left running (process group ${pgid})...`,
			);
			signalGroup(pgid, 'SIGTERM');
			for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 200));
			signalGroup(pgid, 'SIGKILL');
			stopped.push(name);
		}
		this.clear();
		return { stopped };
	}
}

function groupAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function signalGroup(pgid, signal) {
	try {
		process.kill(-pgid, signal);
	} catch {
		// gone
	}
}

module.exports = { RunState, watchLauncher, isAlive };
