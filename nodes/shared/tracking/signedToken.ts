// The first token format (version 1, until this package's sealed tokens): signed but NOT encrypted, so the
// recipient, the Message-ID and the tracking data are readable base64 in every link. The trigger still
// verifies it during a transition period (tokens in emails already sent); nothing mints it any more except
// tests and the benchmark, which need old links to try.
//
// Format: `<payload>.<signature>`, both base64url without padding.
//   payload   = base64url(JSON array [1, type, trackingId, messageId, recipient, issuedAt, url, data])
//   signature = base64url(first 16 bytes of HMAC-SHA256(secret, 'crm-mail-tracking.' + payload))
// The HMAC is computed over the payload *text*, and the signature is compared as text, so a non-canonical
// base64 spelling of the same bytes is rejected too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TYPE_CODES, TYPES, type TrackingClaims } from './claims';

const VERSION = 1;
const DOMAIN = 'crm-mail-tracking.';
const SIG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]+$/;

function sign(secret: string, payload: string): string {
	return createHmac('sha256', secret)
		.update(DOMAIN + payload)
		.digest()
		.subarray(0, SIG_BYTES)
		.toString('base64url');
}

/** An old-format token (tests and the benchmark only: the nodes mint sealed tokens). */
export function encodeSignedToken(secret: string, claims: TrackingClaims): string {
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

/** The claims of an authentic old-format token, 'bad-signature', or 'malformed'. Throws on nothing. */
export function verifySignedToken(
	secret: string,
	token: string,
): TrackingClaims | 'bad-signature' | 'malformed' {
	const dot = token.indexOf('.');
	if (dot <= 0 || dot !== token.lastIndexOf('.')) return 'malformed';
	const payload = token.slice(0, dot);
	const signature = token.slice(dot + 1);
	if (!B64URL.test(payload) || !B64URL.test(signature)) return 'malformed';
	const expected = Buffer.from(sign(secret, payload), 'ascii');
	const given = Buffer.from(signature, 'ascii');
	// timingSafeEqual needs equal lengths; the length of a MAC is public anyway.
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
	return parseClaims(Buffer.from(payload, 'base64url').toString('utf8')) ?? 'malformed';
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
	const clean = Object.fromEntries(
		Object.entries(data as Record<string, unknown>).map(([k, v]) => [
			k,
			typeof v === 'string' ? v : JSON.stringify(v),
		]),
	);
	if (type === 'click' && !url) return undefined;
	return { type, trackingId, messageId, recipient, issuedAt, data: clean, ...(url ? { url } : {}) };
}
