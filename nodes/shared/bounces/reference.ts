// The send reference: what Send Templated Email knew about a message (its Message-ID, recipient, tracking id and
// tracking data, send time, campaign), sealed into the header `X-CRM-Mail-Ref` so that a bounce or complaint quoting the
// message's header block tells the IMAP nodes which send it was. No n8n imports.
//
// Format (version 1): base64url without padding of
//   0x01 | nonce (12 random bytes) | AES-256-GCM(key, nonce, compact claims, aad) | tag (16 bytes)
//   key = HKDF-SHA256(tracking secret, salt 'crm-mail-tracking', info 'send-reference-v1', 32 bytes)
//   aad = 'X-CRM-Mail-Ref' 0x01
// The claims are the tracking tokens' compact bytes (../tracking/compact.ts, type byte fixed to "open"). Sealed
// with a key of its own: the recipient sees this header, and under the link key it would be a valid open token.
// Encrypted, not only signed, for the same reason the links are: the header must not show the tracking data.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { packClaims, unpackClaims } from '../tracking/compact';

export const SEND_REFERENCE_HEADER = 'X-CRM-Mail-Ref';

export interface SendReference {
	/** The Message-ID header of the sent email, `<...>`. */
	messageId: string;
	/** The first recipient (the one tracking events name). */
	recipient: string;
	/** The tracking id of the send ('' when the send had none). */
	trackingId: string;
	/** The send's tracking data, e.g. `{ dealId: '42' }`. */
	data: Record<string, string>;
	/** Unix time in seconds of the send. */
	sentAt: number;
	/** The send's campaign (name or id); absent when it had none. */
	campaign?: string;
}

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.concat([Buffer.from(SEND_REFERENCE_HEADER, 'ascii'), Buffer.from([VERSION])]);
/** A real reference is a few hundred characters; anything far larger is not ours. */
const MAX_LENGTH = 8192;
const B64URL = /^[A-Za-z0-9_-]+$/;

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
	let key = keys.get(secret);
	if (!key) {
		key = Buffer.from(hkdfSync('sha256', secret, 'crm-mail-tracking', 'send-reference-v1', 32));
		if (keys.size >= 16) keys.delete(keys.keys().next().value!);
		keys.set(secret, key);
	}
	return key;
}

export function sealSendReference(secret: string, reference: SendReference): string {
	if (!secret) throw new Error('Tracking secret is empty');
	const plain = packClaims({
		type: 'open',
		trackingId: reference.trackingId,
		messageId: reference.messageId,
		recipient: reference.recipient,
		data: reference.data,
		issuedAt: reference.sentAt,
		campaign: reference.campaign || undefined,
	});
	const nonce = randomBytes(NONCE_BYTES);
	const cipher = createCipheriv('aes-256-gcm', keyOf(secret), nonce, { authTagLength: TAG_BYTES });
	cipher.setAAD(AAD);
	const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
	return Buffer.concat([Buffer.from([VERSION]), nonce, sealed, cipher.getAuthTag()]).toString(
		'base64url',
	);
}

/**
 * The reference sealed in a header value, or undefined when it is not one this secret sealed (forged, altered,
 * another secret, not a reference at all). Folding whitespace is ignored. Never throws.
 */
export function openSendReference(secret: string, value: unknown): SendReference | undefined {
	if (!secret || typeof value !== 'string') return undefined;
	// a mail system may fold the long value; the token itself never holds whitespace
	const token = value.replace(/\s+/g, '');
	if (!token || token.length > MAX_LENGTH || !B64URL.test(token)) return undefined;
	const bytes = Buffer.from(token, 'base64url');
	if (bytes.toString('base64url') !== token) return undefined;
	if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES + 5 || bytes[0] !== VERSION) return undefined;
	try {
		const decipher = createDecipheriv(
			'aes-256-gcm',
			keyOf(secret),
			bytes.subarray(1, 1 + NONCE_BYTES),
			{ authTagLength: TAG_BYTES },
		);
		decipher.setAAD(AAD);
		decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
		const plain = Buffer.concat([
			decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)),
			decipher.final(),
		]);
		const claims = unpackClaims(plain);
		if (!claims || claims.type !== 'open') return undefined;
		return {
			messageId: claims.messageId,
			recipient: claims.recipient,
			trackingId: claims.trackingId,
			data: claims.data,
			sentAt: claims.issuedAt,
			...(claims.campaign ? { campaign: claims.campaign } : {}),
		};
	} catch {
		return undefined;
	}
}
