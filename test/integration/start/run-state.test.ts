// npm start's record of what it runs: the remains of a run whose start.js is gone (killed) are stopped by the next
// run; a run that is still alive is left alone and named.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const { RunState, isAlive } = require('../../../scripts/lib/run-state');

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-run-state-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A process group that outlives its starter, as n8n and Dovecot do (detached). */
function orphanGroup(): number {
	const child = spawn('sh', ['-c', 'sleep 300 & sleep 300'], { detached: true, stdio: 'ignore' });
	child.unref();
	return child.pid!;
}

test('a dead run leaves n8n and Dovecot behind: the next run stops their process groups', async () => {
	const file = path.join(dir, 'npm-start.json');
	const n8n = orphanGroup();
	const dovecot = orphanGroup();
	// what a start.js that was killed wrote: a pid that no longer runs
	const dead = spawn('true');
	await new Promise((r) => dead.on('exit', r));
	fs.writeFileSync(
		file,
		JSON.stringify({ pid: dead.pid, groups: { n8n, 'mail sandbox (Dovecot)': dovecot } }),
	);
	const logs: string[] = [];
	const result = await new RunState(file).takeOver((m: string) => logs.push(m));
	expect(result.stopped.sort()).toEqual(['mail sandbox (Dovecot)', 'n8n']);
	for (const pgid of [n8n, dovecot]) {
		expect(() => process.kill(-pgid, 0)).toThrow();
	}
	expect(fs.existsSync(file)).toBe(false);
	expect(logs.join('\n')).toMatch(/Stopping the n8n/);
});

test('a live run is left alone: the new one is told which process to stop', async () => {
	const file = path.join(dir, 'npm-start.json');
	const live = spawn('sleep', ['30'], { stdio: 'ignore' });
	try {
		fs.writeFileSync(file, JSON.stringify({ pid: live.pid, groups: {} }));
		const result = await new RunState(file).takeOver();
		expect(result.running).toBe(live.pid);
		expect(isAlive(live.pid)).toBe(true);
		expect(fs.existsSync(file)).toBe(true);
	} finally {
		live.kill();
	}
});
