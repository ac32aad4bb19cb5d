// Bounces and complaints in a pass (option "Bounces and Complaints"): a message that may be a delivery or
// feedback report (decided from its header) is read as one; it then becomes one event per failed
// recipient or complaint, is skipped, or stays an ordinary message. Its events take its place in the
// batch: same UID, same key, same after-emit action and redelivery as the message itself.
import type { FetchMessageObject } from 'imapflow';
import { classifyParsed, mayBeReport, parseReport } from '../../shared/bounces';
import { toEmailItem, type Direction } from '../../shared/imap/message';
import { isAutoReply } from './filters';
import type { SyncOptions } from './folderState';

/** 'events': their own items (default); 'message': ordinary messages; 'ignore': skipped. */
export type BounceHandling = 'events' | 'message' | 'ignore';

export interface ReportCheck {
	/** Read the message as a report before anything else. */
	read: boolean;
	/** An auto-reply spared by the auto-reply rule only because it may be a report. */
	autoReply: boolean;
}

/** Whether a message's source must be read as a report (from its header block alone). */
export function reportCheck(headers: Map<string, string>, options: SyncOptions): ReportCheck {
	if (!mayBeReport(headers)) return { read: false, autoReply: false };
	const autoReply = options.rules.autoReplies && isAutoReply(headers);
	return { read: (options.bounces ?? 'events') !== 'message' || autoReply, autoReply };
}

export type ReportOutcome =
	| { as: 'events'; events: Array<Record<string, unknown>>; messageId: string; keyFallback: string }
	| { as: 'ignored' }
	| { as: 'message' };

export interface ReportContext {
	folder: string;
	uidValidity: string;
	direction: Direction;
	includeHeaders: boolean;
	handling: BounceHandling;
	/** The Email Tracking secret that verifies which send a report is about (`sent` on its events). */
	referenceSecret?: string;
	redelivered: boolean;
}

export async function readReport(
	row: FetchMessageObject,
	source: Buffer,
	check: ReportCheck,
	ctx: ReportContext,
): Promise<ReportOutcome> {
	let parsed;
	try {
		parsed = await parseReport(source);
	} catch {
		return { as: 'message' }; // the ordinary parse reports it as unreadable
	}
	const found = await classifyParsed(parsed, { referenceSecret: ctx.referenceSecret });
	// not a report after all: an auto-reply the rule would have skipped, or an ordinary message
	if (!found) return check.autoReply ? { as: 'ignored' } : { as: 'message' };
	if (ctx.handling === 'ignore') return { as: 'ignored' };
	if (ctx.handling === 'message') return { as: 'message' };
	const { json } = toEmailItem({
		fetched: { ...row, source },
		parsed,
		folder: ctx.folder,
		uidValidity: ctx.uidValidity,
		direction: ctx.direction,
		includeHeaders: ctx.includeHeaders,
		includeAttachments: false,
	});
	// the report's own fields: where it is and what it is; its text and attachments are the events
	const report = {
		folder: json.folder,
		uid: json.uid,
		uidValidity: json.uidValidity,
		messageId: json.messageId,
		date: json.date,
		from: json.from,
		subject: json.subject,
		flags: json.flags,
		size: json.size,
		...(json.headers !== undefined ? { headers: json.headers } : {}),
		...(ctx.redelivered ? { redelivered: true } : {}),
	};
	return {
		as: 'events',
		events: found.map((event) => ({ ...event, ...report })),
		messageId: json.messageId,
		keyFallback: `${json.date ?? ''}|${json.from[0]?.address ?? ''}|${json.subject}`,
	};
}
