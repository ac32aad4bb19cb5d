// One folder's catch-up pass: everything above the folder's watermark is fetched in UID batches, parsed,
// emitted, and only then the watermark moves. Rules from measurements against Dovecot:
// - NOOP before SEARCH, or mail delivered just before the pass is answered from a stale view;
// - `UID N:*` returns the highest UID even when it is below N: filter client-side;
// - no IMAP command inside a fetch iterator (deadlock): rows are collected, parsed afterwards, and the
//   after-emit action runs after the batch was emitted.
import type { FetchMessageObject, ImapFlow, MailboxObject } from 'imapflow';
import { parseFetched, type EmailItem } from '../../shared/imap/message';
import { headerMap, ignoreReason, parseBlocklist, type ParsedBlocklist } from './filters';
import { addressList } from '../../shared/addresses';
import { emitChanges } from './changes';
import {
	chunk,
	messageKey,
	newAfterReset,
	rememberKeys,
	uidsAfter,
	windowStart,
	type FolderSettings,
	type FolderState,
	type SyncOptions,
} from './state';

/** What the engine hands to the n8n glue: parsed messages, or event items (reset, flags, expunge). */
export type SyncRecord = { kind: 'message'; item: EmailItem } | { kind: 'event'; json: Record<string, unknown> };

export interface PassContext {
	client: ImapFlow;
	folder: FolderSettings;
	options: SyncOptions;
	getState(path: string): FolderState | undefined;
	setState(path: string, state: FolderState): void;
	/** Emits one batch; resolves once the batch is handed over. The watermark moves after it resolves. */
	emit(records: SyncRecord[]): Promise<void>;
	/** True once the trigger is closing: nothing more may be emitted. */
	isStopped(): boolean;
	now?: () => Date;
	log?: (msg: string, meta?: Record<string, unknown>) => void;
}

export class StoppedError extends Error {
	constructor() {
		super('The trigger is closing');
	}
}

export interface PassResult {
	emitted: number;
	ignored: number;
}

const META_QUERY = { uid: true, flags: true, size: true, internalDate: true, headers: true } as const;

async function fetchRows(client: ImapFlow, uids: number[], query: Record<string, unknown>): Promise<FetchMessageObject[]> {
	const rows: FetchMessageObject[] = [];
	if (!uids.length) return rows;
	// streamed row by row (the socket is paused while we are slow); no other command runs in here
	for await (const row of client.fetch(uids, query, { uid: true })) rows.push(row);
	return rows;
}

async function searchUids(client: ImapFlow, query: Record<string, unknown>): Promise<number[]> {
	return ((await client.search(query, { uid: true })) || []) as number[];
}

/** Runs the catch-up pass for one folder. The caller serialises passes on a connection. */
export async function syncFolder(ctx: PassContext): Promise<PassResult> {
	const { client, folder } = ctx;
	const result: PassResult = { emitted: 0, ignored: 0 };
	const lock = await client.getMailboxLock(folder.path, { description: 'imapSyncTrigger pass' });
	try {
		const mailbox = client.mailbox as MailboxObject;
		const uidValidity = String(mailbox.uidValidity);
		// NOOP first: the server reports mail it has not told this session about yet
		await client.noop();
		let state = ctx.getState(folder.path);
		if (!state) state = await baseline(ctx, uidValidity);
		else if (state.uidValidity !== uidValidity) state = await rebaseline(ctx, state, uidValidity);
		const lastUidAtStart = state.lastUid;
		const blocklist = parseBlocklist(ctx.options.rules.blockedSenders);

		if (state.pendingAction?.length) await afterAction(ctx, state, state.pendingAction);
		while (ctx.getState(folder.path)?.replay?.length) {
			const replay = ctx.getState(folder.path)!.replay!;
			const batch = replay.slice(0, ctx.options.batchSize);
			await processBatch(ctx, batch, blocklist, result, (st) => ({ ...st, replay: st.replay!.slice(batch.length) }));
		}
		for (;;) {
			const current = ctx.getState(folder.path)!;
			const uids = uidsAfter(await searchUids(client, { uid: `${current.lastUid + 1}:*` }), current.lastUid);
			if (!uids.length) break;
			const batches = chunk(uids, ctx.options.batchSize);
			// the next batch downloads while this one is parsed and emitted (parsing, not IMAP, is the bottleneck)
			let next: Promise<LoadedBatch> | undefined = loadBatch(ctx, batches[0], blocklist);
			for (let i = 0; i < batches.length; i++) {
				const batch = batches[i];
				const loaded: LoadedBatch = await next!;
				next = i + 1 < batches.length ? loadBatch(ctx, batches[i + 1], blocklist) : undefined;
				next?.catch(() => undefined); // if this batch fails, the pass fails; the prefetch is dropped
				await finishBatch(ctx, loaded, result, (st) => ({ ...st, lastUid: Math.max(st.lastUid, batch[batch.length - 1]) }));
			}
			// mail announced while we worked is picked up by the next round
			await client.noop();
		}
		await emitChanges(ctx, lastUidAtStart);
		return result;
	} finally {
		lock.release();
	}
}

/** Baselines a folder never seen before (done at activation, so n8n stores it with the activation). */
export async function ensureBaseline(ctx: PassContext): Promise<void> {
	if (ctx.getState(ctx.folder.path)) return;
	const lock = await ctx.client.getMailboxLock(ctx.folder.path, { description: 'imapSyncTrigger baseline' });
	try {
		await ctx.client.noop();
		if (!ctx.getState(ctx.folder.path)) await baseline(ctx, String((ctx.client.mailbox as MailboxObject).uidValidity));
	} finally {
		lock.release();
	}
}

/** First sight of a folder: the watermark goes below the first-sync window (or to the top: only new mail). */
async function baseline(ctx: PassContext, uidValidity: string): Promise<FolderState> {
	const now = ctx.now?.() ?? new Date();
	const all = await searchUids(ctx.client, { uid: '1:*' });
	const top = all.length ? Math.max(...all) : 0;
	let lastUid = top;
	const since = windowStart(ctx.options.firstSync, now);
	if (since && top) {
		const hits = (await searchUids(ctx.client, { since })).filter((u) => u <= top);
		lastUid = hits.length ? Math.min(...hits) - 1 : top;
	}
	const state: FolderState = { uidValidity, lastUid, baselineAt: now.toISOString(), recent: [] };
	if (ctx.client.mailbox && (ctx.client.mailbox as MailboxObject).highestModseq)
		state.highestModseq = String((ctx.client.mailbox as MailboxObject).highestModseq);
	ctx.setState(ctx.folder.path, state);
	ctx.log?.('imapSyncTrigger: folder baselined', { folder: ctx.folder.path, lastUid });
	return state;
}

/**
 * UIDVALIDITY changed (mailbox recreated or migrated): every UID is new, so the folder is not replayed.
 * Messages in the first-sync window whose Message-ID was never emitted are queued; everything else is
 * taken as seen. One event item says what happened.
 */
async function rebaseline(ctx: PassContext, old: FolderState, uidValidity: string): Promise<FolderState> {
	const now = ctx.now?.() ?? new Date();
	const all = await searchUids(ctx.client, { uid: '1:*' });
	const top = all.length ? Math.max(...all) : 0;
	const since = windowStart(ctx.options.firstSync, now) ?? new Date(old.baselineAt);
	let replay: number[] = [];
	if (top) {
		const hits = (await searchUids(ctx.client, { since })).filter((u) => u <= top);
		const rows = await fetchRows(ctx.client, hits, { uid: true, envelope: true, internalDate: true });
		const candidates = rows.map((r) => ({ uid: r.uid, key: messageKey(r.envelope?.messageId, fallbackKey(r)) }));
		replay = newAfterReset(candidates, old.recent);
	}
	const state: FolderState = { uidValidity, lastUid: top, baselineAt: now.toISOString(), recent: old.recent, replay };
	if (ctx.isStopped()) throw new StoppedError();
	await ctx.emit([
		{
			kind: 'event',
			json: {
				event: 'uidValidityChanged',
				folder: ctx.folder.path,
				previousUidValidity: old.uidValidity,
				uidValidity,
				newMessages: replay.length,
				message: `The server renumbered folder "${ctx.folder.path}" (UIDVALIDITY ${old.uidValidity} -> ${uidValidity}). It was not replayed: ${replay.length} message(s) not seen before will follow.`,
			},
		},
	]);
	ctx.setState(ctx.folder.path, state);
	return state;
}

function fallbackKey(r: Pick<FetchMessageObject, 'envelope' | 'internalDate'>): string {
	const e = r.envelope;
	return `${e?.date?.toString() ?? r.internalDate?.toString() ?? ''}|${e?.from?.[0]?.address ?? ''}|${e?.subject ?? ''}`;
}

interface LoadedBatch {
	plan: Array<{ row: FetchMessageObject; oversized: boolean }>;
	sources: Map<number, Buffer>;
	ignored: number;
}

async function processBatch(
	ctx: PassContext,
	uids: number[],
	blocklist: ParsedBlocklist,
	result: PassResult,
	advance: (st: FolderState) => FolderState,
): Promise<void> {
	await finishBatch(ctx, await loadBatch(ctx, uids, blocklist), result, advance);
}

/** IMAP only: sizes, flags and headers of the batch, then the source of what is to be loaded whole. */
async function loadBatch(ctx: PassContext, uids: number[], blocklist: ParsedBlocklist): Promise<LoadedBatch> {
	const { client, folder, options } = ctx;
	const meta = await fetchRows(client, uids, META_QUERY);
	const plan: LoadedBatch['plan'] = [];
	let ignored = 0;
	for (const row of meta) {
		const h = headerMap(row.headers);
		const senders = addressList([h.get('from') ?? '', h.get('sender') ?? ''].filter(Boolean));
		const reason = ignoreReason(h, senders.map((a) => a.address), options.rules, blocklist);
		if (reason) {
			ignored++;
			ctx.log?.('imapSyncTrigger: message ignored', { folder: folder.path, uid: row.uid, reason });
			continue;
		}
		plan.push({ row, oversized: (row.size ?? 0) > options.sizeLimitBytes });
	}
	const toLoad = folder.load === 'headers' ? [] : plan.filter((p) => !p.oversized).map((p) => p.row.uid);
	const sources = new Map<number, Buffer>();
	for (const row of await fetchRows(client, toLoad, { uid: true, source: true })) if (row.source) sources.set(row.uid, row.source);
	return { plan, sources, ignored };
}

/** Parse, emit, then move the watermark, then the after-emit action. */
async function finishBatch(ctx: PassContext, loaded: LoadedBatch, result: PassResult, advance: (st: FolderState) => FolderState): Promise<void> {
	const { folder, options } = ctx;
	const { plan, sources } = loaded;
	result.ignored += loaded.ignored;
	const state = ctx.getState(folder.path)!;
	const records: SyncRecord[] = [];
	const keys: string[] = [];
	const emittedUids: number[] = [];
	// parse only after the fetch completed (the connection is free again)
	for (const { row, oversized } of plan) {
		const item = await parseFetched(
			{ ...row, source: sources.get(row.uid) },
			{
				folder: folder.path,
				uidValidity: state.uidValidity,
				direction: folder.direction,
				includeHeaders: options.includeHeaders,
				oversized,
				load: folder.load,
			},
		);
		sources.delete(row.uid);
		records.push({ kind: 'message', item });
		keys.push(messageKey(item.json.messageId, `${item.json.date ?? ''}|${item.json.from[0]?.address ?? ''}|${item.json.subject}`));
		emittedUids.push(row.uid);
	}
	if (ctx.isStopped()) throw new StoppedError();
	if (records.length) await ctx.emit(records);
	// the watermark moves only now that the batch is out (crash before this point: the batch comes again)
	const next = advance({ ...ctx.getState(folder.path)!, recent: rememberKeys(state.recent, keys) });
	if (folder.afterAction !== 'nothing' && emittedUids.length) next.pendingAction = [...(next.pendingAction ?? []), ...emittedUids];
	ctx.setState(folder.path, next);
	result.emitted += records.length;
	if (next.pendingAction?.length) await afterAction(ctx, next, next.pendingAction);
}

/** Mark seen / move / delete what was emitted. Retried on the next pass if the connection dies meanwhile. */
async function afterAction(ctx: PassContext, state: FolderState, uids: number[]): Promise<void> {
	const { client, folder } = ctx;
	if (folder.afterAction === 'markSeen') await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
	else if (folder.afterAction === 'move' && folder.moveTo) await client.messageMove(uids, folder.moveTo, { uid: true });
	else if (folder.afterAction === 'delete') await client.messageDelete(uids, { uid: true });
	const current = ctx.getState(folder.path) ?? state;
	ctx.setState(folder.path, { ...current, pendingAction: undefined });
}
