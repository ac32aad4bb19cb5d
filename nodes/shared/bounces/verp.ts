// VERP return addresses: the envelope sender of a tracked send is `<bounce local>+<token>@<bounce domain>`, so a
// delivery report names the message it is about in the address it is delivered to, also when the reporting
// server quotes nothing of the original. No n8n imports.
//
// RFC 5321 limits a local part to 64 octets, so the token is short and only authenticated (not sealed):
//   token = base32 lowercase, no padding (45 characters), of
//     uuid (16 bytes: the random part of the Message-ID `<uuid@bounce domain>`) |
//     recipient hash (4 bytes) | MAC (8 bytes)
//   key            = HKDF-SHA256(tracking secret, salt 'crm-mail-tracking', info 'bounce-verp-v1', 32 bytes)
//   recipient hash = HMAC-SHA256(key, 'rcpt' 0x00 lower-cased address)[0..4]
//   MAC            = HMAC-SHA256(key, 0x01 | uuid | recipient hash | lower-cased bounce domain)[0..8]
// Lower-case base32 because MTAs may change the case of a local part. The recipient is hashed (keyed) rather than
// written: the address fits no more, and a return address must not show it. The MAC binds the domain, so the
// Message-ID rebuilt from the token is the one sent (the send node makes it on the bounce domain).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const MAX_LOCAL_PART = 64;
const UUID_BYTES = 16;
const RECIPIENT_HASH_BYTES = 4;
const MAC_BYTES = 8;
const TOKEN_BYTES = UUID_BYTES + RECIPIENT_HASH_BYTES + MAC_BYTES;
export const VERP_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 8) / 5);
/** The longest bounce address local part that still leaves room for `+<token>`. */
export const MAX_BOUNCE_LOCAL_PART = MAX_LOCAL_PART - 1 - VERP_TOKEN_LENGTH;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MESSAGE_ID =
	/^<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@([^<>@\s]+)>$/i;
/** A dot-atom local part without `+` (the `+` separates the token). */
const BOUNCE_LOCAL = /^[a-z0-9!#$%&'*/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*/=?^_`{|}~-]+)*$/i;
const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

function base32(bytes: Buffer): string {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += ALPHABET[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
		value &= (1 << bits) - 1;
	}
	if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
	return out;
}

function fromBase32(text: string): Buffer | undefined {
	const bytes: number[] = [];
	let bits = 0;
	let value = 0;
	for (const ch of text) {
		const digit = ALPHABET.indexOf(ch);
		if (digit < 0) return undefined;
		value = (value << 5) | digit;
		bits += 5;
		if (bits >= 8) {
			bytes.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
		value &= (1 << bits) - 1;
	}
	// one spelling per token: the unused bits of the last character must be zero
	return value === 0 ? Buffer.from(bytes) : undefined;
}

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
	let key = keys.get(secret);
	if (!key) {
		key = Buffer.from(hkdfSync('sha256', secret, 'crm-mail-tracking', 'bounce-verp-v1', 32));
		if (keys.size >= 16) keys.delete(keys.keys().next().value!);
		keys.set(secret, key);
	}
	return key;
}

function recipientHash(key: Buffer, recipient: string): Buffer {
	return createHmac('sha256', key)
		.update(`rcpt\u0000${recipient.trim().toLowerCase()}`)
		.digest()
		.subarray(0, RECIPIENT_HASH_BYTES);
}

function mac(key: Buffer, uuid: Buffer, rcptHash: Buffer, domain: string): Buffer {
	return createHmac('sha256', key)
		.update(Buffer.from([1]))
		.update(uuid)
		.update(rcptHash)
		.update(domain.toLowerCase())
		.digest()
		.subarray(0, MAC_BYTES);
}

function split(address: string): { local: string; domain: string } | undefined {
	const at = address.lastIndexOf('@');
	if (at <= 0) return undefined;
	return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** Why `address` cannot be a bounce address, or undefined when it can. */
export function bounceAddressProblem(address: string): string | undefined {
	const parts = split(address.trim());
	if (!parts || !DOMAIN.test(parts.domain) || !BOUNCE_LOCAL.test(parts.local))
		return `"${address}" is not a plain address like bounces@example.com (no name, no "+")`;
	if (parts.local.length > MAX_BOUNCE_LOCAL_PART)
		return `The part before @ of "${address}" has ${parts.local.length} characters; at most ${MAX_BOUNCE_LOCAL_PART} leave room for the ${VERP_TOKEN_LENGTH}-character token (RFC 5321 allows 64)`;
	return undefined;
}

/**
 * The VERP envelope sender of a message: `bounces+<token>@domain`. The Message-ID must be one the send node made
 * on the bounce domain (`<uuid@domain>`), else the token could not name it: then this throws.
 */
export function verpSender(
	secret: string,
	bounceAddress: string,
	messageId: string,
	recipient: string,
): string {
	const parts = split(bounceAddress.trim());
	const id = MESSAGE_ID.exec(messageId);
	if (!secret || !parts)
		throw new Error('A VERP address needs the tracking secret and a bounce address');
	if (!id || id[2].toLowerCase() !== parts.domain.toLowerCase())
		throw new Error(`The Message-ID ${messageId} is not <uuid@${parts.domain}>`);
	const key = keyOf(secret);
	const uuid = Buffer.from(id[1].replace(/-/g, ''), 'hex');
	const rcpt = recipientHash(key, recipient);
	const token = base32(Buffer.concat([uuid, rcpt, mac(key, uuid, rcpt, parts.domain)]));
	return `${parts.local}+${token}@${parts.domain}`;
}

export interface VerpReference {
	/** The Message-ID of the send, rebuilt: `<uuid@domain of the address>`. */
	messageId: string;
	/** Whether `address` is the recipient the send was for (its first one). */
	isRecipient(address: string): boolean;
}

/**
 * The send a VERP address names, or undefined when the address carries no token made with this secret
 * (forged, altered, another secret, an ordinary address). Case-insensitive; never throws.
 */
export function openVerpAddress(secret: string, address: unknown): VerpReference | undefined {
	if (!secret || typeof address !== 'string' || address.length > 320) return undefined;
	const parts = split(address.trim().replace(/^<|>$/g, ''));
	if (!parts || !DOMAIN.test(parts.domain)) return undefined;
	const plus = parts.local.lastIndexOf('+');
	const token = parts.local.slice(plus + 1).toLowerCase();
	if (plus < 0 || token.length !== VERP_TOKEN_LENGTH) return undefined;
	const bytes = fromBase32(token);
	if (!bytes || bytes.length !== TOKEN_BYTES) return undefined;
	const key = keyOf(secret);
	const uuid = bytes.subarray(0, UUID_BYTES);
	const rcpt = bytes.subarray(UUID_BYTES, UUID_BYTES + RECIPIENT_HASH_BYTES);
	const given = bytes.subarray(UUID_BYTES + RECIPIENT_HASH_BYTES);
	if (!timingSafeEqual(given, mac(key, uuid, rcpt, parts.domain))) return undefined;
	const h = uuid.toString('hex');
	const domain = parts.domain.toLowerCase();
	return {
		messageId: `<${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}@${domain}>`,
		isRecipient: (candidate) =>
			!!candidate && timingSafeEqual(recipientHash(key, candidate), Buffer.from(rcpt)),
	};
}
