// What the Email Tracking Trigger answers and which event it emits, for one request. No n8n imports:
// the node only reads the request, writes this response and starts an execution when `event` is set.
//   open         GET/HEAD  -> always the 1x1 GIF (a broken image in the mail helps nobody)
//   click        GET/HEAD  -> 302 to the URL inside a valid click token, http(s) only; otherwise a 400 page
//   unsubscribe  GET/HEAD  -> confirmation page (no state change: scanners follow links)
//                POST      -> the RFC 8058 one-click body or the page's button: thank-you page + event
// HEAD never emits an event. Bad, forged, expired or mismatched tokens never emit an event; neither do old
// signed tokens past their transition period (and their clicks do not redirect).
// An event carries `replayKey` (token + event, hashed): replayGate.ts lets only the first one per window start
// an execution. Rejections above come first, so forged tokens never reach the replay store.
import { createHash } from 'node:crypto';
import { classifyRequest, isBotLike, type Classification } from '../shared/tracking/classify';
import { PIXEL_GIF } from '../shared/tracking/pixel';
import { decodeToken, type TrackingClaims, type TrackingType } from '../shared/tracking/token';
import { isTrackableUrl } from '../shared/tracking/links';
import { confirmPage, errorPage, unsubscribedPage } from './pages';
import { resolveLook, type ErrorReason, type PageLook, type PageSettings } from './pageTexts';

export type EventName = 'opened' | 'clicked' | 'unsubscribed';

export interface TrackingRequest {
	method: string;
	/** Last path segment: open, click or unsubscribe. */
	action: string;
	token: unknown;
	ip?: string;
	userAgent?: string;
	/** The Accept-Language header: the pages' language when the trigger's language is "auto". */
	acceptLanguage?: string;
}

export interface HandlerOptions {
	secret: string;
	/** Events that start an execution. */
	events: EventName[];
	dropBots: boolean;
	/** Link lifetime, 0 = no limit. Applies to opens and clicks; an authentic unsubscribe is always honoured. */
	maxAgeSeconds: number;
	/**
	 * Old signed (readable) links are accepted while younger than this (0 = refused); not set = always.
	 * Unsubscribes are honoured whatever their format.
	 */
	legacyMaxAgeSeconds?: number;
	/** Language, texts, company name and logo of the pages (default: English, built-in texts). */
	pages?: PageSettings;
	now?: number;
}

export interface TrackingResponse {
	status: number;
	headers: Record<string, string>;
	body: string | Buffer;
}

export interface TrackingEvent {
	type: EventName;
	trackingId: string;
	messageId: string;
	recipient: string;
	url: string | null;
	trackingData: Record<string, string>;
	/** The campaign of the email (set by the send node), or null. */
	campaign: string | null;
	time: string;
	sentAt: string;
	secondsSinceSent: number;
	ip: string | null;
	userAgent: string | null;
	classification: Classification;
}

export interface HandlerResult {
	response: TrackingResponse;
	event?: TrackingEvent;
	/** Identifies token + event for the replay check (set with `event`); reveals nothing of the token. */
	replayKey?: string;
	/**
	 * An authentic unsubscribe (POST), set whether or not it starts an execution: the node honours every one
	 * (suppression list, campaign log), selected event or not, repeated or not.
	 */
	unsubscribed?: TrackingEvent;
	/** Why no event was emitted (for tests and debugging; never shown to the requester). */
	rejected?: string;
}

const NO_STORE = {
	'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0',
	pragma: 'no-cache',
	expires: '0',
	'x-robots-tag': 'noindex, nofollow',
};
const EVENT_OF: Record<TrackingType, EventName> = {
	open: 'opened',
	click: 'clicked',
	unsubscribe: 'unsubscribed',
};

const gif = (): TrackingResponse => ({
	status: 200,
	headers: { ...NO_STORE, 'content-type': 'image/gif', 'content-length': String(PIXEL_GIF.length) },
	body: PIXEL_GIF,
});
const htmlWith =
	(look: PageLook, vary: boolean) =>
	(status: number, body: string): TrackingResponse => ({
		status,
		headers: {
			...NO_STORE,
			'content-type': 'text/html; charset=utf-8',
			'content-language': look.lang,
			...(vary ? { vary: 'Accept-Language' } : {}),
			'referrer-policy': 'no-referrer',
			'x-frame-options': 'DENY',
		},
		body,
	});

export function handleTrackingRequest(
	req: TrackingRequest,
	options: HandlerOptions,
): HandlerResult {
	const method = req.method.toUpperCase();
	const now = options.now ?? Date.now();
	const action = req.action as TrackingType;
	const look = resolveLook(options.pages, req.acceptLanguage);
	const html = htmlWith(look, options.pages?.language === 'auto');
	const invalid = (reason: ErrorReason = 'damaged') => html(400, errorPage(reason, look));
	if (action !== 'open' && action !== 'click' && action !== 'unsubscribe')
		return {
			response: html(404, errorPage('unknownAddress', look)),
			rejected: 'unknown action',
		};
	if (method === 'POST' && action !== 'unsubscribe')
		return { response: html(405, errorPage('methodNotAllowed', look)), rejected: 'method' };

	const maxAge = action === 'unsubscribe' ? 0 : options.maxAgeSeconds;
	const decoded = decodeToken(options.secret, req.token, {
		maxAgeSeconds: maxAge,
		legacyMaxAgeSeconds: action === 'unsubscribe' ? undefined : options.legacyMaxAgeSeconds,
		now,
	});
	// An expired but authentic click token still redirects (the URL is ours, and a link in an old email
	// should keep working); it just no longer counts as an event.
	const claims = decoded.ok || decoded.reason === 'expired' ? decoded.claims : undefined;
	const authentic = claims && claims.type === action ? claims : undefined;

	let response: TrackingResponse;
	if (action === 'open') response = gif();
	else if (action === 'click') {
		response =
			authentic?.url && isTrackableUrl(authentic.url)
				? {
						status: 302,
						headers: {
							...NO_STORE,
							location: authentic.url,
							'referrer-policy': 'no-referrer',
							'content-type': 'text/plain; charset=utf-8',
						},
						body: '',
					}
				: decoded.ok === false && decoded.reason === 'legacy-refused'
					? invalid('oldLink')
					: invalid();
	} else if (!authentic) response = invalid('damagedUnsubscribe');
	else
		response =
			method === 'POST'
				? html(200, unsubscribedPage(look))
				: html(200, confirmPage(authentic.recipient, String(req.token), look));

	if (!decoded.ok) return { response, rejected: decoded.reason };
	if (!authentic) return { response, rejected: 'token type does not match the address' };
	if (method === 'HEAD') return { response, rejected: 'HEAD' };
	if (action === 'unsubscribe' && method !== 'POST')
		return { response, rejected: 'confirmation page' };
	if (action === 'click' && response.status !== 302)
		return { response, rejected: 'not an http(s) target' };

	const type = EVENT_OF[action];
	const secondsSinceSent = Math.max(0, Math.round(now / 1000 - authentic.issuedAt));
	const classification = classifyRequest({
		event: action,
		method,
		userAgent: req.userAgent,
		ip: req.ip,
		secondsSinceSent,
	});
	const event = eventOf(type, authentic, now, secondsSinceSent, req, classification);
	const unsubscribed = action === 'unsubscribe' ? { unsubscribed: event } : {};
	if (!options.events.includes(type))
		return { response, rejected: `event ${type} not selected`, ...unsubscribed };
	// One-click unsubscribes are POSTed by the mailbox provider's servers: never drop those as bots.
	if (options.dropBots && action !== 'unsubscribe' && isBotLike(classification.kind))
		return { response, rejected: `bot: ${classification.reason}` };
	return {
		response,
		event,
		...unsubscribed,
		replayKey: `${action}:${createHash('sha256').update(String(req.token)).digest('base64url').slice(0, 32)}`,
	};
}

function eventOf(
	type: EventName,
	claims: TrackingClaims,
	now: number,
	secondsSinceSent: number,
	req: TrackingRequest,
	classification: Classification,
): TrackingEvent {
	return {
		type,
		trackingId: claims.trackingId,
		messageId: claims.messageId,
		recipient: claims.recipient,
		url: claims.url ?? null,
		trackingData: claims.data,
		campaign: claims.campaign ?? null,
		time: new Date(now).toISOString(),
		sentAt: new Date(claims.issuedAt * 1000).toISOString(),
		secondsSinceSent,
		ip: req.ip ?? null,
		userAgent: req.userAgent ?? null,
		classification,
	};
}
