// The executions a trigger's batches started, per trigger (workflow + node) and per n8n process. It bounds
// how many run at once (backpressure: more mail waits on the server, not in memory), tells the active sync
// session when one finished, and outlives a deactivation in the same process: a trigger re-activated by a
// saved or re-published workflow finds the batches of its previous activation that are still running. It
// owns the run marker: written on activation, removed once the trigger is closed and nothing runs.
import { RunMarker } from './runMarker';

export interface TrackedBatch {
	id: string;
	folder: string;
	uidValidity: string;
	uids: number[];
	/** Its messages are already a second delivery. */
	redelivered?: boolean;
}

/** How a batch's execution ended: it ran (successfully or not), or n8n lost it (see `lostByN8n`). */
export type BatchOutcome = 'finished' | 'lost';

/**
 * Whether n8n ended the execution without running it and without keeping its input. In queue mode that is
 * what a worker dying mid-execution leaves: n8n fails the job as stalled and saves the execution as failed,
 * with empty run data, so the batch's messages are nowhere in n8n (no Retry brings them back).
 */
export function lostByN8n(run: unknown): boolean {
	const r = run as {
		status?: string;
		data?: { resultData?: { runData?: object; error?: { message?: string } } };
	} | null;
	if (!r || (r.status !== 'error' && r.status !== 'crashed')) return false;
	const runData = r.data?.resultData?.runData;
	if (runData && Object.keys(runData).length) return false;
	return /processed too many times|stalled/i.test(r.data?.resultData?.error?.message ?? '');
}

/** A batch's execution counts as finished after this long without an answer from n8n (and a warning). */
export const STALL_MS = 15 * 60 * 1000;

/**
 * How long n8n may take to register an execution it was handed (it first reads the workflow and writes the
 * execution to its database). n8n's shutdown waits only for registered executions, so a trigger that is
 * closed waits this long for the batches it has just handed over.
 */
export const REGISTER_MS = 10 * 1000;

export class DeliveryTracker {
	private readonly running = new Map<string, TrackedBatch>();
	/** When each running batch was handed over. */
	private readonly since = new Map<string, number>();
	private listener: ((batch: TrackedBatch, outcome: BatchOutcome) => void) | undefined;
	private waiters: Array<() => void> = [];

	constructor(
		readonly key: string,
		readonly marker: RunMarker | undefined,
		/** A marker of an earlier n8n process was found: that process ended without closing the trigger. */
		private crashedBefore: boolean,
		private readonly warn: (message: string) => void,
		private readonly stallMs = STALL_MS,
	) {}

	/**
	 * Whether the batches the saved state records as in flight were cut off by a crash. True at most once per
	 * process: every later activation here finds only batches this process recorded.
	 */
	claimCrash(): boolean {
		const crashed = this.crashedBefore;
		this.crashedBefore = false;
		return crashed;
	}

	isRunning(id: string): boolean {
		return this.running.has(id);
	}

	get size(): number {
		return this.running.size;
	}

	/** The active session listens for finished batches; one listener at a time. */
	attach(listener: (batch: TrackedBatch, outcome: BatchOutcome) => void): void {
		this.listener = listener;
		this.marker?.write();
	}

	detach(listener: (batch: TrackedBatch, outcome: BatchOutcome) => void): void {
		if (this.listener === listener) this.listener = undefined;
		this.settle();
	}

	track(batch: TrackedBatch, finished: Promise<unknown>): void {
		this.running.set(batch.id, batch);
		this.since.set(batch.id, Date.now());
		let timer: NodeJS.Timeout | undefined;
		const stalled = new Promise<'stalled'>((resolve) => {
			timer = setTimeout(() => resolve('stalled'), this.stallMs);
			timer.unref?.();
		});
		// A workflow that failed resolves too (its error handling owns it from here). A rejection means n8n
		// did not start or finish the execution: whether the workflow ran is unknown, so it is reported and not
		// delivered again (that could repeat what the workflow did).
		const settled = finished.then(
			(run): BatchOutcome => (lostByN8n(run) ? this.lost(batch, run) : 'finished'),
			(error: unknown): BatchOutcome => {
				if ((error as Error)?.name === 'ExecutionCancelledError') return 'finished';
				this.warn(
					`IMAP Sync Trigger: n8n did not run or finish the execution of batch ${batch.id} (${batch.folder}, UIDs ${batch.uids.join(',')}): ${(error as Error)?.message ?? String(error)}. Whether the workflow processed these messages is unknown; they are not delivered again. Check the workflow's executions and the mailbox.`,
				);
				return 'finished';
			},
		);
		void Promise.race([settled, stalled]).then((outcome) => {
			clearTimeout(timer);
			if (outcome === 'stalled')
				this.warn(
					`IMAP Sync Trigger: no end of the execution of batch ${batch.id} (${batch.folder}) after ${Math.round(this.stallMs / 60000)} min; counting it as finished`,
				);
			this.running.delete(batch.id);
			this.since.delete(batch.id);
			this.listener?.(batch, outcome === 'lost' ? 'lost' : 'finished');
			for (const wake of this.waiters.splice(0)) wake();
			this.settle();
		});
	}

	/**
	 * A lost execution's messages are delivered again, once: the worker may have done part of the work before
	 * it died (the same as a batch cut off by a crash of n8n itself), but otherwise they would be lost.
	 */
	private lost(batch: TrackedBatch, run: unknown): BatchOutcome {
		const reason = (run as { data?: { resultData?: { error?: { message?: string } } } }).data
			?.resultData?.error?.message;
		const where = `batch ${batch.id} (${batch.folder}, UIDs ${batch.uids.join(',')})`;
		if (batch.redelivered || !batch.uids.length) {
			this.warn(
				`IMAP Sync Trigger: n8n lost the execution of ${where} without running it (${reason}). ${batch.uids.length ? 'These messages were already delivered a second time; they are not delivered again.' : 'Change events are not delivered again.'} Check the workflow's executions and the mailbox.`,
			);
			return 'finished';
		}
		this.warn(
			`IMAP Sync Trigger: n8n lost the execution of ${where} without running it (${reason}): the worker running it stopped, and n8n kept none of its data. Delivering these messages again, marked "redelivered".`,
		);
		return 'lost';
	}

	/** Resolves once fewer than `max` executions run, or rejects with `stopped`'s reason when that settles first. */
	async slot(max: number, stopped: Promise<never>): Promise<void> {
		while (this.running.size >= Math.max(1, max)) {
			await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), stopped]);
		}
	}

	/**
	 * Resolves once every batch handed over less than `windowMs` ago has finished, or has been running that
	 * long: by then n8n has registered its execution, and its own shutdown waits for it.
	 */
	async awaitRegistered(windowMs = REGISTER_MS): Promise<void> {
		for (;;) {
			const youngest = Math.max(-Infinity, ...this.since.values());
			const left = windowMs - (Date.now() - youngest);
			if (left <= 0) return;
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([
				new Promise<void>((resolve) => this.waiters.push(resolve)),
				new Promise<void>((resolve) => (timer = setTimeout(resolve, left).unref())),
			]);
			clearTimeout(timer);
		}
	}

	/** Nothing listens and nothing runs: the marker goes, and the next activation starts a fresh tracker. */
	private settle(): void {
		if (this.listener || this.running.size) return;
		this.marker?.remove();
		if (trackers.get(this.key) === this) trackers.delete(this.key);
	}
}

const trackers = new Map<string, DeliveryTracker>();

/**
 * The tracker of a trigger in this process. A new one checks for a marker left by an earlier process
 * (`markerDir` undefined: no crash detection).
 */
export function trackerFor(
	key: string,
	markerDir: string | undefined,
	warn: (message: string) => void,
): DeliveryTracker {
	const existing = trackers.get(key);
	if (existing) return existing;
	const marker = markerDir ? new RunMarker(markerDir, key, warn) : undefined;
	const tracker = new DeliveryTracker(key, marker, marker?.exists() ?? false, warn);
	trackers.set(key, tracker);
	return tracker;
}

/** Forgets every tracker, as a restarted n8n process has none (tests simulate restarts with it). */
export function forgetTrackers(): void {
	trackers.clear();
}
