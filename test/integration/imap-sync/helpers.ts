// Runs the sync engine against a real Dovecot, recording what it emits and keeping its state in a Map (as
// the node keeps it in static data). `saved` is what n8n would have saved of it: a JSON copy taken at every
// hand-over (n8n saves a trigger's static data only when it emits) and after start (activation).
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { connectImap, imapSettingsFromCredentials } from '../../../nodes/shared/imap/connection';
import { DeliveryTracker, trackerFor } from '../../../nodes/ImapSyncTrigger/engine/deliveryTracker';
import type { SyncRecord } from '../../../nodes/ImapSyncTrigger/engine/passContext';
import { SyncSession, type SessionOptions } from '../../../nodes/ImapSyncTrigger/engine/session';
import {
	DEFAULT_SYNC_OPTIONS,
	type FolderSettings,
	type FolderState,
	type SyncOptions,
} from '../../../nodes/ImapSyncTrigger/engine/folderState';
import { imapCredential, openImap, type DovecotHandle } from '../../harness/dovecot';

export function folder(path: string, extra: Partial<FolderSettings> = {}): FolderSettings {
	return { path, direction: 'incoming', load: 'full', afterAction: 'nothing', ...extra };
}

export interface Harness {
	session: SyncSession;
	records: SyncRecord[];
	messages: () => Array<Record<string, unknown>>;
	events: () => Array<Record<string, unknown>>;
	state: Map<string, FolderState>;
	/** What n8n would have saved: the state as of the last hand-over (or the activation). */
	saved: Map<string, FolderState>;
	fatal: Error[];
	folderErrors: Array<{ path: string; error: Error; during: string }>;
	tracker: DeliveryTracker;
	waitFor(pred: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
}

export interface EngineOptions {
	folders?: FolderSettings[];
	options?: Partial<SyncOptions>;
	session?: Partial<SessionOptions>;
	/** The saved state to start from (another engine's `saved`: a restart). */
	state?: Map<string, FolderState>;
	qresync?: boolean;
	/** The execution a batch starts; its hand-over counts as finished when this settles (default: at once). */
	execute?: (records: SyncRecord[]) => Promise<unknown>;
	/** Tracker key (one per trigger) and where its run marker lives (none: no crash detection). */
	trigger?: { key: string; markerDir?: string };
}

const copy = (m: Map<string, FolderState>) =>
	new Map<string, FolderState>(JSON.parse(JSON.stringify([...m])));

export async function startEngine(
	dv: DovecotHandle,
	user: string,
	o: EngineOptions = {},
): Promise<Harness> {
	const records: SyncRecord[] = [];
	const state = o.state ? copy(o.state) : new Map<string, FolderState>();
	let saved = copy(state);
	const fatal: Error[] = [];
	const folderErrors: Harness['folderErrors'] = [];
	const settings = imapSettingsFromCredentials(imapCredential(dv, user));
	const trigger = o.trigger ?? { key: `engine-${randomBytes(6).toString('hex')}` };
	const tracker = trackerFor(trigger.key, trigger.markerDir, () => undefined);
	const session = new SyncSession({
		connect: () =>
			connectImap(settings, {
				connectTimeoutMs: 5000,
				extra: { qresync: o.qresync ?? false, socketTimeout: 30000 },
			}),
		folders: o.folders ?? [folder('INBOX')],
		options: { ...DEFAULT_SYNC_OPTIONS, firstSync: { mode: 'new' }, ...o.options },
		store: { get: (p) => state.get(p), set: (p, s) => state.set(p, s) },
		deliver: async (batch, commit) => {
			commit();
			saved = copy(state);
			records.push(...batch);
			return { finished: o.execute ? o.execute(batch) : Promise.resolve() };
		},
		tracker,
		maxRunning: 1,
		onFatal: (e) => fatal.push(e),
		onFolderError: (path, error, during) => folderErrors.push({ path, error, during }),
		mode: 'idle',
		pollIntervalMs: 60000,
		debounceMs: 100,
		backoff: { baseMs: 50, maxMs: 500, jitter: 0.3 },
		maxAttempts: 0,
		...o.session,
	});
	await session.start();
	saved = copy(state);
	const waitFor = async (pred: () => boolean, timeoutMs = 30000, what = 'condition') => {
		const start = Date.now();
		while (!pred()) {
			if (Date.now() - start > timeoutMs)
				throw new Error(`Timed out waiting for ${what}; ${records.length} records so far`);
			await new Promise((r) => setTimeout(r, 25));
		}
	};
	return {
		session,
		records,
		state,
		get saved() {
			return saved;
		},
		fatal,
		folderErrors,
		tracker,
		messages: () =>
			records
				.filter((r) => r.kind === 'message')
				.map((r) => (r as Extract<SyncRecord, { kind: 'message' }>).item.json),
		events: () =>
			records
				.filter((r) => r.kind === 'event')
				.map((r) => (r as Extract<SyncRecord, { kind: 'event' }>).json),
		waitFor,
	};
}

/** A small RFC 5322 message, fast to build in bulk. */
export function rawMessage(
	id: string,
	o: { from?: string; subject?: string; body?: string; headers?: string; date?: Date } = {},
): string {
	return [
		`From: ${o.from ?? 'Sender <sender@example.org>'}`,
		'To: rcpt@test.local',
		`Subject: ${o.subject ?? `Message ${id}`}`,
		`Message-ID: <${id}>`,
		`Date: ${(o.date ?? new Date()).toUTCString()}`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		...(o.headers ? [o.headers] : []),
		'',
		o.body ?? `Body of ${id}.`,
		'',
	].join('\r\n');
}

/** APPENDs many messages over a few parallel connections. */
export async function seed(
	dv: DovecotHandle,
	user: string,
	folderPath: string,
	raws: Array<string | Buffer>,
	connections = 4,
): Promise<void> {
	const clients: ImapFlow[] = await Promise.all(
		Array.from({ length: connections }, () => openImap(dv, user)),
	);
	try {
		await Promise.all(
			clients.map(async (c, ci) => {
				for (let i = ci * 100; i < raws.length; i += connections * 100) {
					await Promise.all(raws.slice(i, i + 100).map((r) => c.append(folderPath, r)));
				}
			}),
		);
	} finally {
		await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
	}
}

/** Every Message-ID in a folder, read on a fresh connection. */
export async function messageIdsIn(
	dv: DovecotHandle,
	user: string,
	folderPath = 'INBOX',
): Promise<string[]> {
	const c = await openImap(dv, user);
	try {
		const lock = await c.getMailboxLock(folderPath);
		try {
			const ids: string[] = [];
			if (!(c.mailbox && c.mailbox.exists)) return ids;
			for await (const m of c.fetch('1:*', { uid: true, envelope: true }))
				ids.push(m.envelope?.messageId ?? '');
			return ids;
		} finally {
			lock.release();
		}
	} finally {
		await c.logout().catch(() => undefined);
	}
}
