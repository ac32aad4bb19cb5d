// Sealed tokens reveal nothing: no recipient, Message-ID, URL or tracking data in any decoding of the link,
// a new nonce each time; the compact payload survives every shape of value; old signed (readable) tokens
// are accepted during their transition period and refused after it.
import { randomUUID } from 'node:crypto';
import { packClaims, unpackClaims } from '../../../nodes/shared/tracking/compact';
import {
	decodeToken,
	encodeSignedToken,
	encodeToken,
	type TrackingClaims,
} from '../../../nodes/shared/tracking/token';
import { Tracker } from '../../../nodes/shared/tracking/urls';

const SECRET = 'privacy-test-secret-'.padEnd(48, 'z');
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const DAY = 86400;
const claims: TrackingClaims = {
	type: 'click',
	trackingId: randomUUID(),
	messageId: `<${randomUUID()}@shop.example.com>`,
	recipient: 'anna.petrova@client.example',
	url: 'https://shop.example.com/offer?deal=D-4711',
	data: { dealId: 'D-4711', manager: 'Ivanov' },
	issuedAt: NOW / 1000 - DAY,
};

/** Every way a curious reader might decode a link's token, as text. */
function decodings(token: string): string[] {
	const parts = [token, ...token.split('.')];
	return parts.flatMap((p) => {
		const bytes = Buffer.from(p, 'base64url');
		return [p, bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('hex')];
	});
}
const secrets = (c: TrackingClaims) => [
	c.recipient,
	'anna.petrova',
	c.messageId.slice(1, 9),
	c.trackingId.slice(0, 8),
	c.trackingId.replace(/-/g, '').slice(0, 12),
	'shop.example.com',
	...Object.values(c.data),
];
const reveals = (token: string, c: TrackingClaims) =>
	secrets(c).some((s) => decodings(token).some((d) => d.toLowerCase().includes(s.toLowerCase())));

describe('sealed tokens', () => {
	it('reveal none of the recipient, Message-ID, tracking id, URL or data, in base64, UTF-8 or hex', () => {
		const token = encodeToken(SECRET, claims);
		expect(reveals(token, claims)).toBe(false);
		// the check itself finds what an old signed token shows
		expect(reveals(encodeSignedToken(SECRET, claims), claims)).toBe(true);
		expect(decodeToken(SECRET, token, { now: NOW })).toEqual({ ok: true, claims });
	});

	it('differ every time for the same claims (random nonce), and each decodes to the same claims', () => {
		const tokens = new Set(Array.from({ length: 200 }, () => encodeToken(SECRET, claims)));
		expect(tokens.size).toBe(200);
		for (const token of tokens)
			expect(decodeToken(SECRET, token, { now: NOW })).toMatchObject({ ok: true, claims });
	});

	it('keep links short: a click link with a UUID tracking id and Message-ID is shorter than the old signed one', () => {
		const url = new Tracker({
			secret: SECRET,
			baseUrl: 'https://n8n.example.com/webhook/email-tracking',
			trackingId: claims.trackingId,
			messageId: claims.messageId,
			recipient: claims.recipient,
			data: claims.data,
		}).clickUrl(claims.url!);
		const token = url.split('t=')[1];
		expect(token.length).toBeLessThan(encodeSignedToken(SECRET, claims).length);
		expect(url.length).toBeLessThan(400);
	});

	it('accept only their canonical spelling (no second spelling of one link)', () => {
		// a token whose byte length leaves unused bits in the last base64 character
		let token = encodeToken(SECRET, claims);
		while (Buffer.from(token, 'base64url').length % 3 === 0)
			token = encodeToken(SECRET, { ...claims, recipient: `${claims.recipient}x` });
		const last = token[token.length - 1];
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const sameBytes = [...alphabet].filter(
			(c) =>
				c !== last &&
				Buffer.from(token.slice(0, -1) + c, 'base64url').equals(Buffer.from(token, 'base64url')),
		);
		expect(sameBytes.length).toBeGreaterThan(0);
		for (const c of sameBytes) expect(decodeToken(SECRET, token.slice(0, -1) + c).ok).toBe(false);
	});
});

describe('compact payload', () => {
	it('round-trips odd values: upper-case UUIDs, non-UUID ids, unicode, empty strings, long URLs, "__proto__" keys', () => {
		const cases: TrackingClaims[] = [
			{ ...claims, trackingId: claims.trackingId.toUpperCase(), messageId: '<no-uuid@host>' },
			{ ...claims, trackingId: '', messageId: '', recipient: '', data: {} },
			{ ...claims, messageId: `<${randomUUID()}@>`, data: { имя: 'Анна 😀', '': '' } },
			{ ...claims, url: `https://example.com/${'x'.repeat(5000)}` },
			{ ...claims, data: JSON.parse('{"__proto__":"p","constructor":"c"}') },
			{ type: 'open', trackingId: 't', messageId: 'm', recipient: 'r', data: {}, issuedAt: 0 },
			{
				type: 'unsubscribe',
				trackingId: 't',
				messageId: 'm',
				recipient: 'r',
				data: {},
				issuedAt: 2 ** 32 - 1,
			},
		];
		for (const c of cases) {
			const back = unpackClaims(packClaims(c));
			expect(back).toEqual(c);
			expect(Object.getPrototypeOf(back!.data)).toBe(Object.prototype);
		}
	});

	it('refuses truncated, extended or inconsistent payloads', () => {
		const bytes = packClaims(claims);
		for (let n = 0; n < bytes.length; n++)
			expect(unpackClaims(bytes.subarray(0, n))).toBeUndefined();
		expect(unpackClaims(Buffer.concat([bytes, Buffer.from([0])]))).toBeUndefined();
		const open = packClaims({ ...claims, type: 'open', url: undefined });
		const clickWithoutUrl = Buffer.from(open);
		clickWithoutUrl[0] = 2;
		expect(unpackClaims(clickWithoutUrl)).toBeUndefined();
		const badType = Buffer.from(open);
		badType[0] = 9;
		expect(unpackClaims(badType)).toBeUndefined();
	});
});

describe('old signed tokens during the transition', () => {
	const sent = (daysAgo: number) => ({ ...claims, issuedAt: NOW / 1000 - daysAgo * DAY });

	it('are accepted (flagged legacy) while younger than the transition period, refused after, and at 0', () => {
		const young = encodeSignedToken(SECRET, sent(89));
		const old = encodeSignedToken(SECRET, sent(91));
		const options = { now: NOW, legacyMaxAgeSeconds: 90 * DAY };
		expect(decodeToken(SECRET, young, options)).toEqual({
			ok: true,
			claims: sent(89),
			legacy: true,
		});
		expect(decodeToken(SECRET, old, options)).toEqual({ ok: false, reason: 'legacy-refused' });
		expect(decodeToken(SECRET, young, { now: NOW, legacyMaxAgeSeconds: 0 })).toEqual({
			ok: false,
			reason: 'legacy-refused',
		});
		// no transition set: accepted (the unsubscribe path)
		expect(decodeToken(SECRET, old, { now: NOW }).ok).toBe(true);
	});

	it('do not get through the transition when forged: a bad signature stays bad-signature', () => {
		const forged = encodeSignedToken(`${SECRET}-other`, sent(1));
		expect(decodeToken(SECRET, forged, { now: NOW, legacyMaxAgeSeconds: 90 * DAY })).toEqual({
			ok: false,
			reason: 'bad-signature',
		});
	});

	it('a sealed token is not affected by the transition period', () => {
		const token = encodeToken(SECRET, sent(400));
		expect(decodeToken(SECRET, token, { now: NOW, legacyMaxAgeSeconds: 0 }).ok).toBe(true);
	});
});
