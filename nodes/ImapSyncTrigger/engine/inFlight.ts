// The ledger of batches handed to n8n whose executions have not been seen finishing. n8n saves a trigger's
// static data only inside `emit()`, so the folder state moves *before* a batch is handed over and is saved
// together with it; the batch is recorded here at the same moment. At the next activation each recorded
// batch is either still running in this n8n process (kept), finished (its after-emit action is due), or was
// cut off by a crash of the n8n process that emitted it (delivered again). Which of the last two is told by
// the run marker (`runMarker.ts`).
import type { FolderState } from './folderState';

export interface InFlightBatch {
	id: string;
	/** UIDs of the batch's messages, as an IMAP sequence set ("101:150,152"). */
	uids?: string;
	/** HIGHESTMODSEQ before a batch of change events: where to ask again from. */
	modseq?: string;
}

/** Ascending unique UIDs as an IMAP sequence set: [1,2,3,7] -> "1:3,7". */
export function toSequenceSet(uids: number[]): string {
	const sorted = [...new Set(uids)].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; i++) {
		const start = sorted[i];
		while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
		parts.push(start === sorted[i] ? String(start) : `${start}:${sorted[i]}`);
	}
	return parts.join(',');
}

/** The UIDs of a sequence set written by `toSequenceSet`. */
export function fromSequenceSet(set: string | undefined): number[] {
	const uids: number[] = [];
	for (const part of (set ?? '').split(',')) {
		if (!part) continue;
		const [from, to] = part.split(':').map(Number);
		if (!Number.isInteger(from)) continue;
		const end = Number.isInteger(to) ? to : from;
		for (let u = Math.min(from, end); u <= Math.max(from, end); u++) uids.push(u);
	}
	return uids;
}

/** Ascending union of two UID lists. */
export function mergeUids(a: number[] | undefined, b: number[]): number[] {
	return [...new Set([...(a ?? []), ...b])].sort((x, y) => x - y);
}

export interface ReconcileInput {
	/** Batch ids whose executions are still running in this process. */
	running: (id: string) => boolean;
	/** The n8n process that recorded the ledger ended without closing the trigger (see RunMarker). */
	crashed: boolean;
	/** Whether emitted messages get an after-emit action (mark seen / move / delete). */
	afterAction: boolean;
}

export interface ReconcileResult {
	state: FolderState;
	/** Messages queued to be delivered again. */
	redelivered: number;
	/** Batches that finished while the trigger was not active. */
	finished: number;
}

/**
 * Settles a folder's ledger at activation: running batches stay recorded; the others finished, or (after a
 * crash) are queued to be delivered again, change events by asking from their modseq again.
 */
export function reconcileInFlight(state: FolderState, input: ReconcileInput): ReconcileResult {
	const result: ReconcileResult = { state, redelivered: 0, finished: 0 };
	if (!state.inFlight?.length) return result;
	const next: FolderState = { ...state, inFlight: [] };
	for (const batch of state.inFlight) {
		if (input.running(batch.id)) {
			next.inFlight!.push(batch);
			continue;
		}
		const uids = fromSequenceSet(batch.uids);
		if (input.crashed) {
			if (uids.length) next.redeliver = mergeUids(next.redeliver, uids);
			if (
				batch.modseq &&
				(!next.highestModseq || BigInt(batch.modseq) < BigInt(next.highestModseq))
			)
				next.highestModseq = batch.modseq;
			result.redelivered += uids.length;
		} else {
			if (input.afterAction && uids.length)
				next.pendingAction = mergeUids(next.pendingAction, uids);
			result.finished++;
		}
	}
	if (!next.inFlight!.length) delete next.inFlight;
	result.state = next;
	return result;
}
