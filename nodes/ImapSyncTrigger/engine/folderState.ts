// Per-folder sync state and the small pure rules around it (first-sync window, known Message-IDs, UID lists).
// The state lives in the node's static data, keyed by folder path.
import { createHash } from 'node:crypto';
import type { InFlightBatch } from './inFlight';
import type { Direction, LoadMode } from '../../shared/imap/message';
import type { IgnoreRules } from './filters';
import type { BounceHandling } from './reports';

export interface FolderState {
	uidValidity: string;
	/** Every message with a UID up to this one was handed to n8n (or deliberately skipped). */
	lastUid: number;
	/** HIGHESTMODSEQ after the last pass (CONDSTORE servers), for change events. */
	highestModseq?: string;
	/** When this UIDVALIDITY epoch was first seen (ISO). */
	baselineAt: string;
	/** Short hashes of recently emitted Message-IDs: decide what is new after a UIDVALIDITY change. */
	recent: string[];
	/** UIDs still to emit after a UIDVALIDITY change (new mail found while re-baselining). */
	replay?: number[];
	/** UIDs emitted whose after-emit action (mark seen / move / delete) has not completed yet. */
	pendingAction?: number[];
	/** Batches handed to n8n whose executions were not seen finishing (see inFlight.ts). */
	inFlight?: InFlightBatch[];
	/** UIDs to deliver again: the n8n process that emitted them crashed before their execution finished. */
	redeliver?: number[];
}

export type AfterAction = 'nothing' | 'markSeen' | 'move' | 'delete';

export interface FolderSettings {
	path: string;
	direction: Direction;
	load: LoadMode;
	afterAction: AfterAction;
	/** Target folder of the 'move' action. */
	moveTo?: string;
}

export interface FirstSyncWindow {
	/** 'new': only mail arriving from activation; 'days': the last N days; 'since': since a date. */
	mode: 'new' | 'days' | 'since';
	days?: number;
	since?: string | Date;
}

export interface SyncOptions {
	batchSize: number;
	/** Messages larger than this are emitted with their header only and `oversized: true`. */
	sizeLimitBytes: number;
	firstSync: FirstSyncWindow;
	rules: IgnoreRules;
	includeHeaders: boolean;
	/** Emit flag changes and expunges (CONDSTORE / QRESYNC) as their own items. */
	changeEvents: boolean;
	/** Bounces and complaints: their own events (default), ordinary messages, or skipped. */
	bounces?: BounceHandling;
	/** The Email Tracking secret: bounce and complaint events get `sent` (never emitted or logged itself). */
	referenceSecret?: string;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
	batchSize: 50,
	sizeLimitBytes: 50 * 1024 * 1024,
	firstSync: { mode: 'days', days: 30 },
	rules: { blockedSenders: [], autoReplies: false, bulkMail: false },
	includeHeaders: false,
	changeEvents: false,
};

/** Start of the first-sync window, or undefined for "only new mail from now on". */
export function windowStart(w: FirstSyncWindow, now: Date): Date | undefined {
	if (w.mode === 'days') return new Date(now.getTime() - Math.max(0, w.days ?? 30) * 86400000);
	if (w.mode === 'since' && w.since) {
		const d = new Date(w.since);
		if (!Number.isNaN(d.getTime())) return d;
	}
	return undefined;
}

/** Which mailbox the saved positions belong to: host, port and user, hashed (no address in static data). */
export function accountKey(account: { host: string; port: number; user: string }): string {
	return createHash('sha1')
		.update(`${account.host.toLowerCase()}\u0000${account.port}\u0000${account.user.toLowerCase()}`)
		.digest('hex')
		.slice(0, 12);
}

/** How many Message-ID hashes a folder keeps (about 60 KB of static data at most). */
export const RECENT_LIMIT = 5000;

/** 12 hex chars of SHA-1: collisions are negligible among a few thousand ids, and no address leaks into static data. */
export function messageKey(messageId: string | undefined, fallback: string): string {
	const id = messageId?.trim() || fallback;
	return createHash('sha1').update(id).digest('hex').slice(0, 12);
}

export function rememberKeys(recent: string[], keys: string[]): string[] {
	if (!keys.length) return recent;
	const next = recent.concat(keys);
	return next.length > RECENT_LIMIT ? next.slice(next.length - RECENT_LIMIT) : next;
}

/** Which candidates (uid + key) are new after a UIDVALIDITY change: the ones whose key was never emitted. */
export function newAfterReset(
	candidates: Array<{ uid: number; key: string }>,
	recent: string[],
): number[] {
	const known = new Set(recent);
	return candidates
		.filter((c) => !known.has(c.key))
		.map((c) => c.uid)
		.sort((a, b) => a - b);
}
