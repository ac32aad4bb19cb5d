// One sync connection per active trigger: a pass over every folder on every (re)connect, push (IDLE) on the
// first folder and a watcher connection for each other folder, a safety poll, reconnect with capped
// exponential backoff and jitter on a NEW client (an imapflow instance never reconnects), and a close that
// never hangs. A folder that fails is reported and retried on its own; the others keep syncing.
import { randomBytes } from 'node:crypto';
import type { ImapFlow, MailboxObject } from 'imapflow';
import type { BatchOutcome, DeliveryTracker, TrackedBatch } from './deliveryTracker';
import { FolderWatcher, type FolderChange } from './folderWatcher';
import { mergeUids, reconcileInFlight, toSequenceSet } from './inFlight';
import { StoppedError, type PassContext, type SyncRecord } from './passContext';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../shared/retry';
import type { FolderSettings, FolderState, SyncOptions } from './folderState';
import { ensureBaseline, syncFolder, type PassTools } from './syncPass';

export interface StateStore {
	get(path: string): FolderState | undefined;
	set(path: string, state: FolderState): void;
}

export interface SessionOptions {
	/** Opens a NEW logged-in client each call. */
	connect(): Promise<ImapFlow>;
	folders: FolderSettings[];
	options: SyncOptions;
	store: StateStore;
	/**
	 * Hands a batch to the workflow. Calls `commit` right before the hand-over (the state moves with it) and
	 * resolves with a promise that settles when the batch's execution finished. Throws `StoppedError`, without
	 * calling `commit`, when the trigger is closing.
	 */
	deliver(records: SyncRecord[], commit: () => void): Promise<{ finished: Promise<unknown> }>;
	/** The trigger's executions in this process (see deliveryTracker.ts). */
	tracker: DeliveryTracker;
	/** How many of this trigger's executions may run at once. */
	maxRunning: number;
	/** Called once when reconnecting was given up (after `maxAttempts` failed attempts in a row). */
	onFatal(error: Error): void;
	/** A folder could not be synced (or its after-emit action failed); the other folders go on. */
	onFolderError(path: string, error: Error, during: string): void;
	/** 'idle': push from the server plus the safety poll; 'poll': the poll only (servers without IDLE). */
	mode: 'idle' | 'poll';
	pollIntervalMs: number;
	/** Mail often arrives in bursts: wait this long after a push before syncing (default 200 ms). */
	debounceMs?: number;
	backoff?: BackoffOptions;
	/** Failed connection attempts in a row before giving up; 0 = never give up. */
	maxAttempts: number;
	/** Bound of a graceful LOGOUT on close before the socket is cut. */
	closeTimeoutMs?: number;
	/** How long a close waits for the executions of batches just handed over (default REGISTER_MS). */
	registerMs?: number;
	/** The parser of messages (tests put a failing one in). */
	parse?: PassTools['parse'];
	log?: (
		level: 'debug' | 'info' | 'warn' | 'error',
		msg: string,
		meta?: Record<string, unknown>,
	) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
/** A folder that fails is retried after this backoff (capped at 5 minutes). */
const FOLDER_RETRY: BackoffOptions = { baseMs: 2000, maxMs: 5 * 60000, jitter: 0.3 };
/** The same problem of a folder is reported again after this long. */
const REPORT_AGAIN_MS = 60 * 60000;

export class SyncSession {
	private stopped = false;
	private client: ImapFlow | undefined;
	private loopDone: Promise<void> = Promise.resolve();
	private dirty = new Set<string>();
	private wake: () => void = () => {};
	private stopWake: () => void = () => {};
	private readonly stopSignal = new Promise<void>((r) => (this.stopWake = r));
	private readonly stoppedError: Promise<never> = this.stopSignal.then(() =>
		Promise.reject(new StoppedError()),
	);
	private pollTimer: NodeJS.Timeout | undefined;
	private debounceTimer: NodeJS.Timeout | undefined;
	private readonly debounced = new Set<string>();
	private readonly watchers: FolderWatcher[] = [];
	private readonly failing = new Map<
		string,
		{ message: string; attempt: number; timer?: NodeJS.Timeout }
	>();
	private readonly reported = new Map<string, number>();
	private readonly tools: PassTools;
	/** The folder during whose pass the connection was lost last. */
	private brokeConnection: string | undefined;
	/** UIDNEXT, EXISTS (and HIGHESTMODSEQ) of the first folder when the connection last went into IDLE there. */
	private idleLook: string | undefined;
	/** Connections opened (first one included), passes run, batches redelivered after a crash; for logs and tests. */
	readonly stats = { connects: 0, reconnects: 0, passes: 0, failures: 0, redelivered: 0 };

	constructor(private readonly o: SessionOptions) {
		this.stoppedError.catch(() => undefined);
		this.tools = { suspicion: { strikes: new Map(), suspects: new Set() }, parse: o.parse };
	}

	/** Connects, settles batches left in flight, baselines new folders (errors reject: activation fails with them), then syncs in the background. */
	async start(): Promise<void> {
		const client = await this.open();
		this.o.tracker.attach(this.onFinished);
		try {
			this.settleInFlight();
			for (const folder of this.o.folders) await ensureBaseline(this.passContext(client, folder));
		} catch (error) {
			this.o.tracker.detach(this.onFinished);
			this.dispose(client);
			// plain module (no n8n imports): the node glue turns errors into NodeOperationErrors
			throw error;
		}
		this.markAll();
		this.pollTimer = setInterval(() => this.request(), Math.max(1000, this.o.pollIntervalMs));
		if (this.o.mode === 'idle') {
			for (const folder of this.o.folders.slice(1)) {
				const watcher = new FolderWatcher({
					path: folder.path,
					connect: this.o.connect,
					onChange: (p, c) => this.onServerChange(p, c),
					backoff: this.o.backoff,
					log: this.o.log,
				});
				this.watchers.push(watcher);
				watcher.start();
			}
		}
		this.loopDone = this.loop(client);
	}

	/** Asks for a pass over these folders (all when omitted) as soon as the connection is free. */
	request(paths?: string[]): void {
		for (const p of paths ?? this.o.folders.map((f) => f.path)) this.dirty.add(p);
		this.wake();
	}

	async close(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		clearInterval(this.pollTimer);
		clearTimeout(this.debounceTimer);
		for (const f of this.failing.values()) clearTimeout(f.timer);
		this.wake();
		this.stopWake();
		this.o.tracker.detach(this.onFinished);
		const bound = this.o.closeTimeoutMs ?? 3000;
		const client = this.client;
		await Promise.all([
			// n8n stops after closing its triggers; an execution handed over just now must be registered first
			this.o.tracker.awaitRegistered(this.o.registerMs),
			...this.watchers.map((w) => w.close()),
			(async () => {
				if (!client) return;
				await Promise.race([client.logout().catch(() => undefined), sleep(bound)]);
				this.dispose(client);
			})(),
		]);
		await Promise.race([this.loopDone, sleep(bound)]);
	}

	/** What the saved state records as in flight: still running here, finished, or cut off by a crash. */
	private settleInFlight(): void {
		const crashed = this.o.tracker.claimCrash();
		for (const folder of this.o.folders) {
			const state = this.o.store.get(folder.path);
			if (!state?.inFlight?.length) continue;
			const settled = reconcileInFlight(state, {
				running: (id) => this.o.tracker.isRunning(id),
				crashed,
				afterAction: folder.afterAction !== 'nothing',
			});
			this.o.store.set(folder.path, settled.state);
			this.stats.redelivered += settled.redelivered;
			if (settled.redelivered) {
				this.o.log?.(
					'warn',
					'imapSyncTrigger: n8n stopped without closing the trigger; delivering the batch that was in flight again',
					{
						folder: folder.path,
						messages: settled.redelivered,
					},
				);
			}
		}
	}

	private readonly onFinished = (batch: TrackedBatch, outcome: BatchOutcome) => {
		const state = this.o.store.get(batch.folder);
		if (!state) return;
		const next: FolderState = {
			...state,
			inFlight: (state.inFlight ?? []).filter((b) => b.id !== batch.id),
		};
		if (!next.inFlight!.length) delete next.inFlight;
		if (outcome === 'lost' && state.uidValidity === batch.uidValidity) {
			next.redeliver = mergeUids(next.redeliver, batch.uids);
			this.stats.redelivered += batch.uids.length;
			this.o.store.set(batch.folder, next);
			this.request([batch.folder]);
			return;
		}
		const folder = this.o.folders.find((f) => f.path === batch.folder);
		const due =
			folder &&
			folder.afterAction !== 'nothing' &&
			batch.uids.length &&
			state.uidValidity === batch.uidValidity;
		if (due) next.pendingAction = mergeUids(next.pendingAction, batch.uids);
		this.o.store.set(batch.folder, next);
		if (due) this.request([batch.folder]);
	};

	private onServerChange(path: string, change: FolderChange): void {
		if (this.o.mode !== 'idle' || this.stopped) return;
		if ((change === 'flags' || change === 'expunge') && !this.o.options.changeEvents) return;
		this.debounced.add(path);
		clearTimeout(this.debounceTimer);
		this.debounceTimer = setTimeout(() => {
			const paths = [...this.debounced];
			this.debounced.clear();
			this.request(paths);
		}, this.o.debounceMs ?? 200);
	}

	private markAll() {
		for (const f of this.o.folders) this.dirty.add(f.path);
	}

	private async open(): Promise<ImapFlow> {
		const client = await this.o.connect();
		this.stats.connects++;
		// imapflow emits 'error' at most once per connection; without a listener it would crash n8n
		client.on('error', (err: Error) =>
			this.o.log?.('warn', 'imapSyncTrigger: connection error', { error: err.message }),
		);
		client.on('close', () => this.wake());
		client.on('exists', (ev: { path: string }) => this.onServerChange(ev.path, 'exists'));
		client.on('flags', (ev: { path: string }) => this.onServerChange(ev.path, 'flags'));
		client.on('expunge', (ev: { path: string }) => this.onServerChange(ev.path, 'expunge'));
		this.client = client;
		if (this.stopped) {
			this.dispose(client);
			throw new StoppedError();
		}
		return client;
	}

	private dispose(client: ImapFlow) {
		try {
			client.close();
		} catch {
			// already closed
		}
		if (this.client === client) this.client = undefined;
	}

	private passContext(client: ImapFlow, folder: FolderSettings): PassContext {
		return {
			client,
			folder,
			options: this.o.options,
			getState: (p) => this.o.store.get(p),
			setState: (p, s) => this.o.store.set(p, s),
			handOver: (records, ledger, advance) => this.handOver(folder.path, records, ledger, advance),
			isStopped: () => this.stopped,
			reportFolderProblem: (error, during) => this.report(folder.path, error, during),
			log: (msg, meta) => this.o.log?.('debug', msg, meta),
		};
	}

	private async handOver(
		path: string,
		records: SyncRecord[],
		ledger: { uids?: number[]; modseq?: string },
		advance: (s: FolderState) => FolderState,
	): Promise<void> {
		await Promise.race([
			this.o.tracker.slot(this.o.maxRunning, this.stoppedError),
			this.stoppedError,
		]);
		const id = randomBytes(6).toString('hex');
		let uidValidity = '';
		const { finished } = await this.o.deliver(records, () => {
			const next = advance(this.o.store.get(path)!);
			const entry = {
				id,
				...(ledger.uids?.length ? { uids: toSequenceSet(ledger.uids) } : {}),
				...(ledger.modseq ? { modseq: ledger.modseq } : {}),
			};
			next.inFlight = [...(next.inFlight ?? []), entry];
			uidValidity = next.uidValidity;
			this.o.store.set(path, next);
		});
		const redelivered = records.some((r) => r.kind === 'message' && r.redelivered);
		this.o.tracker.track(
			{ id, folder: path, uidValidity, uids: ledger.uids ?? [], redelivered },
			finished,
		);
	}

	/** Reports a folder's problem once (again after an hour while it lasts). */
	private report(path: string, error: Error, during: string): void {
		const key = `${path}\u0000${during}\u0000${error.message}`;
		const last = this.reported.get(key);
		if (last !== undefined && Date.now() - last < REPORT_AGAIN_MS) return;
		this.reported.set(key, Date.now());
		this.o.onFolderError(path, error, during);
	}

	private folderFailed(path: string, error: Error): void {
		const problem = this.failing.get(path) ?? { message: '', attempt: 0 };
		problem.attempt++;
		if (problem.message !== error.message) {
			problem.message = error.message;
			this.report(path, error, 'syncing');
		}
		clearTimeout(problem.timer);
		problem.timer = setTimeout(
			() => this.request([path]),
			backoffDelay(problem.attempt, FOLDER_RETRY),
		);
		problem.timer.unref?.();
		this.failing.set(path, problem);
		this.o.log?.('warn', 'imapSyncTrigger: folder failed; the other folders go on', {
			folder: path,
			error: error.message,
			attempt: problem.attempt,
		});
	}

	private folderSynced(path: string): void {
		const problem = this.failing.get(path);
		if (!problem) return;
		clearTimeout(problem.timer);
		this.failing.delete(path);
		for (const key of this.reported.keys())
			if (key.startsWith(`${path}\u0000syncing\u0000`)) this.reported.delete(key);
		this.o.log?.('info', 'imapSyncTrigger: folder syncs again', { folder: path });
	}

	/** Passes over the dirty folders; a folder's failure with a working connection stays with that folder. */
	private async syncDirty(client: ImapFlow): Promise<void> {
		const paths = new Set(this.dirty);
		this.dirty.clear();
		// a folder whose pass lost the connection goes last: the others are not held up by it
		const folders = this.o.folders
			.filter((f) => paths.has(f.path))
			.sort(
				(a, b) => Number(a.path === this.brokeConnection) - Number(b.path === this.brokeConnection),
			);
		for (const [i, folder] of folders.entries()) {
			try {
				await syncFolder(this.passContext(client, folder), this.tools);
				this.stats.passes++;
				this.folderSynced(folder.path);
				if (this.brokeConnection === folder.path) this.brokeConnection = undefined;
			} catch (error) {
				if (error instanceof StoppedError || this.stopped || !client.usable) {
					if (!this.stopped) this.brokeConnection = folder.path;
					folders.slice(i).forEach((f) => this.dirty.add(f.path)); // not finished: run them again
					throw error;
				}
				this.folderFailed(folder.path, error instanceof Error ? error : new Error(String(error)));
			}
		}
	}

	private async loop(first: ImapFlow): Promise<void> {
		let client: ImapFlow | undefined = first;
		let attempt = 0;
		let lastError: Error = new Error('The connection to the IMAP server was lost');
		while (!this.stopped) {
			try {
				if (!client) {
					client = await this.open();
					this.stats.reconnects++;
					this.markAll(); // catch-up on every reconnect
				}
				let caughtUp = false;
				while (!this.stopped && client.usable) {
					if (this.dirty.size) {
						await this.syncDirty(client);
						if (!caughtUp) {
							caughtUp = true;
							attempt = 0;
						}
						await this.idle(client);
						continue;
					}
					await new Promise<void>((resolve) => (this.wake = resolve));
				}
				if (!this.stopped)
					lastError = new Error(
						`The IMAP connection closed${client.usable ? '' : ' unexpectedly'}`,
					);
			} catch (error) {
				if (error instanceof StoppedError || this.stopped) break;
				lastError = error instanceof Error ? error : new Error(String(error));
				this.stats.failures++;
				this.o.log?.('warn', 'imapSyncTrigger: sync failed, reconnecting', {
					error: lastError.message,
					attempt: attempt + 1,
				});
			}
			if (client) this.dispose(client);
			client = undefined;
			if (this.stopped) break;
			attempt++;
			if (this.o.maxAttempts > 0 && attempt > this.o.maxAttempts) {
				this.stopped = true;
				clearInterval(this.pollTimer);
				this.o.onFatal(lastError);
				break;
			}
			await Promise.race([
				sleep(backoffDelay(attempt, this.o.backoff ?? DEFAULT_BACKOFF)),
				this.stopSignal,
			]);
		}
	}

	/**
	 * Leaves the first folder selected and in IDLE, so the server pushes new mail at once. What changed there
	 * while another folder was selected is not pushed after the SELECT; it shows in the SELECT's UIDNEXT, EXISTS
	 * and HIGHESTMODSEQ only: when they differ from the last look, a pass comes first.
	 */
	private async idle(client: ImapFlow): Promise<void> {
		if (this.o.mode !== 'idle' || !client.capabilities.has('IDLE') || this.dirty.size) return;
		const path = this.o.folders[0].path;
		const reselect = !client.mailbox || client.mailbox.path !== path;
		const lock = await client.getMailboxLock(path);
		const mailbox = client.mailbox as MailboxObject;
		const look = `${mailbox.uidNext}|${mailbox.exists}|${this.o.options.changeEvents ? String(mailbox.highestModseq ?? '') : ''}`;
		lock.release();
		const changed = reselect && this.idleLook !== undefined && look !== this.idleLook;
		this.idleLook = look;
		if (changed) return this.request([path]);
		void client.idle().catch(() => undefined);
	}
}
