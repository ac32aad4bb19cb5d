// One batch of UIDs: loaded from the server (headers first, ignore rules, then the sources worth loading)
// and turned into records. A message the server refuses to return (a NO, or a server that drops the
// connection over it), or that cannot be parsed, becomes an "unreadable" item instead of holding up the
// folder: a failed batch is loaded again one message at a time, and a message that failed three times is
// skipped with that item.
// No IMAP command runs inside a fetch iterator (imapflow would deadlock): rows are collected first.
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { addressList } from '../../shared/addresses';
import { parseFetched, type EmailItem } from '../../shared/imap/message';
import { headerMap, ignoreReason, type ParsedBlocklist } from './filters';
import type { PassContext, SyncRecord } from './passContext';
import { messageKey } from './folderState';
import { readReport, reportCheck, type ReportCheck } from './reports';

/** How often the server may refuse one message before it is skipped as unreadable. */
export const STRIKES_BEFORE_SKIP = 3;

const META_QUERY = {
	uid: true,
	flags: true,
	size: true,
	internalDate: true,
	headers: true,
} as const;

export interface LoadedBatch {
	plan: Array<{ row: FetchMessageObject; oversized: boolean; report?: ReportCheck }>;
	sources: Map<number, Buffer>;
	ignored: number;
	/** Messages the server refused to return (after their strikes). */
	refused: Array<{ uid: number; error: string }>;
}

/** The records of a batch, the UIDs of its messages, and the keys that identify them after a renumbering. */
export interface BatchRecords {
	records: SyncRecord[];
	messageUids: number[];
	keys: string[];
	/** Messages that turned out to be ignored once read (bounces with "ignore", auto-replies). */
	ignored: number;
}

/** A command the server refused (imapflow answers some refusals with `false`, not an error). */
export class CommandRefused extends Error {
	readonly responseStatus = 'NO';

	constructor(
		message: string,
		readonly serverResponseCode?: string,
	) {
		super(message);
	}
}

/** What the session remembers about messages that failed to load, across passes and reconnects. */
export interface Suspicion {
	/** Failures per message. */
	strikes: Map<string, number>;
	/** Messages of a batch during which the connection died: loaded one by one next time. */
	suspects: Set<string>;
}

/** A command the server answered with NO / BAD on a connection that still works. */
export function isCommandFailure(error: unknown, client: ImapFlow): boolean {
	const status = (error as { responseStatus?: string } | undefined)?.responseStatus;
	return client.usable && (status === 'NO' || status === 'BAD');
}

export async function fetchRows(
	client: ImapFlow,
	uids: number[],
	query: Record<string, unknown>,
): Promise<FetchMessageObject[]> {
	const rows: FetchMessageObject[] = [];
	if (!uids.length) return rows;
	// streamed row by row (the socket is paused while we are slow); no other command runs in here
	for await (const row of client.fetch(uids, query, { uid: true })) rows.push(row);
	return rows;
}

export async function loadBatch(
	ctx: PassContext,
	uids: number[],
	blocklist: ParsedBlocklist,
	suspicion: Suspicion,
): Promise<LoadedBatch> {
	const key = (uid: number) =>
		`${ctx.folder.path}\u0000${ctx.getState(ctx.folder.path)?.uidValidity ?? ''}\u0000${uid}`;
	if (!uids.some((u) => suspicion.suspects.has(key(u)))) {
		try {
			return await loadRows(ctx, uids, blocklist);
		} catch (error) {
			// a refusal: find the message(s) refused now; a lost connection: next time, one by one
			if (!isCommandFailure(error, ctx.client)) {
				uids.forEach((u) => suspicion.suspects.add(key(u)));
				throw error;
			}
		}
	}
	const merged: LoadedBatch = { plan: [], sources: new Map(), ignored: 0, refused: [] };
	for (const uid of uids) {
		const k = key(uid);
		const strikes = suspicion.strikes.get(k) ?? 0;
		if (strikes >= STRIKES_BEFORE_SKIP) {
			merged.refused.push({ uid, error: `failed ${strikes} times` });
			suspicion.strikes.delete(k);
			suspicion.suspects.delete(k);
			continue;
		}
		try {
			const one = await loadRows(ctx, [uid], blocklist);
			merged.plan.push(...one.plan);
			one.sources.forEach((v, u) => merged.sources.set(u, v));
			merged.ignored += one.ignored;
			suspicion.strikes.delete(k);
			suspicion.suspects.delete(k);
		} catch (error) {
			suspicion.strikes.set(k, strikes + 1);
			// retried with the folder's next pass (or after the reconnect); the messages after it wait with it
			if (!isCommandFailure(error, ctx.client) || strikes + 1 < STRIKES_BEFORE_SKIP) throw error;
			suspicion.strikes.delete(k);
			suspicion.suspects.delete(k);
			merged.refused.push({ uid, error: (error as Error).message });
		}
	}
	return merged;
}

/** IMAP only: sizes, flags and headers of the batch, then the source of what is to be loaded whole. */
async function loadRows(
	ctx: PassContext,
	uids: number[],
	blocklist: ParsedBlocklist,
): Promise<LoadedBatch> {
	const { client, folder, options } = ctx;
	const meta = await fetchRows(client, uids, META_QUERY);
	const plan: LoadedBatch['plan'] = [];
	let ignored = 0;
	for (const row of meta) {
		const h = headerMap(row.headers);
		const senders = addressList([h.get('from') ?? '', h.get('sender') ?? ''].filter(Boolean));
		const reason = ignoreReason(
			h,
			senders.map((a) => a.address),
			options.rules,
			blocklist,
		);
		if (reason) {
			ignored++;
			ctx.log?.('imapSyncTrigger: message ignored', { folder: folder.path, uid: row.uid, reason });
			continue;
		}
		const report = reportCheck(h, options);
		plan.push({
			row,
			oversized: (row.size ?? 0) > options.sizeLimitBytes,
			...(report.read ? { report } : {}),
		});
	}
	// a possible report is loaded whole even with "Headers Only": its body says whether it is one
	const toLoad = plan
		.filter((p) => !p.oversized && (folder.load !== 'headers' || p.report))
		.map((p) => p.row.uid);
	const sources = new Map<number, Buffer>();
	for (const row of await fetchRows(client, toLoad, { uid: true, source: true }))
		if (row.source) sources.set(row.uid, row.source);
	return { plan, sources, ignored, refused: [] };
}

export type Parse = typeof parseFetched;

/** Parses a loaded batch (the connection is free again by now). */
export async function toRecords(
	ctx: PassContext,
	loaded: LoadedBatch,
	redelivered: boolean,
	parse: Parse = parseFetched,
): Promise<BatchRecords> {
	const { folder, options } = ctx;
	const uidValidity = ctx.getState(folder.path)!.uidValidity;
	const out: BatchRecords = { records: [], messageUids: [], keys: [], ignored: 0 };
	for (const { row, oversized, report } of loaded.plan) {
		const source = loaded.sources.get(row.uid);
		if (report && source) {
			const outcome = await readReport(row, source, report, {
				folder: folder.path,
				uidValidity,
				direction: folder.direction,
				includeHeaders: options.includeHeaders,
				handling: options.bounces ?? 'events',
				referenceSecret: options.referenceSecret,
				redelivered,
			});
			if (outcome.as !== 'message') loaded.sources.delete(row.uid);
			if (outcome.as === 'ignored') out.ignored++;
			if (outcome.as === 'events') {
				for (const json of outcome.events) out.records.push({ kind: 'event', json });
				out.messageUids.push(row.uid);
				out.keys.push(messageKey(outcome.messageId, outcome.keyFallback));
			}
			if (outcome.as !== 'message') continue;
		}
		let item: EmailItem;
		try {
			item = await parse(
				{ ...row, source: loaded.sources.get(row.uid) },
				{
					folder: folder.path,
					uidValidity,
					direction: folder.direction,
					includeHeaders: options.includeHeaders,
					oversized,
					load: folder.load,
					strict: true,
				},
			);
		} catch (error) {
			out.records.push(
				unreadable(
					folder.path,
					uidValidity,
					row.uid,
					`it could not be parsed: ${(error as Error).message}`,
					row,
				),
			);
			continue;
		} finally {
			loaded.sources.delete(row.uid);
		}
		out.records.push(
			redelivered ? { kind: 'message', item, redelivered } : { kind: 'message', item },
		);
		out.messageUids.push(row.uid);
		out.keys.push(
			messageKey(
				item.json.messageId,
				`${item.json.date ?? ''}|${item.json.from[0]?.address ?? ''}|${item.json.subject}`,
			),
		);
	}
	for (const r of loaded.refused)
		out.records.push(
			unreadable(folder.path, uidValidity, r.uid, `the server did not return it (${r.error})`),
		);
	return out;
}

function unreadable(
	folder: string,
	uidValidity: string,
	uid: number,
	why: string,
	row?: FetchMessageObject,
): SyncRecord {
	const h = headerMap(row?.headers);
	return {
		kind: 'event',
		json: {
			event: 'unreadable',
			folder,
			uid,
			uidValidity,
			messageId: h.get('message-id') ?? '',
			subject: h.get('subject') ?? '',
			from: h.get('from') ?? '',
			size: row?.size ?? 0,
			message: `Message ${uid} in "${folder}" was skipped: ${why}. It stays on the server; open it in a mail client to see it.`,
		},
	};
}
