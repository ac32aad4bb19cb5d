// The OAuth 2.0 side of the fake portal, for a local application, as apidocs.bitrix24.com ("OAuth 2.0
// protocol", "Extending OAuth authorization") documents it:
// - `GET https://<portal>/oauth/authorize/?client_id=..&state=..` -> redirect to the application's handler
//   with `code`, `state`, `domain`, `member_id`, `scope`, `server_domain`;
// - the token endpoint (`oauth.bitrix.info/oauth/token/`, here on the fake's own host) takes `grant_type`,
//   `client_id`, `client_secret` and `code` or `refresh_token` as GET query or POST form parameters and answers
//   `{ access_token, expires, expires_in: 3600, scope, domain, server_endpoint, status, client_endpoint,
//   member_id, user_id, refresh_token }`; a refresh token works once: the refresh gives a new pair, and the
//   old refresh token and the access token issued with it become invalid; failures `{ error, error_description }`;
// - REST calls carry the access token as the `auth` parameter: none -> 401 NO_AUTH_FOUND, expired -> 401
//   `expired_token` "The access token provided has expired.", unknown or replaced -> 401 `invalid_token`.
// Grants (codes, rotation, expiry) are the generic RFC 6749 store of test/fakes/oauth2.
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { GrantStore, OAuthError } from '../oauth2/grants';

export interface LocalApplication {
	clientId: string;
	clientSecret: string;
	/** The permissions ticked in the application's settings. */
	scopes: string[];
}

/** Who calls with a live access token: the user who installed the application, with its permissions. */
export interface TokenOwner {
	userId: number;
	scopes: string[];
}

export interface Bitrix24Tokens {
	access_token: string;
	expires: number;
	expires_in: number;
	scope: string;
	domain: string;
	server_endpoint: string;
	status: string;
	client_endpoint: string;
	member_id: string;
	user_id: number;
	refresh_token: string;
}

export interface TokenRefusal {
	status: 401;
	error: string;
	error_description: string;
}

const MEMBER_ID = 'a223c6b3710f85df22e9377d6c4f7553';

export class Bitrix24OAuth {
	readonly apps: LocalApplication[] = [];
	readonly stats = { codeGrants: 0, refreshGrants: 0, refreshFailures: 0, refusedTokens: 0 };
	/** Access tokens live an hour on Bitrix24. */
	readonly store = new GrantStore(3600, true);
	/** Every access token ever issued, with its owner (expired ones answer expired_token). */
	private readonly issued = new Map<string, TokenOwner>();
	/** Access tokens invalidated by the refresh of their pair. */
	private readonly replaced = new Set<string>();
	/** The access token issued together with each live refresh token. */
	private readonly pairs = new Map<string, string>();
	private callsUntilExpiry: number | undefined;

	constructor(private readonly portalUrl: () => string) {}

	addApp(app: Partial<LocalApplication> & { clientId: string; clientSecret: string }): void {
		this.apps.push({ scopes: ['crm', 'user'], ...app });
	}

	/** A grant as if the admin had installed and allowed the application (no browser). */
	issueTokens(clientId: string, userId = 1): Bitrix24Tokens {
		const app = this.app(clientId);
		const t = this.store.issueGrant(String(userId), clientId, app.scopes.join(','));
		return this.remember(t.access_token, t.refresh_token, userId, app);
	}

	/** Every access token issued so far expires now. */
	expireAccessTokens(): void {
		this.store.expireAccessTokens();
		this.callsUntilExpiry = undefined;
	}

	/** The access tokens expire after `calls` more REST calls were answered: "in the middle of a run". */
	expireAfterCalls(calls: number): void {
		this.callsUntilExpiry = calls;
	}

	/** The owner of a live access token, or the portal's 401 answer. */
	check(token: string): TokenOwner | TokenRefusal {
		const refuse = (error: string, error_description: string): TokenRefusal => {
			this.stats.refusedTokens++;
			return { status: 401, error, error_description };
		};
		if (!token) return refuse('NO_AUTH_FOUND', 'Wrong authorization data');
		const owner = this.issued.get(token);
		if (!owner || this.replaced.has(token))
			return refuse('invalid_token', 'The access token provided is invalid.');
		if (!this.store.findAccessToken(token))
			return refuse('expired_token', 'The access token provided has expired.');
		if (this.callsUntilExpiry !== undefined && --this.callsUntilExpiry <= 0)
			this.expireAccessTokens();
		return owner;
	}

	/** `GET /oauth/authorize/`: the admin is signed in and allows at once; back to the handler with a code. */
	authorize(req: FakeRequest, res: FakeResponse): void {
		const q = (k: string) => String(req.query[k] ?? '');
		const app = this.apps.find((a) => a.clientId === q('client_id'));
		if (!app)
			return res.json({ error: 'invalid_client', error_description: 'Unknown client' }, 400);
		const redirect = q('redirect_uri');
		const code = this.store.createCode({
			clientId: app.clientId,
			redirectUri: redirect || undefined,
			user: '1',
			scope: app.scopes.join(','),
		});
		const back = new URL(redirect || 'http://localhost/');
		back.searchParams.set('code', code);
		back.searchParams.set('state', q('state'));
		back.searchParams.set('domain', new URL(this.portalUrl()).host);
		back.searchParams.set('member_id', MEMBER_ID);
		back.searchParams.set('scope', app.scopes.join(','));
		back.searchParams.set('server_domain', 'oauth.bitrix.info');
		res.redirect(back.toString(), 302);
	}

	/** The token endpoint: GET query or POST form parameters. */
	token(req: FakeRequest, res: FakeResponse): void {
		const p = { ...req.query, ...req.form } as Record<string, string>;
		try {
			const app = this.apps.find((a) => a.clientId === p.client_id);
			if (!app || app.clientSecret !== p.client_secret)
				throw new OAuthError('invalid_client', 'Invalid client', 401);
			if (p.grant_type === 'authorization_code') {
				const t = this.store.redeemCode(p.code ?? '', app.clientId, p.redirect_uri ?? null, null);
				this.stats.codeGrants++;
				return res.json(this.remember(t.access_token, t.refresh_token, 1, app));
			}
			if (p.grant_type !== 'refresh_token')
				throw new OAuthError('unsupported_grant_type', 'Unsupported grant type');
			const old = String(p.refresh_token ?? '');
			const owner = this.issued.get(this.pairs.get(old) ?? '');
			let t;
			try {
				t = this.store.refresh(old, app.clientId, null);
			} catch (e) {
				this.stats.refreshFailures++;
				throw e;
			}
			this.stats.refreshGrants++;
			const previous = this.pairs.get(old);
			if (previous) this.replaced.add(previous);
			this.pairs.delete(old);
			return res.json(this.remember(t.access_token, t.refresh_token!, owner?.userId ?? 1, app));
		} catch (e) {
			if (!(e instanceof OAuthError)) throw e;
			res.json({ error: e.error, error_description: e.description }, e.status);
		}
	}

	private app(clientId: string): LocalApplication {
		const app = this.apps.find((a) => a.clientId === clientId);
		if (!app) throw new Error(`no local application ${clientId}`);
		return app;
	}

	private remember(
		access: string,
		refresh: string,
		userId: number,
		app: LocalApplication,
	): Bitrix24Tokens {
		this.issued.set(access, { userId, scopes: app.scopes });
		this.pairs.set(refresh, access);
		const portal = this.portalUrl();
		return {
			access_token: access,
			expires: Math.floor(Date.now() / 1000) + this.store.ttlSeconds,
			expires_in: this.store.ttlSeconds,
			scope: app.scopes.join(','),
			domain: 'oauth.bitrix.info',
			server_endpoint: 'https://oauth.bitrix.info/rest/',
			status: 'L',
			client_endpoint: `${portal}/rest/`,
			member_id: MEMBER_ID,
			user_id: userId,
			refresh_token: refresh,
		};
	}
}
