// Restarts of n8n as the engine sees them. n8n saves the trigger's state only when it emits, and waits for
// running executions when it stops: a graceful stop must deliver nothing twice and lose nothing; a crash
// (the run marker is left behind) delivers the batch that was in flight again, once, marked as such.
// Backpressure: no more batches are out than executions may run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forgetTrackers } from '../../../nodes/ImapSyncTrigger/engine/deliveryTracker';
import type { SyncRecord } from '../../../nodes/ImapSyncTrigger/engine/passContext';
import { newUser, sharedDovecot, type DovecotHandle } from '../../harness/dovecot';
import { rawMessage, seed, startEngine, type Harness } from './helpers';

let dv: DovecotHandle;
let markerDir: string;
const running: Harness[] = [];
beforeAll(async () => {
	dv = await sharedDovecot();
});
beforeEach(() => {
	markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-markers-'));
	forgetTrackers();
});
afterEach(async () => {
	await Promise.all(running.splice(0).map((h) => h.session.close()));
	fs.rmSync(markerDir, { recursive: true, force: true });
});

const ALL = { firstSync: { mode: 'since' as const, since: '2000-01-01' }, batchSize: 10 };
const messageIds = (records: SyncRecord[]) =>
	records.flatMap((r) => (r.kind === 'message' ? [r.item.json.messageId] : []));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seeded(prefix: string, count: number): Promise<{ user: string; ids: string[] }> {
	const { user } = newUser(prefix);
	const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}@restart.test`);
	await seed(
		dv,
		user,
		'INBOX',
		ids.map((id) => rawMessage(id)),
	);
	return { user, ids: ids.map((id) => `<${id}>`) };
}

it('a graceful stop while a batch runs, then a new process: every message once', async () => {
	const { user, ids } = await seeded('graceful', 120);
	const trigger = { key: 'wf-graceful', markerDir };
	const first = await startEngine(dv, user, {
		options: ALL,
		trigger,
		execute: () => sleep(40).then(() => undefined),
	});
	await first.waitFor(() => first.messages().length >= 50, 30000, 'half of the mail');
	await first.session.close(); // n8n stops: triggers first, then it waits for the running execution
	await first.waitFor(() => first.tracker.size === 0, 10000, 'the running execution');
	expect(fs.readdirSync(markerDir)).toEqual([]);

	forgetTrackers(); // a new n8n process
	const second = await startEngine(dv, user, { options: ALL, trigger, state: first.saved });
	running.push(second);
	const before = messageIds(first.records);
	await second.waitFor(
		() => before.length + second.messages().length >= ids.length,
		30000,
		'the rest',
	);
	await sleep(500);
	const all = [...before, ...messageIds(second.records)];
	expect(all.length).toBe(ids.length);
	expect(new Set(all)).toEqual(new Set(ids));
	expect(second.records.some((r) => r.kind === 'message' && r.redelivered)).toBe(false);
});

it('a trigger closed right after a hand-over returns once that execution ended (n8n waits only for executions it has registered)', async () => {
	const { user } = await seeded('handover', 5);
	let ended = false;
	const h = await startEngine(dv, user, {
		options: ALL,
		trigger: { key: 'wf-handover', markerDir },
		execute: () => sleep(300).then(() => void (ended = true)),
	});
	await h.waitFor(() => h.messages().length >= 5, 30000, 'the batch');
	await h.session.close();
	expect(ended).toBe(true);
	expect(fs.readdirSync(markerDir)).toEqual([]);
});

it('an execution n8n lost (queue mode: its worker died) is delivered again at once, marked redelivered; nothing else twice', async () => {
	const { user, ids } = await seeded('lost', 40);
	let batches = 0;
	// what n8n resolves a stalled queue job with: failed, nothing of the workflow ran, no data kept
	const lost = {
		status: 'error',
		data: {
			resultData: {
				runData: {},
				error: {
					message: 'This execution failed to be processed too many times and will no longer retry.',
				},
			},
		},
	};
	const h = await startEngine(dv, user, {
		options: ALL,
		trigger: { key: 'wf-lost', markerDir },
		execute: () => Promise.resolve(++batches === 2 ? lost : undefined),
	});
	running.push(h);
	await h.waitFor(
		() => h.messages().length >= ids.length + 10,
		30000,
		'every batch and the lost one again',
	);
	await sleep(500);
	const second = messageIds(h.records).slice(10, 20);
	const redelivered = h.records.filter((r) => r.kind === 'message' && r.redelivered);
	expect(messageIds(redelivered)).toEqual(second);
	const all = messageIds(h.records);
	expect(new Set(all)).toEqual(new Set(ids));
	expect(all.length - ids.length).toBe(10);
	expect(h.session.stats.redelivered).toBe(10);
});

it('a crash while a batch runs: the next process delivers that batch again, once, marked redelivered', async () => {
	const { user, ids } = await seeded('crash', 60);
	const trigger = { key: 'wf-crash', markerDir };
	let batches = 0;
	// the third batch's execution never ends: n8n is killed during it
	const first = await startEngine(dv, user, {
		options: ALL,
		trigger,
		execute: () => (++batches === 3 ? new Promise<void>(() => {}) : Promise.resolve()),
		session: { registerMs: 0 }, // the process dies: it waits for nothing
	});
	await first.waitFor(() => first.messages().length >= 30, 30000, 'three batches');
	await sleep(300);
	expect(first.messages().length).toBe(30); // backpressure: nothing more while the third runs
	const inFlight = messageIds(first.records).slice(20, 30);
	await first.session.close(); // the process dies: its sockets go, the marker stays (the execution never ended)
	expect(fs.readdirSync(markerDir)).toEqual(['wf-crash.running']);

	forgetTrackers();
	const second = await startEngine(dv, user, { options: ALL, trigger, state: first.saved });
	running.push(second);
	await second.waitFor(
		() => second.messages().length >= ids.length - 20,
		30000,
		'the rest and the redelivered batch',
	);
	await sleep(500);
	const redelivered = second.records.filter((r) => r.kind === 'message' && r.redelivered);
	expect(messageIds(redelivered)).toEqual(inFlight);
	const all = [...messageIds(first.records), ...messageIds(second.records)];
	expect(new Set(all)).toEqual(new Set(ids)); // nothing missing
	expect(all.length - ids.length).toBe(10); // the one batch in flight, nothing else twice
	expect(second.session.stats.redelivered).toBe(10);
});

it('hands out no more batches than executions may run; the rest waits on the server', async () => {
	const { user, ids } = await seeded('pressure', 100);
	const releases: Array<() => void> = [];
	const h = await startEngine(dv, user, {
		options: ALL,
		session: { maxRunning: 2 },
		execute: () => new Promise<void>((r) => releases.push(r)),
	});
	running.push(h);
	await h.waitFor(() => h.messages().length >= 20, 20000, 'two batches');
	await sleep(500);
	expect(h.messages().length).toBe(20);
	expect(h.tracker.size).toBe(2);
	releases.shift()!();
	await h.waitFor(() => h.messages().length >= 30, 20000, 'one more batch');
	await sleep(300);
	expect(h.messages().length).toBe(30);
	const drain = setInterval(() => releases.splice(0).forEach((r) => r()), 5);
	try {
		await h.waitFor(() => h.messages().length >= ids.length, 30000, 'everything');
	} finally {
		clearInterval(drain);
	}
	expect(new Set(messageIds(h.records))).toEqual(new Set(ids));
});
