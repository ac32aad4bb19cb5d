// Optional change events: flags changed and messages expunged on the server since the last pass, from
// CONDSTORE (UID FETCH ... CHANGEDSINCE) and QRESYNC (VANISHED (EARLIER)). Each change is its own item.
import type { ImapFlow, MailboxObject } from 'imapflow';
import type { PassContext, SyncRecord } from './passContext';

interface ExpungeEvent {
	path: string;
	uid?: number;
	vanished?: boolean;
	earlier?: boolean;
}

/** Emits the changes of messages up to `upToUid` (mail emitted in this pass is not reported as changed). */
export async function emitChanges(ctx: PassContext, upToUid: number): Promise<void> {
	const { client, folder } = ctx;
	const mailbox = client.mailbox as MailboxObject;
	const state = ctx.getState(folder.path);
	if (!state) return;
	const serverModseq = mailbox.highestModseq ? String(mailbox.highestModseq) : undefined;
	const canTrack = client.enabled.has('CONDSTORE') && !mailbox.noModseq && serverModseq;
	if (!ctx.options.changeEvents || !canTrack || !state.highestModseq || upToUid < 1) {
		if (serverModseq && serverModseq !== state.highestModseq)
			ctx.setState(folder.path, { ...state, highestModseq: serverModseq });
		return;
	}
	// The fetch runs after everything else in the pass, so any change with a lower modseq than what the
	// session has seen is in its answer: the stored modseq may move to the highest of both.
	const { records, maxModseq } = await collectChanges(
		client,
		folder.path,
		upToUid,
		BigInt(state.highestModseq),
	);
	if (ctx.isStopped()) return;
	let next = BigInt(state.highestModseq);
	for (const m of [maxModseq, BigInt(serverModseq)]) if (m > next) next = m;
	const advance = (st: typeof state) => ({ ...st, highestModseq: next.toString() });
	// after a crash of n8n the changes are asked for again from the modseq before them
	if (records.length) await ctx.handOver(records, { modseq: state.highestModseq }, advance);
	else ctx.setState(folder.path, advance(ctx.getState(folder.path)!));
}

async function collectChanges(
	client: ImapFlow,
	path: string,
	upToUid: number,
	since: bigint,
): Promise<{ records: SyncRecord[]; maxModseq: bigint }> {
	const vanished: number[] = [];
	const onExpunge = (ev: ExpungeEvent) => {
		if (ev.path === path && ev.vanished && ev.earlier && ev.uid && ev.uid <= upToUid)
			vanished.push(ev.uid);
	};
	client.on('expunge', onExpunge);
	const flagged: Array<{ uid: number; flags: string[]; modseq?: string }> = [];
	let maxModseq = 0n;
	try {
		for await (const row of client.fetch(
			`1:${upToUid}`,
			{ uid: true, flags: true },
			{ uid: true, changedSince: since },
		)) {
			if (row.modseq && row.modseq > maxModseq) maxModseq = row.modseq;
			if (row.uid <= upToUid)
				flagged.push({
					uid: row.uid,
					flags: [...(row.flags ?? [])],
					modseq: row.modseq?.toString(),
				});
		}
	} finally {
		client.off('expunge', onExpunge);
	}
	const mailbox = client.mailbox as MailboxObject;
	const uidValidity = String(mailbox.uidValidity);
	const records: SyncRecord[] = flagged.map((f) => ({
		kind: 'event',
		json: {
			event: 'flagsChanged',
			folder: path,
			uid: f.uid,
			uidValidity,
			flags: f.flags,
			seen: f.flags.includes('\\Seen'),
			modseq: f.modseq,
		},
	}));
	for (const uid of [...new Set(vanished)].sort((a, b) => a - b)) {
		records.push({ kind: 'event', json: { event: 'expunged', folder: path, uid, uidValidity } });
	}
	return { records, maxModseq };
}
