// One folder's pass: what is queued to be delivered again, then everything above the folder's watermark,
// fetched in UID batches, parsed and handed over. The watermark moves in the same step as the hand-over, so
// n8n saves both together (it saves a trigger's state only when it emits). Rules measured on Dovecot:
// - NOOP before SEARCH, or mail delivered just before the pass is answered from a stale view;
// - `UID N:*` returns the highest UID even when it is below N: filter client-side;
// - folders of hundreds of thousands of messages: no spread of UID lists into Math.max / min.
import type { ImapFlow, MailboxObject } from 'imapflow';
import {
	CommandRefused,
	fetchRows,
	isCommandFailure,
	loadBatch,
	toRecords,
	type LoadedBatch,
	type Parse,
	type Suspicion,
} from './batch';
import { emitChanges } from './changes';
import { parseBlocklist, type ParsedBlocklist } from './filters';
import { StoppedError, type PassContext } from './passContext';
import {
	messageKey,
	newAfterReset,
	rememberKeys,
	windowStart,
	type FolderState,
} from './folderState';
import { chunk, maxOf, minOf, uidsAfter } from './uids';

export interface PassResult {
	emitted: number;
	ignored: number;
}

export interface PassTools {
	/** Messages that failed to load (see batch.ts), kept by the session across passes and reconnects. */
	suspicion: Suspicion;
	parse?: Parse;
}

/** imapflow answers a refused SEARCH with `false`: an error here, never "no messages". */
async function searchUids(client: ImapFlow, query: Record<string, unknown>): Promise<number[]> {
	const found = await client.search(query, { uid: true });
	if (found === false)
		throw new CommandRefused(`The server refused SEARCH ${JSON.stringify(query)}`);
	return found as number[];
}

/** Runs the pass for one folder. The caller serialises passes on a connection. */
export async function syncFolder(ctx: PassContext, tools: PassTools): Promise<PassResult> {
	const { client, folder } = ctx;
	const result: PassResult = { emitted: 0, ignored: 0 };
	const lock = await client.getMailboxLock(folder.path, { description: 'imapSyncTrigger pass' });
	try {
		const uidValidity = String((client.mailbox as MailboxObject).uidValidity);
		// NOOP first: the server reports mail it has not told this session about yet
		await client.noop();
		let state = ctx.getState(folder.path);
		if (!state) state = await baseline(ctx, uidValidity);
		else if (state.uidValidity !== uidValidity) state = await rebaseline(ctx, state, uidValidity);
		const lastUidAtStart = state.lastUid;
		const blocklist = parseBlocklist(ctx.options.rules.blockedSenders);

		await applyPendingAction(ctx);
		await drainQueue(ctx, 'redeliver', blocklist, tools, result);
		await drainQueue(ctx, 'replay', blocklist, tools, result);
		for (;;) {
			const current = ctx.getState(folder.path)!;
			const uids = uidsAfter(
				await searchUids(client, { uid: `${current.lastUid + 1}:*` }),
				current.lastUid,
			);
			if (!uids.length) break;
			const batches = chunk(uids, ctx.options.batchSize);
			// the next batch downloads while this one is parsed and handed over (parsing, not IMAP, is the bottleneck)
			let next: Promise<LoadedBatch> | undefined = loadBatch(
				ctx,
				batches[0],
				blocklist,
				tools.suspicion,
			);
			for (let i = 0; i < batches.length; i++) {
				const top = batches[i][batches[i].length - 1];
				const loaded: LoadedBatch = await next!;
				next =
					i + 1 < batches.length
						? loadBatch(ctx, batches[i + 1], blocklist, tools.suspicion)
						: undefined;
				next?.catch(() => undefined); // if this batch fails, the pass fails; the prefetch is dropped
				await finishBatch(ctx, loaded, false, tools, result, (st) => ({
					...st,
					lastUid: Math.max(st.lastUid, top),
				}));
				await next?.catch(() => undefined); // the connection is free for the after-emit action
				await applyPendingAction(ctx);
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
	const lock = await ctx.client.getMailboxLock(ctx.folder.path, {
		description: 'imapSyncTrigger baseline',
	});
	try {
		await ctx.client.noop();
		if (!ctx.getState(ctx.folder.path))
			await baseline(ctx, String((ctx.client.mailbox as MailboxObject).uidValidity));
	} finally {
		lock.release();
	}
}

/** The highest UID in the selected folder (`UID SEARCH UID *`), 0 when it is empty. */
async function topUid(client: ImapFlow): Promise<number> {
	if (!(client.mailbox as MailboxObject).exists) return 0;
	return maxOf(await searchUids(client, { uid: '*' }));
}

/** First sight of a folder: the watermark goes below the first-sync window (or to the top: only new mail). */
async function baseline(ctx: PassContext, uidValidity: string): Promise<FolderState> {
	const now = ctx.now?.() ?? new Date();
	const top = await topUid(ctx.client);
	let lastUid = top;
	const since = windowStart(ctx.options.firstSync, now);
	if (since && top) {
		const first = minOf((await searchUids(ctx.client, { since })).filter((u) => u <= top));
		if (first) lastUid = first - 1;
	}
	const state: FolderState = { uidValidity, lastUid, baselineAt: now.toISOString(), recent: [] };
	const modseq = (ctx.client.mailbox as MailboxObject).highestModseq;
	if (modseq) state.highestModseq = String(modseq);
	ctx.setState(ctx.folder.path, state);
	ctx.log?.('imapSyncTrigger: folder baselined', { folder: ctx.folder.path, lastUid });
	return state;
}

/**
 * UIDVALIDITY changed (mailbox recreated or migrated): every UID is new, so the folder is not replayed.
 * Messages in the first-sync window whose Message-ID was never emitted are queued; everything else is
 * taken as seen. One event item says what happened.
 */
async function rebaseline(
	ctx: PassContext,
	old: FolderState,
	uidValidity: string,
): Promise<FolderState> {
	const now = ctx.now?.() ?? new Date();
	const top = await topUid(ctx.client);
	const since = windowStart(ctx.options.firstSync, now) ?? new Date(old.baselineAt);
	let replay: number[] = [];
	if (top) {
		const hits = (await searchUids(ctx.client, { since })).filter((u) => u <= top);
		// envelopes in slices: a migrated folder can hold the whole window
		for (const slice of chunk(hits, 1000)) {
			const rows = await fetchRows(ctx.client, slice, {
				uid: true,
				envelope: true,
				internalDate: true,
			});
			const candidates = rows.map((r) => ({
				uid: r.uid,
				key: messageKey(
					r.envelope?.messageId,
					`${r.envelope?.date?.toString() ?? r.internalDate?.toString() ?? ''}|${r.envelope?.from?.[0]?.address ?? ''}|${r.envelope?.subject ?? ''}`,
				),
			}));
			replay = replay.concat(newAfterReset(candidates, old.recent));
		}
	}
	// what was in flight or queued under the old numbering means nothing under the new one
	const state: FolderState = {
		uidValidity,
		lastUid: top,
		baselineAt: now.toISOString(),
		recent: old.recent,
		replay,
	};
	if (ctx.isStopped()) throw new StoppedError();
	const event = {
		event: 'uidValidityChanged',
		folder: ctx.folder.path,
		previousUidValidity: old.uidValidity,
		uidValidity,
		newMessages: replay.length,
		message: `The server renumbered folder "${ctx.folder.path}" (UIDVALIDITY ${old.uidValidity} -> ${uidValidity}). It was not replayed: ${replay.length} message(s) not seen before will follow.`,
	};
	await ctx.handOver([{ kind: 'event', json: event }], {}, () => state);
	return ctx.getState(ctx.folder.path)!;
}

/** Delivers a queue of UIDs (`redeliver` after a crash of n8n, `replay` after a renumbering) batch by batch. */
async function drainQueue(
	ctx: PassContext,
	queue: 'redeliver' | 'replay',
	blocklist: ParsedBlocklist,
	tools: PassTools,
	result: PassResult,
): Promise<void> {
	const path = ctx.folder.path;
	while (ctx.getState(path)?.[queue]?.length) {
		const batch = ctx.getState(path)![queue]!.slice(0, ctx.options.batchSize);
		const loaded = await loadBatch(ctx, batch, blocklist, tools.suspicion);
		await finishBatch(ctx, loaded, queue === 'redeliver', tools, result, (st) => {
			const rest = st[queue]!.slice(batch.length);
			const next = { ...st, [queue]: rest };
			if (!rest.length) delete next[queue];
			return next;
		});
		await applyPendingAction(ctx);
	}
}

/** Parse, then hand over with the state's advance (or just advance, when everything was ignored). */
async function finishBatch(
	ctx: PassContext,
	loaded: LoadedBatch,
	redelivered: boolean,
	tools: PassTools,
	result: PassResult,
	advance: (st: FolderState) => FolderState,
): Promise<void> {
	const path = ctx.folder.path;
	const { records, messageUids, keys, ignored } = await toRecords(
		ctx,
		loaded,
		redelivered,
		tools.parse,
	);
	result.ignored += loaded.ignored + ignored;
	if (ctx.isStopped()) throw new StoppedError();
	const move = (st: FolderState) => advance({ ...st, recent: rememberKeys(st.recent, keys) });
	if (records.length) await ctx.handOver(records, { uids: messageUids }, move);
	else ctx.setState(path, move(ctx.getState(path)!));
	result.emitted += records.length;
}

/**
 * Mark seen / move / delete what was delivered and whose execution finished. A refusal by the server (the
 * move target was deleted, say) is reported and retried with the next pass; it never stops the sync.
 */
async function applyPendingAction(ctx: PassContext): Promise<void> {
	const { client, folder } = ctx;
	const uids = ctx.getState(folder.path)?.pendingAction;
	if (!uids?.length) return;
	try {
		// imapflow answers a refused command with `false` (and logs the server's words)
		let done: unknown = true;
		if (folder.afterAction === 'markSeen')
			done = await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
		else if (folder.afterAction === 'move' && folder.moveTo)
			done = await client.messageMove(uids, folder.moveTo, { uid: true });
		else if (folder.afterAction === 'delete')
			done = await client.messageDelete(uids, { uid: true });
		if (done === false) throw await refusal(client, folder.afterAction, folder.moveTo);
	} catch (error) {
		if (!isCommandFailure(error, client)) throw error;
		ctx.reportFolderProblem(error as Error, afterActionLabel(folder.afterAction, folder.moveTo));
		return;
	}
	const done = new Set(uids);
	const current = ctx.getState(folder.path)!;
	const left = (current.pendingAction ?? []).filter((u) => !done.has(u));
	const next: FolderState = { ...current, pendingAction: left };
	if (!left.length) delete next.pendingAction;
	ctx.setState(folder.path, next);
}

/** Why an after-emit action was refused, as far as the client can tell (a missing move target, say). */
async function refusal(client: ImapFlow, action: string, moveTo?: string): Promise<CommandRefused> {
	if (action === 'move' && moveTo && !(await client.list()).some((f) => f.path === moveTo)) {
		return new CommandRefused(`The folder "${moveTo}" does not exist`, 'TRYCREATE');
	}
	return new CommandRefused("The server refused the command (its answer is in n8n's log)");
}

function afterActionLabel(action: string, moveTo?: string): string {
	if (action === 'move') return `moving emitted messages to "${moveTo}"`;
	if (action === 'delete') return 'deleting emitted messages';
	return 'marking emitted messages as read';
}
