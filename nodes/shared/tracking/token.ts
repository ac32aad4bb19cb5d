// Signed tracking tokens. A stateless n8n node has no database to look links up in (listmonk, Postal,
// Mautic and EspoCRM all redirect to a URL stored server-side), so the token itself carries everything,
// including the click target, and an HMAC-SHA256 over the token text makes it unforgeable.
//
// Format: `<payload>.<signature>`, both base64url without padding.
//   payload   = base64url(JSON array [version, type, trackingId, messageId, recipient, issuedAt, url, data])
//   signature = base64url(first 16 bytes of HMAC-SHA256(secret, 'crm-mail-tracking.' + payload))
// The HMAC is computed over the payload *text*, and the signature is compared as text, so a
// non-canonical base64 spelling of the same bytes is rejected too. 128 bits of MAC are plenty against
// online forgery and keep the links short.
import { createHmac, timingSafeEqual } from 'node:crypto';

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
}

export type DecodeFailure = 'malformed' | 'bad-signature' | 'expired';

export type DecodeResult =
	| { ok: true; claims: TrackingClaims }
	| { ok: false; reason: DecodeFailure; claims?: TrackingClaims };

export interface DecodeOptions {
	/** Tokens older than this many seconds are 'expired' (the claims are still returned for logging). */
	maxAgeSeconds?: number;
	/** Current time in ms (tests). */
	now?: number;
}

const VERSION = 1;
const DOMAIN = 'crm-mail-tracking.';
const SIG_BYTES = 16;
/** A real token is a few hundred characters; anything far larger is not ours (and costs HMAC time). */
export const MAX_TOKEN_LENGTH = 16384;
const TYPES: Record<string, TrackingType> = { o: 'open', c: 'click', u: 'unsubscribe' };
const TYPE_CODES: Record<TrackingType, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const B64URL = /^[A-Za-z0-9_-]+$/;

function sign(secret: string, payload: string): string {
	return createHmac('sha256', secret)
		.update(DOMAIN + payload)
		.digest()
		.subarray(0, SIG_BYTES)
		.toString('base64url');
}

export function encodeToken(secret: string, claims: TrackingClaims): string {
	if (!secret) throw new Error('Tracking secret is empty');
	const body: unknown[] = [
		VERSION,
		TYPE_CODES[claims.type],
		claims.trackingId,
		claims.messageId,
		claims.recipient,
		Math.floor(claims.issuedAt),
		claims.url ?? '',
		claims.data ?? {},
	];
	const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
	return `${payload}.${sign(secret, payload)}`;
}

/** Verifies and decodes a token. Never throws, whatever the input. */
export function decodeToken(
	secret: string,
	token: unknown,
	options: DecodeOptions = {},
): DecodeResult {
	try {
		if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !secret)
			return { ok: false, reason: 'malformed' };
		const dot = token.indexOf('.');
		if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
		const payload = token.slice(0, dot);
		const signature = token.slice(dot + 1);
		if (!B64URL.test(payload) || !B64URL.test(signature)) return { ok: false, reason: 'malformed' };
		const expected = Buffer.from(sign(secret, payload), 'ascii');
		const given = Buffer.from(signature, 'ascii');
		// timingSafeEqual needs equal lengths; the length of a MAC is public anyway.
		if (given.length !== expected.length || !timingSafeEqual(given, expected))
			return { ok: false, reason: 'bad-signature' };
		const claims = parseClaims(Buffer.from(payload, 'base64url').toString('utf8'));
		if (!claims) return { ok: false, reason: 'malformed' };
		const now = options.now ?? Date.now();
		if (
			options.maxAgeSeconds &&
			options.maxAgeSeconds > 0 &&
			now / 1000 - claims.issuedAt > options.maxAgeSeconds
		) {
			return { ok: false, reason: 'expired', claims };
		}
		return { ok: true, claims };
	} catch {
		return { ok: false, reason: 'malformed' };
	}
}

// A correctly signed payload is one we wrote, but validate its shape anyway: a secret shared with
// another version of this package must not crash the trigger.
function parseClaims(json: string): TrackingClaims | undefined {
	const body: unknown = JSON.parse(json);
	if (!Array.isArray(body) || body.length !== 8 || body[0] !== VERSION) return undefined;
	const [, typeCode, trackingId, messageId, recipient, issuedAt, url, data] = body as unknown[];
	const type = typeof typeCode === 'string' ? TYPES[typeCode] : undefined;
	if (
		!type ||
		typeof trackingId !== 'string' ||
		typeof messageId !== 'string' ||
		typeof recipient !== 'string'
	)
		return undefined;
	if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt) || typeof url !== 'string')
		return undefined;
	if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
	const clean: Record<string, string> = {};
	for (const [k, v] of Object.entries(data as Record<string, unknown>))
		clean[k] = typeof v === 'string' ? v : JSON.stringify(v);
	if (type === 'click' && !url) return undefined;
	return { type, trackingId, messageId, recipient, issuedAt, data: clean, ...(url ? { url } : {}) };
}
