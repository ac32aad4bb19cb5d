// The authorization server's state without HTTP: authorization codes, grants (one per consent or seeded pair),
// their refresh tokens and access tokens (RFC 6749 §4.1, §6, §10.5; PKCE RFC 7636 §4.6).
// Only live state is kept: expired codes and access tokens are swept lazily, a revoked grant is dropped whole.
import { createHash, randomBytes } from 'node:crypto';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; 60 s is plenty for a redirect. */
export const CODE_LIFETIME_MS = 60_000;
export const DEFAULT_SCOPE = 'mail';

export interface IssuedTokens {
	access_token: string;
	refresh_token: string;
	token_type: 'Bearer';
	expires_in: number;
	scope: string;
}

/** A token endpoint success body (RFC 6749 §5.1): a refresh grant carries refresh_token only when rotating. */
export type TokenResponse = Omit<IssuedTokens, 'refresh_token'> & { refresh_token?: string };

export interface Grant {
	clientId: string;
	user: string;
	scope: string;
	refreshToken: string;
	accessTokens: Set<string>;
}

export interface AccessToken {
	grant: Grant;
	scope: string;
	issuedAt: number;
	expiresAt: number;
}

export interface CodeRequest {
	clientId: string;
	/** The redirect_uri parameter of the authorization request; undefined when it was omitted. */
	redirectUri: string | undefined;
	user: string;
	scope: string;
	challenge?: { value: string; method: 'S256' | 'plain' };
}

interface AuthorizationCode extends CodeRequest {
	expiresAt: number;
	/** The grant this code was exchanged for: a second exchange revokes it (RFC 6749 §4.1.2). */
	redeemed?: Grant;
}

/** An error the token, introspection or revocation endpoint answers as `{"error", "error_description"}`. */
export class OAuthError extends Error {
	constructor(
		readonly error: string,
		readonly description: string,
		readonly status = error === 'invalid_client' ? 401 : 400,
	) {
		super(`${error}: ${description}`);
	}
}

export const newToken = (): string => randomBytes(32).toString('base64url');

/** Space-separated scope, normalised: no empty entries, no duplicates, order kept. */
export function normalizeScope(scope: string | null | undefined): string {
	return [
		...new Set(
			String(scope ?? '')
				.split(/\s+/)
				.filter(Boolean),
		),
	].join(' ');
}

export class GrantStore {
	private readonly codes = new Map<string, AuthorizationCode>();
	private readonly refreshTokens = new Map<string, Grant>();
	private readonly accessTokens = new Map<string, AccessToken>();
	private lastSweep = 0;

	constructor(
		public ttlSeconds: number,
		public rotateRefreshTokens: boolean,
	) {}

	/** Live counts, for tests that check nothing grows without bound. */
	get size(): { codes: number; grants: number; accessTokens: number } {
		this.sweep(true);
		return {
			codes: this.codes.size,
			grants: this.refreshTokens.size,
			accessTokens: this.accessTokens.size,
		};
	}

	createCode(request: CodeRequest): string {
		this.sweep();
		const code = newToken();
		this.codes.set(code, { ...request, expiresAt: Date.now() + CODE_LIFETIME_MS });
		return code;
	}

	redeemCode(
		code: string,
		clientId: string,
		redirectUri: string | null,
		verifier: string | null,
	): IssuedTokens {
		this.sweep();
		const c = this.codes.get(code);
		if (!c || c.expiresAt <= Date.now())
			throw new OAuthError('invalid_grant', 'The authorization code is unknown or expired.');
		if (c.clientId !== clientId)
			throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
		if (c.redeemed) {
			this.revokeGrant(c.redeemed);
			throw new OAuthError(
				'invalid_grant',
				'The authorization code was already used; the tokens issued from it are revoked.',
			);
		}
		if (c.redirectUri !== undefined && redirectUri === null)
			throw new OAuthError(
				'invalid_request',
				'redirect_uri is required: the authorization used one.',
			);
		if (c.redirectUri !== undefined && redirectUri !== c.redirectUri)
			throw new OAuthError(
				'invalid_grant',
				'redirect_uri does not match the authorization request.',
			);
		if (c.challenge) {
			if (!verifier) throw new OAuthError('invalid_grant', 'code_verifier is missing.');
			const derived =
				c.challenge.method === 'S256'
					? createHash('sha256').update(verifier, 'ascii').digest('base64url')
					: verifier;
			if (derived !== c.challenge.value)
				throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge.');
		}
		const tokens = this.issueGrant(c.user, c.clientId, c.scope);
		c.redeemed = this.refreshTokens.get(tokens.refresh_token);
		return tokens;
	}

	/** A new grant with its first access token (a code exchange, or a test seeding one). */
	issueGrant(user: string, clientId: string, scope: string): IssuedTokens {
		const grant: Grant = {
			clientId,
			user,
			scope: normalizeScope(scope),
			refreshToken: newToken(),
			accessTokens: new Set(),
		};
		this.refreshTokens.set(grant.refreshToken, grant);
		return { ...this.issueAccessToken(grant, grant.scope), refresh_token: grant.refreshToken };
	}

	refresh(refreshToken: string, clientId: string, scope: string | null): TokenResponse {
		this.sweep();
		const grant = this.refreshTokens.get(refreshToken);
		if (!grant || grant.clientId !== clientId)
			throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
		let tokenScope = grant.scope;
		if (scope !== null) {
			// RFC 6749 §6: a narrower scope is allowed, never one beyond the original grant
			const granted = new Set(grant.scope.split(' '));
			const asked = normalizeScope(scope);
			const extra = asked.split(' ').filter((s) => s && !granted.has(s));
			if (extra.length)
				throw new OAuthError('invalid_scope', `Scope not granted: ${extra.join(' ')}.`);
			tokenScope = asked || grant.scope;
		}
		const response: TokenResponse = this.issueAccessToken(grant, tokenScope);
		if (this.rotateRefreshTokens) {
			// The old refresh token stops working; access tokens issued before stay valid until they expire.
			this.refreshTokens.delete(grant.refreshToken);
			grant.refreshToken = newToken();
			this.refreshTokens.set(grant.refreshToken, grant);
			response.refresh_token = grant.refreshToken;
		}
		return response;
	}

	/** The live access token, or undefined (unknown, expired, revoked, or a refresh token). */
	findAccessToken(token: string): AccessToken | undefined {
		const t = this.accessTokens.get(token);
		if (t && t.expiresAt <= Date.now()) {
			this.dropAccessToken(token);
			return undefined;
		}
		return t;
	}

	/**
	 * Revokes a refresh token (its grant with every access token) or one access token. With clientId, only
	 * tokens of that client (RFC 7009 §2.1). Returns whether something was revoked.
	 */
	revoke(token: string, clientId?: string): boolean {
		// token_type_hint only says where to look first (RFC 7009 §2.1); both maps are searched anyway
		const grant = this.refreshTokens.get(token);
		const owner = grant ?? this.accessTokens.get(token)?.grant;
		if (!owner || (clientId !== undefined && owner.clientId !== clientId)) return false;
		if (grant) this.revokeGrant(grant);
		else this.dropAccessToken(token);
		return true;
	}

	/** Revokes every grant (of clientId, if given), as a user withdrawing the consent does. Returns how many. */
	revokeAll(clientId?: string): number {
		const grants = [...this.refreshTokens.values()].filter(
			(g) => clientId === undefined || g.clientId === clientId,
		);
		grants.forEach((g) => this.revokeGrant(g));
		return grants.length;
	}

	expireAccessTokens(): void {
		for (const token of [...this.accessTokens.keys()]) this.dropAccessToken(token);
	}

	private issueAccessToken(grant: Grant, scope: string): Omit<IssuedTokens, 'refresh_token'> {
		this.sweep();
		const token = newToken();
		const issuedAt = Date.now();
		this.accessTokens.set(token, {
			grant,
			scope,
			issuedAt,
			expiresAt: issuedAt + this.ttlSeconds * 1000,
		});
		grant.accessTokens.add(token);
		return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds, scope };
	}

	private revokeGrant(grant: Grant): void {
		for (const token of grant.accessTokens) this.accessTokens.delete(token);
		grant.accessTokens.clear();
		this.refreshTokens.delete(grant.refreshToken);
	}

	private dropAccessToken(token: string): void {
		const t = this.accessTokens.get(token);
		if (!t) return;
		this.accessTokens.delete(token);
		t.grant.accessTokens.delete(token);
	}

	/** Drops expired codes and access tokens, at most once a second (cheap enough for a long soak). */
	private sweep(force = false): void {
		const now = Date.now();
		if (!force && now - this.lastSweep < 1000) return;
		this.lastSweep = now;
		for (const [code, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(code);
		for (const [token, t] of this.accessTokens) if (t.expiresAt <= now) this.dropAccessToken(token);
	}
}
