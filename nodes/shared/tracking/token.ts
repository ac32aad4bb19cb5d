// Tracking tokens. A stateless n8n node has no database to look links up in (listmonk, Postal, Mautic and
// EspoCRM all redirect to a URL stored server-side), so the token itself carries everything, the click
// target included. It is sealed with an AEAD so that a link is both unforgeable and unreadable: the
// recipient's address, the Message-ID and the tracking data must not be readable by whoever sees the link
// (a forwarded mail, a proxy log, Outlook's Safe Links).
//
// Format (version 2): base64url without padding of
//   0x02 | nonce (12 random bytes) | AES-256-GCM(key, nonce, compact claims, aad = 0x02) | tag (16 bytes)
//   key = HKDF-SHA256(secret, salt 'crm-mail-tracking', info 'token-aead-v2', 32 bytes)
// A random 96-bit nonce per token keeps GCM safe for far more links than one secret will ever sign
// (the usual bound is 2^32 tokens per key). The token has no dot; an old signed token (signedToken.ts) has
// exactly one, which is how the two formats are told apart.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TrackingClaims } from './claims';
import { packClaims, unpackClaims } from './compact';
import { verifySignedToken } from './signedToken';

export type { TrackingClaims, TrackingType } from './claims';
export { encodeSignedToken } from './signedToken';

/**
 * bad-signature: not made with this secret (forged, tampered, other secret).
 * legacy-refused: an authentic old signed token past its transition period (no claims: it counts as invalid).
 */
export type DecodeFailure = 'malformed' | 'bad-signature' | 'expired' | 'legacy-refused';

export type DecodeResult =
	| { ok: true; claims: TrackingClaims; legacy?: true }
	| { ok: false; reason: DecodeFailure; claims?: TrackingClaims };

export interface DecodeOptions {
	/** Tokens older than this many seconds are 'expired' (the claims are still returned). 0 = no limit. */
	maxAgeSeconds?: number;
	/**
	 * Old signed (version 1) tokens are accepted while younger than this many seconds; 0 refuses them all.
	 * Not set: accepted whatever their age.
	 */
	legacyMaxAgeSeconds?: number;
	/** Current time in ms (tests). */
	now?: number;
}

const VERSION = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from([VERSION]);
/** A real token is a few hundred characters; anything far larger is not ours (and costs crypto time). */
export const MAX_TOKEN_LENGTH = 16384;
const B64URL = /^[A-Za-z0-9_-]+$/;

// HKDF per hit would cost as much as the decryption; a handful of secrets is all a process sees.
const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
	let key = keys.get(secret);
	if (!key) {
		key = Buffer.from(hkdfSync('sha256', secret, 'crm-mail-tracking', 'token-aead-v2', 32));
		if (keys.size >= 16) keys.delete(keys.keys().next().value!);
		keys.set(secret, key);
	}
	return key;
}

export function encodeToken(secret: string, claims: TrackingClaims): string {
	if (!secret) throw new Error('Tracking secret is empty');
	const nonce = randomBytes(NONCE_BYTES);
	const cipher = createCipheriv('aes-256-gcm', keyOf(secret), nonce, { authTagLength: TAG_BYTES });
	cipher.setAAD(AAD);
	const sealed = Buffer.concat([cipher.update(packClaims(claims)), cipher.final()]);
	return Buffer.concat([AAD, nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

function openSealed(secret: string, token: string): TrackingClaims | DecodeFailure {
	if (!B64URL.test(token)) return 'malformed';
	const bytes = Buffer.from(token, 'base64url');
	// One spelling per token: base64url's unused trailing bits would give a link several valid spellings
	// (and a way around the replay check).
	if (bytes.toString('base64url') !== token) return 'malformed';
	if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES + 5 || bytes[0] !== VERSION) return 'malformed';
	const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
	const tag = bytes.subarray(bytes.length - TAG_BYTES);
	const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), nonce, {
		authTagLength: TAG_BYTES,
	});
	decipher.setAAD(AAD);
	decipher.setAuthTag(tag);
	let plain: Buffer;
	try {
		plain = Buffer.concat([
			decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)),
			decipher.final(),
		]);
	} catch {
		return 'bad-signature';
	}
	return unpackClaims(plain) ?? 'malformed';
}

/** Authenticates and decrypts (or, for an old token, verifies) a token. Never throws, whatever the input. */
export function decodeToken(
	secret: string,
	token: unknown,
	options: DecodeOptions = {},
): DecodeResult {
	try {
		if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !secret || !token)
			return { ok: false, reason: 'malformed' };
		const legacy = token.includes('.');
		const opened = legacy ? verifySignedToken(secret, token) : openSealed(secret, token);
		if (typeof opened === 'string') return { ok: false, reason: opened };
		const now = options.now ?? Date.now();
		const age = now / 1000 - opened.issuedAt;
		if (legacy && options.legacyMaxAgeSeconds !== undefined) {
			if (options.legacyMaxAgeSeconds <= 0 || age > options.legacyMaxAgeSeconds)
				return { ok: false, reason: 'legacy-refused' };
		}
		if (options.maxAgeSeconds && options.maxAgeSeconds > 0 && age > options.maxAgeSeconds)
			return { ok: false, reason: 'expired', claims: opened };
		return legacy ? { ok: true, claims: opened, legacy: true } : { ok: true, claims: opened };
	} catch {
		return { ok: false, reason: 'malformed' };
	}
}
