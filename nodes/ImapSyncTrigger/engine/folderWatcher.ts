// Push for a watched folder other than the one the sync connection idles on: a connection of its own,
// the folder opened read-only and kept in IDLE, whose only job is to say "something changed in this folder"
// (new mail, flags, expunges). The sync connection then runs the folder's pass. A watcher that loses its
// connection reconnects with backoff; meanwhile the safety poll still covers the folder.
import type { ImapFlow } from 'imapflow';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../shared/retry';

export type FolderChange = 'exists' | 'flags' | 'expunge' | 'reconnected';

export interface FolderWatcherOptions {
	path: string;
	/** Opens a NEW logged-in client each call. */
	connect(): Promise<ImapFlow>;
	onChange(path: string, change: FolderChange): void;
	backoff?: BackoffOptions;
	log?: (level: 'debug' | 'warn', msg: string, meta?: Record<string, unknown>) => void;
}

/** `promise`, or nothing after `ms`. */
const within = (promise: Promise<unknown>, ms: number) =>
	Promise.race([promise, new Promise<void>((r) => setTimeout(r, ms).unref())]);

export class FolderWatcher {
	private stopped = false;
	private client: ImapFlow | undefined;
	private done: Promise<void> = Promise.resolve();
	private stop: () => void = () => {};
	private readonly stopSignal = new Promise<void>((r) => (this.stop = r));
	/** Connections opened; for logs and tests. */
	connects = 0;

	constructor(private readonly o: FolderWatcherOptions) {}

	start(): void {
		this.done = this.loop();
	}

	async close(): Promise<void> {
		this.stopped = true;
		this.stop();
		const client = this.client;
		if (client) {
			await within(
				client.logout().catch(() => undefined),
				2000,
			);
			try {
				client.close();
			} catch {
				// already closed
			}
		}
		await within(this.done, 3000);
	}

	private async loop(): Promise<void> {
		let attempt = 0;
		while (!this.stopped) {
			let client: ImapFlow | undefined;
			try {
				client = await this.o.connect();
				this.connects++;
				this.client = client;
				if (this.stopped) break;
				const notify = (change: FolderChange) => (ev: { path?: string }) => {
					if (!ev.path || ev.path === this.o.path) this.o.onChange(this.o.path, change);
				};
				client.on('exists', notify('exists'));
				client.on('flags', notify('flags'));
				client.on('expunge', notify('expunge'));
				client.on('error', (err: Error) =>
					this.o.log?.('debug', 'imapSyncTrigger: watcher connection error', {
						folder: this.o.path,
						error: err.message,
					}),
				);
				await client.mailboxOpen(this.o.path, { readOnly: true });
				attempt = 0;
				// whatever happened while this watcher was away is looked at now
				this.o.onChange(this.o.path, 'reconnected');
				while (!this.stopped && client.usable) await client.idle();
			} catch (error) {
				if (this.stopped) break;
				this.o.log?.('debug', 'imapSyncTrigger: folder watcher failed, reconnecting', {
					folder: this.o.path,
					error: (error as Error).message,
				});
			} finally {
				try {
					client?.close();
				} catch {
					// already closed
				}
				if (this.client === client) this.client = undefined;
			}
			if (this.stopped) break;
			attempt++;
			await within(this.stopSignal, backoffDelay(attempt, this.o.backoff ?? DEFAULT_BACKOFF));
		}
	}
}
