// The token codec: round trip, tampering of every single character, wrong secret, expiry, and 10,000
// forged or fuzzed tokens of many kinds, none of which may be accepted. Old signed tokens: tokenPrivacy.test.ts.
import { createHmac, randomBytes } from 'node:crypto';
import {
	decodeToken,
	encodeSignedToken,
	encodeToken,
	MAX_TOKEN_LENGTH,
	type TrackingClaims,
} from '../../../nodes/shared/tracking/token';

const SECRET = 'a'.repeat(16) + 'b'.repeat(16) + '-tracking-secret';
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const claims: TrackingClaims = {
	type: 'click',
	trackingId: 'trk-1',
	messageId: '<3f1c@example.com>',
	recipient: 'ann@example.com',
	url: 'https://shop.example.com/offer?id=7&utm_source=mail#top',
	data: { dealId: '42', имя: 'Анна Ли — 😀', note: 'a&b="c"' },
	issuedAt: Math.floor(NOW / 1000) - 3600,
};

describe('token codec', () => {
	it('round-trips every claim, unicode tracking data included, in a URL-safe token', () => {
		const token = encodeToken(SECRET, claims);
		expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(encodeURIComponent(token)).toBe(token);
		expect(decodeToken(SECRET, token, { now: NOW })).toEqual({ ok: true, claims });
	});

	it('carries open and unsubscribe tokens without a URL', () => {
		for (const type of ['open', 'unsubscribe'] as const) {
			const rest = { ...claims, url: undefined };
			delete rest.url;
			const token = encodeToken(SECRET, { ...rest, type });
			expect(decodeToken(SECRET, token)).toEqual({ ok: true, claims: { ...rest, type } });
		}
	});

	it('rejects the token when ANY single character is changed (every position, several replacements)', () => {
		const token = encodeToken(SECRET, claims);
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%';
		let tried = 0;
		for (let i = 0; i < token.length; i++) {
			for (const c of [
				alphabet[(alphabet.indexOf(token[i]) + 1) % alphabet.length],
				alphabet[(i * 7) % alphabet.length],
				'',
			]) {
				if (c === token[i]) continue;
				const forged = token.slice(0, i) + c + token.slice(i + 1);
				const result = decodeToken(SECRET, forged);
				expect(result.ok).toBe(false);
				tried++;
			}
		}
		expect(tried).toBeGreaterThan(token.length * 2);
	});

	it('rejects a token signed with another secret as bad-signature', () => {
		const token = encodeToken('another-secret-of-enough-length-0123456789', claims);
		expect(decodeToken(SECRET, token)).toEqual({ ok: false, reason: 'bad-signature' });
	});

	it('reports expired tokens (with their claims) and accepts them within the age', () => {
		const token = encodeToken(SECRET, claims);
		expect(decodeToken(SECRET, token, { now: NOW, maxAgeSeconds: 3599 })).toEqual({
			ok: false,
			reason: 'expired',
			claims,
		});
		expect(decodeToken(SECRET, token, { now: NOW, maxAgeSeconds: 3601 }).ok).toBe(true);
		expect(decodeToken(SECRET, token, { now: NOW, maxAgeSeconds: 0 }).ok).toBe(true);
	});

	it('calls malformed input malformed and never throws', () => {
		const inputs: unknown[] = [
			undefined,
			null,
			42,
			{},
			[],
			'',
			'.',
			'abc',
			'a.b.c',
			'.abc',
			'abc.',
			'a b.c',
			'x'.repeat(MAX_TOKEN_LENGTH + 1),
			'\u0000.\u0000',
			'é.é',
		];
		for (const input of inputs)
			expect(decodeToken(SECRET, input)).toEqual({ ok: false, reason: 'malformed' });
		expect(decodeToken('', encodeToken(SECRET, claims))).toEqual({
			ok: false,
			reason: 'malformed',
		});
	});

	it('rejects correctly signed old payloads that are not a valid token (wrong shape, version or type)', () => {
		const signed = (body: unknown) => {
			const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
			return `${payload}.${createHmac('sha256', SECRET)
				.update('crm-mail-tracking.' + payload)
				.digest()
				.subarray(0, 16)
				.toString('base64url')}`;
		};
		expect(decodeToken(SECRET, signed([1, 'o', 't', 'm', 'r', 1, '', {}])).ok).toBe(true);
		for (const body of [
			[2, 'o', 't', 'm', 'r', 1, '', {}],
			[1, 'x', 't', 'm', 'r', 1, '', {}],
			[1, 'c', 't', 'm', 'r', 1, '', {}],
			[1, 'o', 't', 'm', 'r', '1', '', {}],
			{ a: 1 },
			'str',
			[1, 'o', 't', 'm', 'r', 1, '', []],
		]) {
			expect(decodeToken(SECRET, signed(body))).toEqual({ ok: false, reason: 'malformed' });
		}
	});

	it('accepts none of 10,000 forged or fuzzed tokens', () => {
		const good = [
			encodeToken(SECRET, claims),
			encodeToken(SECRET, { ...claims, type: 'open', url: undefined }),
			encodeToken(SECRET, { ...claims, recipient: 'bob@example.com' }),
			encodeSignedToken(SECRET, claims),
			encodeSignedToken(SECRET, { ...claims, recipient: 'bob@example.com' }),
		];
		const [payloadA, sigA] = good[3].split('.');
		const [payloadC, sigC] = good[4].split('.');
		const bytesA = Buffer.from(good[0], 'base64url');
		const bytesC = Buffer.from(good[2], 'base64url');
		let seed = 12345;
		const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
		const forgers: Array<(i: number) => string> = [
			() => randomBytes(rand(200)).toString('base64url'),
			() =>
				`${randomBytes(rand(300) + 1).toString('base64url')}.${randomBytes(16).toString('base64url')}`,
			() => good[rand(5)].slice(0, rand(good[0].length)),
			// sealed: another token's nonce, ciphertext or tag spliced in; bits flipped; version changed
			() => Buffer.concat([bytesA.subarray(0, 13), bytesC.subarray(13)]).toString('base64url'),
			() =>
				Buffer.concat([bytesC.subarray(0, bytesC.length - 16), bytesA.subarray(-16)]).toString(
					'base64url',
				),
			() => {
				const b = Buffer.from(bytesA);
				b[rand(b.length)] ^= 1 << rand(8);
				return b.toString('base64url');
			},
			() => Buffer.concat([Buffer.from([1]), bytesA.subarray(1)]).toString('base64url'),
			(i) =>
				encodeToken(`other-secret-${i}-${'x'.repeat(20)}`, {
					...claims,
					url: `https://evil.example/${i}`,
				}),
			() => `${payloadA}.${sigC}`,
			() => `${payloadC}.${sigA}`,
			(i) =>
				`${Buffer.from(JSON.stringify([1, 'c', 't', 'm', 'r', 1, `https://evil.example/${i}`, {}])).toString('base64url')}.${sigA}`,
			() => {
				const b = Buffer.from(good[0]);
				b[rand(b.length)] ^= 1 << rand(7);
				return b.toString('latin1');
			},
			() => randomBytes(rand(100)).toString('latin1'),
			() => good[rand(5)] + randomBytes(rand(4) + 1).toString('base64url'),
		];
		let accepted = 0;
		for (let i = 0; i < 10000; i++) {
			const forged = forgers[i % forgers.length](i);
			if (good.includes(forged)) continue;
			if (decodeToken(SECRET, forged).ok) accepted++;
		}
		expect(accepted).toBe(0);
	});
});
