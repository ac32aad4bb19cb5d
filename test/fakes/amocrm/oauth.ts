// OAuth 2.0 of the fake amoCRM / Kommo account, as developers.kommo.com ("OAuth 2.0", "Get/renew access token")
// documents it for an integration:
// - `POST https://<subdomain>.<region>/oauth2/access_token` with `client_id`, `client_secret`, `grant_type`,
//   `code` (authorization_code, with the integration's `redirect_uri`) or `refresh_token`, as JSON or form;
//   answers `{ token_type: "Bearer", expires_in: 86400, access_token, refresh_token }`. A refresh token works
//   once: every refresh returns a new one (n8n must save it). Failures are problem+json (400 / 401) with
//   `title`, `hint`, `detail`;
// - API calls carry `Authorization: Bearer <access token>`; an expired or unknown token gets 401 (server.ts).
// Decision: the documentation lists `redirect_uri` for the refresh too; n8n's OAuth2 client sends none on a
// refresh, so the fake checks it only when sent (`requireRedirectOnRefresh` makes it strict).
// Grants (codes, rotation, expiry) are the generic RFC 6749 store of test/fakes/oauth2.
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { GrantStore, OAuthError } from '../oauth2/grants';

export interface Integration {
	clientId: string;
	clientSecret: string;
	redirectUri: string;
}

export interface AmoCrmTokens {
	token_type: 'Bearer';
	expires_in: number;
	access_token: string;
	refresh_token: string;
}

export class AmoCrmOAuth {
	readonly integrations: Integration[] = [];
	readonly stats = { codeGrants: 0, refreshGrants: 0, refreshFailures: 0, refusedTokens: 0 };
	/** Access tokens live 24 hours on amoCRM; refresh tokens are single-use. */
	readonly store = new GrantStore(86400, true);
	requireRedirectOnRefresh = false;
	private callsUntilExpiry: number | undefined;

	addIntegration(i: Integration): void {
		this.integrations.push(i);
	}

	/** A grant as if the admin had allowed the integration (no browser). */
	issueTokens(clientId: string): AmoCrmTokens {
		const t = this.store.issueGrant('admin', clientId, '');
		return this.shape(t.access_token, t.refresh_token);
	}

	/** An authorization code, as the redirect after the admin allowed the integration carries it. */
	authorizationCode(clientId: string): string {
		const i = this.integration(clientId);
		return this.store.createCode({
			clientId,
			redirectUri: i.redirectUri,
			user: 'admin',
			scope: '',
		});
	}

	expireAccessTokens(): void {
		this.store.expireAccessTokens();
		this.callsUntilExpiry = undefined;
	}

	/** The access tokens expire after `calls` more API calls were let through: "in the middle of a run". */
	expireAfterCalls(calls: number): void {
		this.callsUntilExpiry = calls;
	}

	/** Whether an API call with this Bearer token is let through. */
	accepts(token: string): boolean {
		if (!this.store.findAccessToken(token)) {
			this.stats.refusedTokens++;
			return false;
		}
		if (this.callsUntilExpiry !== undefined && --this.callsUntilExpiry <= 0)
			this.expireAccessTokens();
		return true;
	}

	/** `POST /oauth2/access_token`. */
	token(req: FakeRequest, res: FakeResponse): void {
		const p = { ...req.form, ...((req.json as Record<string, string>) ?? {}) } as Record<
			string,
			string
		>;
		try {
			const i = this.integrations.find((x) => x.clientId === p.client_id);
			if (!i || i.clientSecret !== p.client_secret)
				throw new OAuthError('invalid_client', 'Client authentication failed', 401);
			if (p.grant_type === 'authorization_code') {
				if (p.redirect_uri !== i.redirectUri)
					throw new OAuthError('invalid_request', 'Invalid redirect uri');
				const t = this.store.redeemCode(p.code ?? '', i.clientId, p.redirect_uri, null);
				this.stats.codeGrants++;
				return res.json(this.shape(t.access_token, t.refresh_token));
			}
			if (p.grant_type !== 'refresh_token')
				throw new OAuthError(
					'unsupported_grant_type',
					'The authorization grant type is not supported',
				);
			if (
				(this.requireRedirectOnRefresh || p.redirect_uri !== undefined) &&
				p.redirect_uri !== i.redirectUri
			)
				throw new OAuthError('invalid_request', 'Invalid redirect uri');
			let t;
			try {
				t = this.store.refresh(String(p.refresh_token ?? ''), i.clientId, null);
			} catch (e) {
				this.stats.refreshFailures++;
				if (e instanceof OAuthError) throw new OAuthError(e.error, 'Token has been revoked');
				throw e;
			}
			this.stats.refreshGrants++;
			return res.json(this.shape(t.access_token, t.refresh_token!));
		} catch (e) {
			if (!(e instanceof OAuthError)) throw e;
			res.header('Content-Type', 'application/problem+json');
			res.json(
				{
					hint: e.description,
					title: e.status === 401 ? 'Unauthorized' : 'Bad Request',
					type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
					status: e.status,
					detail: 'The request is missing parameters or they are invalid',
				},
				e.status,
			);
		}
	}

	private integration(clientId: string): Integration {
		const i = this.integrations.find((x) => x.clientId === clientId);
		if (!i) throw new Error(`no integration ${clientId}`);
		return i;
	}

	private shape(access: string, refresh: string): AmoCrmTokens {
		return {
			token_type: 'Bearer',
			expires_in: this.store.ttlSeconds,
			access_token: access,
			refresh_token: refresh,
		};
	}
}
