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
}

/** A batch's execution counts as finished after this long without an answer from n8n (and a warning). */
export const STALL_MS = 15 * 60 * 1000;

export class DeliveryTracker {
	private readonly running = new Map<string, TrackedBatch>();
	private listener: ((batch: TrackedBatch) => void) | undefined;
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
	attach(listener: (batch: TrackedBatch) => void): void {
		this.listener = listener;
		this.marker?.write();
	}

	detach(listener: (batch: TrackedBatch) => void): void {
		if (this.listener === listener) this.listener = undefined;
		this.settle();
	}

	track(batch: TrackedBatch, finished: Promise<unknown>): void {
		this.running.set(batch.id, batch);
		let timer: NodeJS.Timeout | undefined;
		const stalled = new Promise<'stalled'>((resolve) => {
			timer = setTimeout(() => resolve('stalled'), this.stallMs);
			timer.unref?.();
		});
		// a failed execution has finished too: the workflow's error handling owns it from here
		void Promise.race([finished.then(noop, noop), stalled]).then((outcome) => {
			clearTimeout(timer);
			if (outcome === 'stalled')
				this.warn(
					`IMAP Sync Trigger: no end of the execution of batch ${batch.id} (${batch.folder}) after ${Math.round(this.stallMs / 60000)} min; counting it as finished`,
				);
			this.running.delete(batch.id);
			this.listener?.(batch);
			for (const wake of this.waiters.splice(0)) wake();
			this.settle();
		});
	}

	/** Resolves once fewer than `max` executions run, or rejects with `stopped`'s reason when that settles first. */
	async slot(max: number, stopped: Promise<never>): Promise<void> {
		while (this.running.size >= Math.max(1, max)) {
			await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), stopped]);
		}
	}

	/** Nothing listens and nothing runs: the marker goes, and the next activation starts a fresh tracker. */
	private settle(): void {
		if (this.listener || this.running.size) return;
		this.marker?.remove();
		if (trackers.get(this.key) === this) trackers.delete(this.key);
	}
}

const noop = () => undefined;
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
