// Refresh (RFC 6749 §6), introspection (RFC 7662), revocation (RFC 7009), expiry and the test controls of the
// OAuth2 fake; the authorization endpoint and code exchange are in oauth2-fake.test.ts.
import { startOAuth2Fake, type OAuth2Fake } from '../../fakes/oauth2/server';
import { postForm, type ClientAuth } from '../../fakes/oauth2/test-client';

const APP = { clientId: 'n8n-app', clientSecret: 'app secret/+%' };
const OTHER = { clientId: 'other-app', clientSecret: 'other-secret' };
const post = (url: string, params: Record<string, string>, auth: ClientAuth = { basic: APP }) =>
	postForm(url, params, auth);

describe('OAuth2 fake: refresh, introspection, revocation', () => {
	let fake: OAuth2Fake;
	const introspect = (token: string, auth: ClientAuth = { body: OTHER }) =>
		post(fake.introspectionUrl, { token }, auth);

	beforeAll(async () => {
		fake = await startOAuth2Fake({ clients: [APP, OTHER] });
	});
	afterAll(() => fake.close());

	it('refreshes without rotation: same refresh token, narrower scope allowed, wider refused', async () => {
		const t = fake.issueTokens('bob@test.local', APP.clientId, 'mail offline');
		const r = await post(fake.tokenUrl, {
			grant_type: 'refresh_token',
			refresh_token: t.refresh_token,
		});
		expect(r.status).toBe(200);
		expect(r.json.refresh_token).toBeUndefined();
		expect(r.json.access_token).not.toBe(t.access_token);
		expect((await introspect(t.access_token)).json.active).toBe(true);
		const narrow = await post(fake.tokenUrl, {
			grant_type: 'refresh_token',
			refresh_token: t.refresh_token,
			scope: 'mail',
		});
		expect(narrow.json.scope).toBe('mail');
		const wide = await post(fake.tokenUrl, {
			grant_type: 'refresh_token',
			refresh_token: t.refresh_token,
			scope: 'mail admin',
		});
		expect([wide.status, wide.json.error]).toEqual([400, 'invalid_scope']);
		const foreign = await post(
			fake.tokenUrl,
			{ grant_type: 'refresh_token', refresh_token: t.refresh_token },
			{ body: OTHER },
		);
		expect(foreign.json.error).toBe('invalid_grant');
	});

	it('introspects for authenticated callers only; refresh, unknown and revoked tokens are inactive', async () => {
		const t = fake.issueTokens('carl@test.local', APP.clientId);
		expect((await introspect(t.access_token, 'none')).status).toBe(401);
		expect((await introspect(t.access_token, { basic: OTHER })).json.active).toBe(true);
		expect((await introspect(t.refresh_token)).json).toEqual({ active: false });
		expect((await introspect('unknown')).json).toEqual({ active: false });
		fake.revoke(t.access_token);
		expect((await introspect(t.access_token)).json).toEqual({ active: false });
	});

	it('revokes per RFC 7009: a refresh token takes its access tokens along; only the owner may revoke', async () => {
		const t = fake.issueTokens('dora@test.local', APP.clientId);
		const before = fake.stats.revocations;
		expect(
			(await post(fake.revocationUrl, { token: t.refresh_token }, { body: OTHER })).status,
		).toBe(200);
		expect((await introspect(t.access_token)).json.active).toBe(true);
		expect((await post(fake.revocationUrl, { token: 'never-issued' })).status).toBe(200);
		expect((await post(fake.revocationUrl, { token: t.refresh_token }, 'none')).status).toBe(401);
		const r = await post(fake.revocationUrl, {
			token: t.refresh_token,
			token_type_hint: 'refresh_token',
		});
		expect(r.status).toBe(200);
		expect((await introspect(t.access_token)).json.active).toBe(false);
		expect(fake.stats.revocations).toBe(before + 3);
	});

	it('fails refreshes on demand until reset', async () => {
		const t = fake.issueTokens('erin@test.local', APP.clientId);
		const refresh = () =>
			post(fake.tokenUrl, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
		const failures = fake.stats.refreshFailures;
		fake.failRefreshes('invalid_grant');
		expect(await refresh()).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
		fake.failRefreshes('invalid_client');
		const r = await refresh();
		expect([r.status, r.json.error]).toEqual([401, 'invalid_client']);
		fake.failRefreshes(null);
		expect((await refresh()).status).toBe(200);
		expect(fake.stats.refreshFailures).toBe(failures + 2);
	});
});

describe('OAuth2 fake with a 1 s access token lifetime and rotating refresh tokens', () => {
	let fake: OAuth2Fake;
	beforeAll(async () => {
		fake = await startOAuth2Fake({
			clients: [APP],
			accessTokenTtlSeconds: 1,
			rotateRefreshTokens: true,
		});
	});
	afterAll(() => fake.close());
	const active = async (token: string) =>
		(await post(fake.introspectionUrl, { token })).json.active;

	it('expires access tokens after their lifetime and drops them from memory', async () => {
		const t = fake.issueTokens('fred@test.local', APP.clientId);
		expect(t.expires_in).toBe(1);
		expect(await active(t.access_token)).toBe(true);
		await new Promise((r) => setTimeout(r, 1100));
		expect(await active(t.access_token)).toBe(false);
		expect(fake.size.accessTokens).toBe(0);
		fake.setAccessTokenTtl(30);
		const longer = fake.issueTokens('fred@test.local', APP.clientId);
		expect(longer.expires_in).toBe(30);
		fake.expireAccessTokens();
		expect(await active(longer.access_token)).toBe(false);
		fake.setAccessTokenTtl(1);
	});

	it('rotates: a refresh returns a new refresh token and the old one is refused', async () => {
		const t = fake.issueTokens('gina@test.local', APP.clientId);
		const refresh = (token: string) =>
			post(fake.tokenUrl, { grant_type: 'refresh_token', refresh_token: token });
		const r = await refresh(t.refresh_token);
		expect(r.status).toBe(200);
		expect(r.json.refresh_token).toEqual(expect.any(String));
		expect(r.json.refresh_token).not.toBe(t.refresh_token);
		expect((await refresh(t.refresh_token)).json.error).toBe('invalid_grant');
		expect((await refresh(r.json.refresh_token as string)).status).toBe(200);
		expect(fake.stats).toMatchObject({ refreshGrants: 2, refreshFailures: 1 });
	});
});
