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
}

export type ReportEvent = BounceEvent | ComplaintEvent;

export const NO_ORIGINAL: OriginalMessage = { messageId: '', subject: '', to: [], date: null };
