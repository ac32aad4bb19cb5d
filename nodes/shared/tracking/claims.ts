// What a tracking token says. Shared by the sealed (current) and the signed (old) token formats.
export type TrackingType = 'open' | 'click' | 'unsubscribe';

export interface TrackingClaims {
	type: TrackingType;
	/** Identifies the tracked send (one per recipient message), chosen by the sender. */
	trackingId: string;
	/** The Message-ID header of the sent email. */
	messageId: string;
	recipient: string;
	/** Click target (click tokens only). */
	url?: string;
	/** Key / value pairs returned with every event (for example the deal id). */
	data: Record<string, string>;
	/** Unix time in seconds at which the token was made (the send time). */
	issuedAt: number;
	/** The campaign the email belongs to (name or id), for the suppression list and the campaign log. */
	campaign?: string;
}

export const TYPES: Record<string, TrackingType> = { o: 'open', c: 'click', u: 'unsubscribe' };
export const TYPE_CODES: Record<TrackingType, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
