// One connection per active trigger: catch-up on every (re)connect, IDLE push (debounced) on the first
// folder, a safety poll over all folders, reconnect with capped exponential backoff and jitter on a NEW
// client (an imapflow instance never reconnects), and a close that never hangs.
import type { ImapFlow } from 'imapflow';
import { ensureBaseline, StoppedError, syncFolder, type PassContext, type SyncRecord } from './sync-pass';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions, type FolderSettings, type FolderState, type SyncOptions } from './state';

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
	emit(records: SyncRecord[]): Promise<void>;
	/** Called once when reconnecting was given up (after `maxAttempts` failed attempts in a row). */
	onFatal(error: Error): void;
	/** 'idle': push from the server plus the safety poll; 'poll': the poll only (servers without IDLE). */
	mode: 'idle' | 'poll';
	pollIntervalMs: number;
	/** Mail often arrives in bursts: wait this long after an EXISTS before syncing (default 200 ms). */
	debounceMs?: number;
	backoff?: BackoffOptions;
	/** Failed connection attempts in a row before giving up; 0 = never give up. */
	maxAttempts: number;
	/** Bound of a graceful LOGOUT on close before the socket is cut. */
	closeTimeoutMs?: number;
	log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, meta?: Record<string, unknown>) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class SyncSession {
	private stopped = false;
	private client: ImapFlow | undefined;
	private loopDone: Promise<void> = Promise.resolve();
	private dirty = new Set<string>();
	private wake: () => void = () => {};
	private stopWake: () => void = () => {};
	private readonly stopSignal = new Promise<void>((r) => (this.stopWake = r));
	private pollTimer: NodeJS.Timeout | undefined;
	private debounceTimer: NodeJS.Timeout | undefined;
	/** Connections opened (first one included) and passes run; for logs and tests. */
	readonly stats = { connects: 0, reconnects: 0, passes: 0, failures: 0 };

	constructor(private readonly o: SessionOptions) {}

	/** Connects and baselines new folders (errors reject: activation fails with them), then syncs in the background. */
	async start(): Promise<void> {
		const client = await this.open();
		try {
			for (const folder of this.o.folders) await ensureBaseline(this.passContext(client, folder));
		} catch (error) {
			this.dispose(client);
			// plain module (no n8n imports): the node glue turns errors into NodeOperationErrors
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw error;
		}
		this.markAll();
		this.pollTimer = setInterval(() => this.request(this.o.folders.map((f) => f.path)), Math.max(1000, this.o.pollIntervalMs));
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
		this.wake();
		this.stopWake();
		const bound = this.o.closeTimeoutMs ?? 3000;
		const client = this.client;
		if (client) {
			await Promise.race([client.logout().catch(() => undefined), sleep(bound)]);
			this.dispose(client);
		}
		await Promise.race([this.loopDone, sleep(bound)]);
	}

	private markAll() {
		for (const f of this.o.folders) this.dirty.add(f.path);
	}

	private async open(): Promise<ImapFlow> {
		const client = await this.o.connect();
		this.stats.connects++;
		// imapflow emits 'error' at most once per connection; without a listener it would crash n8n
		client.on('error', (err: Error) => this.o.log?.('warn', 'imapSyncTrigger: connection error', { error: err.message }));
		client.on('close', () => this.wake());
		client.on('exists', (ev: { path: string }) => {
			if (this.o.mode !== 'idle') return;
			clearTimeout(this.debounceTimer);
			this.debounceTimer = setTimeout(() => this.request([ev.path]), this.o.debounceMs ?? 200);
		});
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
			emit: (records) => this.o.emit(records),
			isStopped: () => this.stopped,
			log: (msg, meta) => this.o.log?.('debug', msg, meta),
		};
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
						const paths = [...this.dirty];
						this.dirty.clear();
						try {
							for (const folder of this.o.folders.filter((f) => paths.includes(f.path))) {
								await syncFolder(this.passContext(client, folder));
								this.stats.passes++;
							}
						} catch (error) {
							paths.forEach((p) => this.dirty.add(p)); // the pass did not finish: run it again
							// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
							throw error;
						}
						if (!caughtUp) {
							caughtUp = true;
							attempt = 0;
						}
						await this.idle(client);
						continue;
					}
					await new Promise<void>((resolve) => (this.wake = resolve));
				}
				if (!this.stopped) lastError = new Error(`The IMAP connection closed${client.usable ? '' : ' unexpectedly'}`);
			} catch (error) {
				if (error instanceof StoppedError || this.stopped) break;
				lastError = error instanceof Error ? error : new Error(String(error));
				this.stats.failures++;
				this.o.log?.('warn', 'imapSyncTrigger: sync failed, reconnecting', { error: lastError.message, attempt: attempt + 1 });
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
			await Promise.race([sleep(backoffDelay(attempt, this.o.backoff ?? DEFAULT_BACKOFF)), this.stopSignal]);
		}
	}

	/** Leaves the first folder selected and in IDLE, so the server pushes new mail at once. */
	private async idle(client: ImapFlow): Promise<void> {
		if (this.o.mode !== 'idle' || !client.capabilities.has('IDLE') || this.dirty.size) return;
		const lock = await client.getMailboxLock(this.o.folders[0].path);
		lock.release();
		void client.idle().catch(() => undefined);
	}
}
