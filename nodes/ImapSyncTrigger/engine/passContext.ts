// What a folder's pass works with: the connection, the folder's settings and state, and the hand-over of
// batches to the workflow. Kept apart from the passes so that they import it, not each other.
import type { ImapFlow } from 'imapflow';
import type { EmailItem } from '../../shared/imap/message';
import type { FolderSettings, FolderState, SyncOptions } from './folderState';

/** What the engine hands to the n8n glue: parsed messages, or event items (reset, flags, expunge, unreadable). */
export type SyncRecord =
	| { kind: 'message'; item: EmailItem; redelivered?: boolean }
	| { kind: 'event'; json: Record<string, unknown> };

/** What a batch's ledger entry records, to deliver it again after a crash. */
export interface HandOverLedger {
	uids?: number[];
	/** For change events: the folder's HIGHESTMODSEQ before them. */
	modseq?: string;
}

export interface PassContext {
	client: ImapFlow;
	folder: FolderSettings;
	options: SyncOptions;
	getState(path: string): FolderState | undefined;
	setState(path: string, state: FolderState): void;
	/**
	 * Hands one batch to the workflow: waits for a free execution slot, then moves the folder's state with
	 * `advance` and records the batch as in flight, in the same step in which the batch is handed over (n8n
	 * saves the state with it). Rejects without moving anything when the batch could not be handed over.
	 */
	handOver(
		records: SyncRecord[],
		ledger: HandOverLedger,
		advance: (state: FolderState) => FolderState,
	): Promise<void>;
	/** True once the trigger is closing: nothing more may be emitted. */
	isStopped(): boolean;
	/** A command on the folder failed but the connection is fine (e.g. the move target is gone): report it. */
	reportFolderProblem(error: Error, during: string): void;
	now?: () => Date;
	log?: (msg: string, meta?: Record<string, unknown>) => void;
}

export class StoppedError extends Error {
	constructor() {
		super('The trigger is closing');
	}
}
