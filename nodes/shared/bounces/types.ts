// What the bounce library reports about a returned message: one event per failed recipient of a delivery
// report, or one complaint per feedback report. Plain data, ready to be an n8n item's JSON.

/** What went wrong, in categories a CRM can act on. */
export type BounceReason =
	| 'userUnknown'
	| 'mailboxFull'
	| 'hostUnknown'
	| 'spamBlocked'
	| 'policy'
	| 'tooLarge'
	| 'expired'
	| 'other';

/**
 * `hard`: the address is dead (unknown user or domain): stop mailing it. `soft`: the address exists but
 * this message failed (full mailbox, spam filter, size, policy, gave up after retries). `delay`: the
 * server is still trying.
 */
export type BounceKind = 'hard' | 'soft' | 'delay';

/** RFC 3464 Action values. Only failed and delayed recipients become events. */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** The message that bounced, as far as the report quotes it. Empty strings when it does not. */
export interface OriginalMessage {
	messageId: string;
	subject: string;
	/** The original's To addresses. */
	to: string[];
	/** ISO date, or null when the report does not quote it. */
	date: string | null;
}

/**
 * The send a report is about, from its verified reference: the signed X-CRM-Mail-Ref header of the quoted
 * original ('header'), else the VERP address the report was delivered to ('verp'). Only with the tracking
 * secret; `null` when nothing verifiable names the send (an unsigned or forged claim gives nothing).
 */
export interface SentMessage {
	messageId: string;
	/** The send's (first) recipient; from a VERP address only when the report's recipient is that one, else null. */
	recipient: string | null;
	/** The Send Templated Email tracking id, when the header says it; null via VERP. */
	trackingId: string | null;
	/** The send's tracking data (e.g. `{ dealId: '42' }`); null via VERP (a return address has no room for it). */
	trackingData: Record<string, string> | null;
	/** ISO send time; null via VERP. */
	sentAt: string | null;
	via: 'header' | 'verp';
}

export interface BounceEvent {
	[key: string]: unknown;
	event: 'bounce';
	recipient: string;
	action: DsnAction;
	/** RFC 3463 enhanced status, e.g. 5.1.1 (derived from the reason when the report gives none). */
	status: string;
	kind: BounceKind;
	reason: BounceReason;
	/** The remote server's words (Diagnostic-Code, or the plain-text report's line). */
	diagnosticCode: string;
	remoteMta: string;
	reportingMta: string;
	original: OriginalMessage;
	/** Set when the report was checked with the tracking secret (see SentMessage). */
	sent?: SentMessage | null;
}

export interface ComplaintEvent {
	[key: string]: unknown;
	event: 'complaint';
	/** RFC 5965 Feedback-Type: abuse, fraud, virus, not-spam, other ... */
	feedbackType: string;
	/** The address that complained (Original-Rcpt-To, else the original's first To). */
	recipient: string;
	userAgent: string;
	reportingMta: string;
	sourceIp: string;
	arrivalDate: string | null;
	original: OriginalMessage;
	/** Set when the report was checked with the tracking secret (see SentMessage). */
	sent?: SentMessage | null;
}

export type ReportEvent = BounceEvent | ComplaintEvent;

export const NO_ORIGINAL: OriginalMessage = { messageId: '', subject: '', to: [], date: null };
