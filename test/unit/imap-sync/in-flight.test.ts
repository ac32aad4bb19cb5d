import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
	forgetTrackers,
	lostByN8n,
	trackerFor,
} from '../../../nodes/ImapSyncTrigger/engine/deliveryTracker';
import {
	fromSequenceSet,
	reconcileInFlight,
	toSequenceSet,
} from '../../../nodes/ImapSyncTrigger/engine/inFlight';
import type { FolderState } from '../../../nodes/ImapSyncTrigger/engine/folderState';

const state = (extra: Partial<FolderState> = {}): FolderState => ({
	uidValidity: '7',
	lastUid: 150,
	baselineAt: '2026-01-01T00:00:00Z',
	recent: [],
	...extra,
});

describe('sequence sets of the ledger', () => {
	it('compresses runs and reads them back', () => {
		expect(toSequenceSet([5, 3, 4, 9, 1, 2, 9, 11, 12])).toBe('1:5,9,11:12');
		expect(fromSequenceSet('1:5,9,11:12')).toEqual([1, 2, 3, 4, 5, 9, 11, 12]);
		expect(fromSequenceSet(undefined)).toEqual([]);
		const big = Array.from({ length: 50 }, (_, i) => 101 + i);
		expect(toSequenceSet(big)).toBe('101:150');
	});
});

describe('settling the batches recorded as in flight', () => {
	const inFlight = [
		{ id: 'a', uids: '101:150' },
		{ id: 'b', uids: '151:152' },
		{ id: 'c', modseq: '40' },
	];

	it('after a clean stop: finished batches get their after-emit action, running ones stay', () => {
		const r = reconcileInFlight(state({ inFlight, pendingAction: [99] }), {
			running: (id) => id === 'b',
			crashed: false,
			afterAction: true,
		});
		expect(r.state.inFlight).toEqual([{ id: 'b', uids: '151:152' }]);
		expect(r.state.pendingAction).toEqual([99, ...Array.from({ length: 50 }, (_, i) => 101 + i)]);
		expect(r.state.redeliver).toBeUndefined();
		expect(r).toMatchObject({ finished: 2, redelivered: 0 });
	});

	it('after a crash: the messages are queued again and change events asked for again from their modseq', () => {
		const r = reconcileInFlight(state({ inFlight, highestModseq: '55' }), {
			running: () => false,
			crashed: true,
			afterAction: true,
		});
		expect(r.state.inFlight).toBeUndefined();
		expect(r.state.redeliver).toEqual(Array.from({ length: 52 }, (_, i) => 101 + i));
		expect(r.state.highestModseq).toBe('40');
		expect(r.state.pendingAction).toBeUndefined(); // not acted on: their executions may never have run
		expect(r.redelivered).toBe(52);
	});

	it('leaves a state without a ledger as it is', () => {
		const s = state();
		expect(
			reconcileInFlight(s, { running: () => false, crashed: true, afterAction: false }).state,
		).toBe(s);
	});
});

describe('delivery tracker', () => {
	let dir: string;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-marker-'));
		forgetTrackers();
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
	const batch = (id: string) => ({ id, folder: 'INBOX', uidValidity: '7', uids: [1] });

	it('bounds the executions running at once and wakes a waiter when one finishes', async () => {
		const tracker = trackerFor('wf-node', dir, () => undefined);
		const finished: string[] = [];
		tracker.attach((b) => finished.push(b.id));
		let release!: () => void;
		tracker.track(batch('one'), new Promise<void>((r) => (release = r)));
		const never = new Promise<never>(() => {});
		let got = false;
		const waiting = tracker.slot(1, never).then(() => (got = true));
		await new Promise((r) => setTimeout(r, 20));
		expect(got).toBe(false);
		await tracker.slot(2, never); // a second slot is free
		release();
		await waiting;
		expect(finished).toEqual(['one']);
		expect(tracker.size).toBe(0);
	});

	it('a failed or stalled execution frees its slot too', async () => {
		const warnings: string[] = [];
		const tracker = trackerFor('wf-node', dir, (m) => warnings.push(m));
		tracker.attach(() => undefined);
		tracker.track(batch('failed'), Promise.reject(new Error('workflow error')));
		await tracker.slot(1, new Promise<never>(() => {}));
		expect(tracker.size).toBe(0);
	});

	it('a trigger that closes waits for the batches it has just handed over, not for older ones', async () => {
		const tracker = trackerFor('wf-node', dir, () => undefined);
		tracker.attach(() => undefined);
		let release!: () => void;
		tracker.track(batch('fresh'), new Promise<void>((r) => (release = r)));
		let waited = false;
		const waiting = tracker.awaitRegistered(60_000).then(() => (waited = true));
		await new Promise((r) => setTimeout(r, 30));
		expect(waited).toBe(false);
		release();
		await waiting;
		expect(waited).toBe(true);

		// a batch running for longer than the window is registered by n8n: no wait for it
		tracker.track(batch('long'), new Promise<void>(() => {}));
		await new Promise((r) => setTimeout(r, 30));
		await tracker.awaitRegistered(10);
		expect(tracker.isRunning('long')).toBe(true);
	});

	it('an execution n8n did not run or finish is reported with its messages, not delivered again', async () => {
		const warnings: string[] = [];
		const tracker = trackerFor('wf-node', dir, (m) => warnings.push(m));
		const finished: string[] = [];
		tracker.attach((b) => finished.push(b.id));
		tracker.track(
			{ id: 'b1', folder: 'INBOX', uidValidity: '7', uids: [34, 35] },
			Promise.reject(new Error('Driver has already been released.')),
		);
		const cancelled = new Error('cancelled');
		cancelled.name = 'ExecutionCancelledError';
		tracker.track(batch('b2'), Promise.reject(cancelled));
		await tracker.slot(1, new Promise<never>(() => {}));
		expect(finished.sort()).toEqual(['b1', 'b2']);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain('UIDs 34,35');
		expect(warnings[0]).toContain('Driver has already been released.');
	});

	// What n8n's queue mode resolves an execution with when the worker running it died (its job stalled):
	// status error, no run data, the stalled-job message (n8n 2.8 and 2.41 alike).
	const stalledRun = {
		status: 'error',
		finished: false,
		data: {
			resultData: {
				runData: {},
				error: {
					message:
						'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.',
				},
			},
		},
	};

	it('tells an execution n8n lost (its worker died) from one whose workflow ran and failed', () => {
		expect(lostByN8n(stalledRun)).toBe(true);
		expect(lostByN8n({ ...stalledRun, status: 'crashed' })).toBe(true);
		const ranAndFailed = structuredClone(stalledRun);
		(ranAndFailed.data.resultData.runData as Record<string, unknown>)['Mail Trigger'] = [{}];
		expect(lostByN8n(ranAndFailed)).toBe(false);
		const otherError = structuredClone(stalledRun);
		otherError.data.resultData.error.message = 'Workflow has issues';
		expect(lostByN8n(otherError)).toBe(false);
		expect(lostByN8n({ ...stalledRun, status: 'success' })).toBe(false);
		expect(lostByN8n(undefined)).toBe(false);
	});

	it('a lost execution is handed back to be delivered again, once: lost a second time it is only reported', async () => {
		const warnings: string[] = [];
		const tracker = trackerFor('wf-node', dir, (m) => warnings.push(m));
		const outcomes: string[] = [];
		tracker.attach((b, outcome) => outcomes.push(`${b.id}:${outcome}`));
		tracker.track({ ...batch('first'), uids: [7, 8] }, Promise.resolve(stalledRun));
		tracker.track(
			{ ...batch('again'), uids: [7, 8], redelivered: true },
			Promise.resolve(stalledRun),
		);
		tracker.track(
			batch('ran'),
			Promise.resolve({ status: 'error', data: { resultData: { runData: { T: [] } } } }),
		);
		await tracker.slot(1, new Promise<never>(() => {}));
		expect(outcomes.sort()).toEqual(['again:finished', 'first:lost', 'ran:finished']);
		expect(warnings).toHaveLength(2);
		expect(warnings.find((w) => w.includes('batch first'))).toContain(
			'Delivering these messages again',
		);
		expect(warnings.find((w) => w.includes('batch again'))).toContain(
			'they are not delivered again',
		);
	});

	it('writes the run marker while active and removes it once closed and drained; a new process finds a leftover one', async () => {
		const tracker = trackerFor('wf-node', dir, () => undefined);
		expect(tracker.claimCrash()).toBe(false);
		const listener = () => undefined;
		tracker.attach(listener);
		const marker = path.join(dir, 'wf-node.running');
		expect(fs.existsSync(marker)).toBe(true);
		let release!: () => void;
		tracker.track(batch('one'), new Promise<void>((r) => (release = r)));
		tracker.detach(listener);
		expect(fs.existsSync(marker)).toBe(true); // an execution still runs
		// the same process activates the trigger again (a saved workflow): same tracker, no crash
		expect(trackerFor('wf-node', dir, () => undefined)).toBe(tracker);
		release();
		await new Promise((r) => setTimeout(r, 10));
		expect(fs.existsSync(marker)).toBe(false);

		// a process killed while active leaves its marker: the next process sees a crash, once
		trackerFor('wf-node', dir, () => undefined).attach(listener);
		forgetTrackers();
		const next = trackerFor('wf-node', dir, () => undefined);
		expect(next.claimCrash()).toBe(true);
		expect(next.claimCrash()).toBe(false);
	});
});
