import { keepTokenFresh } from '../../../nodes/shared/oauth/keepFresh';
import {
	AccessTokenSource,
	isReconnectError,
	OAuthReconnectError,
	type OAuthTokenData,
} from '../../../nodes/shared/oauth/tokenSource';

/** A token store like n8n's: what refresh() returns is what load() returns afterwards. */
function memoryStore(initial: OAuthTokenData | undefined, lifetimeS = 60) {
	let stored = initial;
	let n = 0;
	const store = {
		refreshes: 0,
		fail: undefined as unknown,
		load: async () => (stored ? { ...stored } : undefined),
		refresh: async () => {
			if (store.fail) throw store.fail;
			store.refreshes++;
			stored = { ...stored, access_token: `token-${++n}`, expires_in: lifetimeS };
			return { ...stored };
		},
		set: (data: OAuthTokenData) => (stored = data),
	};
	return store;
}

describe('AccessTokenSource', () => {
	let now = 1_000_000;
	const clock = () => now;

	it('uses the stored token while it is fresh and refreshes it a quarter of its lifetime before expiry', async () => {
		const store = memoryStore({ access_token: 'first', expires_in: 60 });
		const source = new AccessTokenSource(store, { credentialName: 'Mail', now: clock });
		expect(await source.token()).toBe('first');
		now += 44_000;
		expect(await source.token()).toBe('first');
		now += 2_000; // 14 s left < 15 s margin
		expect(await source.token()).toBe('token-1');
		expect(store.refreshes).toBe(1);
		expect(await source.token()).toBe('token-1');
		expect(store.refreshes).toBe(1);
	});

	it("trusts n8n's stored expiry (n8n_expires_at) over its own estimate", async () => {
		const store = memoryStore({
			access_token: 'old',
			expires_in: 3600,
			n8n_expires_at: now + 10_000,
		});
		const source = new AccessTokenSource(store, { credentialName: 'Mail', now: clock });
		expect(await source.token()).toBe('token-1');
	});

	it('renews a refused token, but keeps a token another process refreshed meanwhile', async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 3600 });
		const source = new AccessTokenSource(store, { credentialName: 'Mail', now: clock });
		expect(await source.renew('a')).toBe('token-1');
		store.set({ access_token: 'from-a-worker', expires_in: 3600 });
		expect(await source.renew('token-1')).toBe('from-a-worker');
		expect(store.refreshes).toBe(1);
	});

	it('refreshes once for concurrent callers', async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 3600 });
		const source = new AccessTokenSource(store, { credentialName: 'Mail', now: clock });
		const tokens = await Promise.all([source.renew('a'), source.renew('a'), source.refresh()]);
		expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
		expect(store.refreshes).toBe(1);
	});

	it('says "reconnect" when the provider refuses the refresh token or the account was never connected', async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 1 });
		store.fail = Object.assign(new Error('invalid grant'), {
			body: { error: 'invalid_grant', error_description: 'Token has been revoked' },
		});
		const source = new AccessTokenSource(store, { credentialName: 'Sales Gmail', now: clock });
		const error = await source.renew('a').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(OAuthReconnectError);
		expect((error as Error).message).toBe(
			'The OAuth2 credential "Sales Gmail" needs to be reconnected: invalid_grant (Token has been revoked)',
		);
		expect((error as OAuthReconnectError).describe().description).toMatch(/Reconnect my account/);

		const empty = new AccessTokenSource(memoryStore(undefined), {
			credentialName: 'X',
			now: clock,
		});
		const notConnected = await empty.token().catch((e: unknown) => e);
		expect(isReconnectError(notConnected)).toBe(true);
		expect((notConnected as Error).message).toMatch(/not connected yet/);
	});

	it("does not repeat n8n 2.41's own reconnect wording", async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 1 });
		store.fail = new Error('The credential "Sales Gmail" needs to be reconnected.');
		const source = new AccessTokenSource(store, { credentialName: 'Sales Gmail', now: clock });
		const error = (await source.renew('a').catch((e: unknown) => e)) as Error;
		expect(error.message).toBe(
			'The OAuth2 credential "Sales Gmail" needs to be reconnected: the provider refused the refresh token',
		);
	});

	it('passes other failures (the provider unreachable) on unchanged, to be retried', async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 1 });
		store.fail = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
			code: 'ECONNREFUSED',
		});
		const source = new AccessTokenSource(store, { credentialName: 'Mail', now: clock });
		const error = await source.renew('a').catch((e: unknown) => e);
		expect(isReconnectError(error)).toBe(false);
		expect((error as { code: string }).code).toBe('ECONNREFUSED');
	});
});

describe('keepTokenFresh', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('refreshes ahead of every expiry, reports a failure streak once, and recovers', async () => {
		const store = memoryStore({ access_token: 'a', expires_in: 60 });
		const source = new AccessTokenSource(store, { credentialName: 'Mail' });
		const errors: unknown[] = [];
		let recovered = 0;
		const stop = keepTokenFresh(source, {
			onError: (e) => errors.push(e),
			onRecovered: () => recovered++,
			retryMs: 1000,
		});
		await jest.advanceTimersByTimeAsync(5 * 60_000);
		// 60 s tokens, refreshed 15 s early: one refresh every 45 s
		expect(store.refreshes).toBeGreaterThanOrEqual(6);
		expect(store.refreshes).toBeLessThanOrEqual(7);

		store.fail = Object.assign(new Error('revoked'), { body: { error: 'invalid_grant' } });
		await jest.advanceTimersByTimeAsync(2 * 60_000);
		expect(errors).toHaveLength(1);
		expect(isReconnectError(errors[0])).toBe(true);

		store.fail = undefined;
		const before = store.refreshes;
		await jest.advanceTimersByTimeAsync(3 * 60_000);
		expect(store.refreshes).toBeGreaterThan(before);
		expect(recovered).toBe(1);
		stop();
		const stopped = store.refreshes;
		await jest.advanceTimersByTimeAsync(10 * 60_000);
		expect(store.refreshes).toBe(stopped);
	});
});
