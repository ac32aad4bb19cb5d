// The authorization endpoint and the code exchange of the OAuth2 fake (RFC 6749 §4.1, §2.3.1, RFC 7636);
// refresh, introspection and revocation are in oauth2-fake-tokens.test.ts.
import { startOAuth2Fake, type OAuth2Fake } from '../../fakes/oauth2/server';
import { consent, pkcePair, postForm, type ClientAuth } from '../../fakes/oauth2/test-client';

const APP = { clientId: 'n8n-app', clientSecret: 'app secret/+%' };
const OTHER = { clientId: 'other-app', clientSecret: 'other-secret' };
const REDIRECT = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
const STRICT = { clientId: 'strict-app', clientSecret: 'strict-secret', redirectUris: [REDIRECT] };
const post = (url: string, params: Record<string, string>, auth: ClientAuth = { basic: APP }) =>
	postForm(url, params, auth);

describe('OAuth2 fake authorization server', () => {
	let fake: OAuth2Fake;
	const introspect = (token: string, auth: ClientAuth = { body: OTHER }) =>
		post(fake.introspectionUrl, { token }, auth);
	const codeFor = async (extra: Record<string, string> = {}) => {
		const { location } = await consent(fake, {
			response_type: 'code',
			client_id: APP.clientId,
			redirect_uri: REDIRECT,
			scope: 'mail offline',
			state: 's',
			...extra,
		});
		return location.searchParams.get('code')!;
	};
	const exchange = (
		code: string,
		extra: Record<string, string> = {},
		auth: ClientAuth = { basic: APP },
	) =>
		post(
			fake.tokenUrl,
			{ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra },
			auth,
		);

	beforeAll(async () => {
		fake = await startOAuth2Fake({
			clients: [APP, OTHER, STRICT],
			defaultUser: 'default@test.local',
		});
	});
	afterAll(() => fake.close());

	it('runs the code flow with state and PKCE S256, and the tokens introspect as the consenting user', async () => {
		const { verifier, challenge } = pkcePair();
		const state = 'a&b="<x>"';
		const { html, location } = await consent(fake, {
			response_type: 'code',
			client_id: APP.clientId,
			redirect_uri: REDIRECT,
			scope: 'mail <b>evil</b>',
			state,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			login_hint: 'hint@test.local',
			access_type: 'offline',
		});
		expect(html).toContain('<span id="client">n8n-app</span>');
		expect(html).toContain('<li>&lt;b&gt;evil&lt;/b&gt;</li>');
		expect(html).not.toContain('<b>evil</b>');
		expect(html).toMatch(/id="user" name="user" value="hint@test.local"/);
		expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
		expect(location.searchParams.get('state')).toBe(state);
		const code = location.searchParams.get('code')!;

		expect((await exchange(code, {})).json.error).toBe('invalid_grant'); // verifier missing
		expect((await exchange(code, { code_verifier: pkcePair().verifier })).json.error).toBe(
			'invalid_grant',
		);
		const ok = await exchange(code, { code_verifier: verifier });
		expect(ok.status).toBe(200);
		expect(ok.res.headers.get('cache-control')).toBe('no-store');
		expect(ok.res.headers.get('pragma')).toBe('no-cache');
		expect(ok.json).toEqual({
			access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
			refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
			token_type: 'Bearer',
			expires_in: 60,
			scope: 'mail <b>evil</b>',
		});
		const info = await introspect(ok.json.access_token as string);
		expect(info.json).toMatchObject({
			active: true,
			email: 'ann@test.local',
			username: 'ann@test.local',
			client_id: APP.clientId,
			token_type: 'Bearer',
		});
		expect((info.json.exp as number) - (info.json.iat as number)).toBe(60);
	});

	it('prefills the default user and sends Deny back as access_denied with the state', async () => {
		const q = {
			response_type: 'code',
			client_id: APP.clientId,
			redirect_uri: REDIRECT,
			state: 'st',
		};
		const { html, location } = await consent(fake, q, { decision: 'deny' });
		expect(html).toMatch(/id="user" name="user" value="default@test.local"/);
		expect(Object.fromEntries(location.searchParams)).toMatchObject({
			error: 'access_denied',
			state: 'st',
		});
	});

	it('never redirects to an unknown client or unregistered redirect URI; other errors go back with the state', async () => {
		const get = (q: Record<string, string>) =>
			fetch(`${fake.authorizationUrl}?${new URLSearchParams(q)}`, { redirect: 'manual' });
		const unknown = await get({ response_type: 'code', client_id: 'nope', redirect_uri: REDIRECT });
		expect(unknown.status).toBe(400);
		expect(unknown.headers.get('location')).toBeNull();
		expect(await unknown.text()).toContain('Unknown client_id nope');
		const unregistered = await get({
			response_type: 'code',
			client_id: STRICT.clientId,
			redirect_uri: 'http://evil.test/cb',
		});
		expect(unregistered.status).toBe(400);
		expect(unregistered.headers.get('location')).toBeNull();
		// the strict client's only registered URI is used when redirect_uri is omitted
		const implicit = await get({ response_type: 'token', client_id: STRICT.clientId, state: 'x' });
		expect(implicit.status).toBe(302);
		const loc = new URL(implicit.headers.get('location')!);
		expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
		expect(Object.fromEntries(loc.searchParams)).toMatchObject({
			error: 'unsupported_response_type',
			state: 'x',
		});
	});

	it('refuses a reused code and revokes the tokens issued from it', async () => {
		const code = await codeFor();
		const first = await exchange(code);
		expect(first.status).toBe(200);
		const again = await exchange(code);
		expect(again.status).toBe(400);
		expect(again.json.error).toBe('invalid_grant');
		expect((await introspect(first.json.access_token as string)).json).toEqual({ active: false });
		const refresh = await post(fake.tokenUrl, {
			grant_type: 'refresh_token',
			refresh_token: first.json.refresh_token as string,
		});
		expect(refresh.json.error).toBe('invalid_grant');
	});

	it('binds the code to its redirect_uri and client', async () => {
		const code = await codeFor();
		const wrong = await exchange(code, { redirect_uri: 'http://127.0.0.1:5678/other' });
		expect([wrong.status, wrong.json.error]).toEqual([400, 'invalid_grant']);
		const otherClient = await exchange(code, {}, { basic: OTHER });
		expect([otherClient.status, otherClient.json.error]).toEqual([400, 'invalid_grant']);
		expect((await exchange(code)).status).toBe(200);
	});

	it('authenticates clients by Basic or by the body, never both, and answers invalid_client with 401', async () => {
		expect((await exchange(await codeFor(), {}, { body: APP })).status).toBe(200);
		expect((await exchange(await codeFor(), {}, { basic: APP })).status).toBe(200);
		const both = await post(
			fake.tokenUrl,
			{ grant_type: 'authorization_code', code: 'x', client_secret: APP.clientSecret },
			{ basic: APP },
		);
		expect([both.status, both.json.error]).toEqual([400, 'invalid_request']);
		const bad = await exchange(await codeFor(), {}, { basic: { ...APP, clientSecret: 'wrong' } });
		expect(bad.status).toBe(401);
		expect(bad.json.error).toBe('invalid_client');
		expect(bad.res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
		const none = await exchange('x', {}, 'none');
		expect([none.status, none.json.error]).toEqual([401, 'invalid_client']);
		const grant = await post(fake.tokenUrl, {
			grant_type: 'password',
			username: 'a',
			password: 'b',
		});
		expect([grant.status, grant.json.error]).toEqual([400, 'unsupported_grant_type']);
	});

	it('publishes RFC 8414 metadata', async () => {
		const meta = (await (
			await fetch(`${fake.url}/.well-known/oauth-authorization-server`)
		).json()) as Record<string, unknown>;
		expect(meta).toMatchObject({
			issuer: fake.url,
			token_endpoint: fake.tokenUrl,
			introspection_endpoint: fake.introspectionUrl,
		});
	});
});
