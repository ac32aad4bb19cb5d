// URLs of the Email Tracking Trigger. The credential holds the public base URL of the trigger's
// production webhook (`https://n8n.example.com/webhook/<path>`); the trigger listens on three fixed
// sub-paths of it and reads the token from the `t` query parameter (static paths: n8n's router finds
// them with one exact lookup, and every proxy and mail client keeps query strings).
import { encodeToken, type TrackingClaims, type TrackingType } from './token';

export const TRACKING_ACTIONS = {
	open: 'open',
	click: 'click',
	unsubscribe: 'unsubscribe',
} as const satisfies Record<TrackingType, string>;

/** Checks and normalises a tracking base URL; returns undefined with a reason when it is unusable. */
export function parseBaseUrl(value: string): { url: string } | { error: string } {
	let parsed: URL;
	try {
		parsed = new URL(String(value ?? '').trim());
	} catch {
		return { error: 'The tracking base URL is not a valid URL' };
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
		return {
			error: 'The tracking base URL must start with https:// (or http:// for a local test)',
		};
	if (parsed.search || parsed.hash)
		return { error: 'The tracking base URL must not contain a query (?) or a fragment (#)' };
	if (parsed.username || parsed.password)
		return { error: 'The tracking base URL must not contain a user name or password' };
	return { url: parsed.toString().replace(/\/+$/, '') };
}

export function normalizeBaseUrl(value: string): string {
	const result = parseBaseUrl(value);
	if ('error' in result) throw new Error(result.error);
	return result.url;
}

export function trackingUrl(baseUrl: string, type: TrackingType, token: string): string {
	return `${baseUrl.replace(/\/+$/, '')}/${TRACKING_ACTIONS[type]}?t=${token}`;
}

export interface TrackerOptions {
	secret: string;
	baseUrl: string;
	trackingId: string;
	messageId: string;
	recipient: string;
	data?: Record<string, string>;
	/** The campaign of the email (name or id): the trigger logs its events and suppresses its unsubscribes. */
	campaign?: string;
	/** Send time in ms; defaults to now. */
	sentAt?: number;
}

/** Makes the signed URLs of one tracked message (one recipient). */
export class Tracker {
	readonly baseUrl: string;
	private readonly base: Omit<TrackingClaims, 'type' | 'url'>;

	constructor(private readonly options: TrackerOptions) {
		this.baseUrl = normalizeBaseUrl(options.baseUrl);
		this.base = {
			trackingId: options.trackingId,
			messageId: options.messageId,
			recipient: options.recipient,
			data: options.data ?? {},
			issuedAt: Math.floor((options.sentAt ?? Date.now()) / 1000),
			...(options.campaign ? { campaign: options.campaign } : {}),
		};
	}

	openUrl(): string {
		return trackingUrl(
			this.baseUrl,
			'open',
			encodeToken(this.options.secret, { ...this.base, type: 'open' }),
		);
	}

	clickUrl(target: string): string {
		return trackingUrl(
			this.baseUrl,
			'click',
			encodeToken(this.options.secret, { ...this.base, type: 'click', url: target }),
		);
	}

	unsubscribeUrl(): string {
		return trackingUrl(
			this.baseUrl,
			'unsubscribe',
			encodeToken(this.options.secret, { ...this.base, type: 'unsubscribe' }),
		);
	}

	/** Whether a URL already points at this tracker (the unsubscribe link, an already tracked link). */
	isOwnUrl(url: string): boolean {
		return (
			url === this.baseUrl ||
			url.startsWith(`${this.baseUrl}/`) ||
			url.startsWith(`${this.baseUrl}?`)
		);
	}
}
