// The endpoints a client or resource server calls with client authentication: token (RFC 6749 §4.1.3, §6,
// §5.1, §5.2), introspection (RFC 7662 §2) and revocation (RFC 7009 §2).
import type { ServerResponse } from 'node:http';
import { OAuthError, type GrantStore } from './grants';
import {
	authenticateClient,
	NO_STORE,
	sendJson,
	singleParams,
	type OAuth2Client,
	type ParsedRequest,
} from './http';

export interface OAuth2FakeStats {
	/** Allow decisions on the consent page. */
	consents: number;
	/** Successful authorization_code exchanges. */
	codeGrants: number;
	/** Successful refresh_token grants. */
	refreshGrants: number;
	/** Refused refresh_token grants (bad or revoked token, failRefreshes, bad scope or client). */
	refreshFailures: number;
	/** Introspection requests from an authenticated caller. */
	introspections: number;
	/** ... of which the token was active. */
	activeIntrospections: number;
	/** Revocation requests from an authenticated client (answered 200, whether or not a token matched). */
	revocations: number;
}

export interface TokenContext {
	clients: OAuth2Client[];
	store: GrantStore;
	stats: OAuth2FakeStats;
	/** Set by failRefreshes(): every refresh grant fails with this error until reset to null. */
	refreshFailure: 'invalid_grant' | 'invalid_client' | null;
}

function formParams(req: ParsedRequest): Map<string, string> {
	if (!req.isForm)
		throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
	return singleParams(req.form);
}

function required(params: Map<string, string>, name: string): string {
	const v = params.get(name);
	if (!v) throw new OAuthError('invalid_request', `${name} is missing.`);
	return v;
}

export function tokenEndpoint(req: ParsedRequest, res: ServerResponse, ctx: TokenContext): void {
	const params = formParams(req);
	const grantType = required(params, 'grant_type');
	if (grantType !== 'authorization_code' && grantType !== 'refresh_token')
		throw new OAuthError(
			'unsupported_grant_type',
			`grant_type ${grantType} is not supported (authorization_code, refresh_token).`,
		);
	if (grantType === 'authorization_code') {
		const client = authenticateClient(req, ctx.clients);
		const tokens = ctx.store.redeemCode(
			required(params, 'code'),
			client.clientId,
			params.get('redirect_uri') ?? null,
			params.get('code_verifier') ?? null,
		);
		ctx.stats.codeGrants++;
		return sendJson(res, 200, tokens, NO_STORE);
	}
	try {
		const client = authenticateClient(req, ctx.clients);
		const refreshToken = required(params, 'refresh_token');
		if (ctx.refreshFailure === 'invalid_grant')
			throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
		if (ctx.refreshFailure === 'invalid_client')
			throw new OAuthError('invalid_client', 'Client authentication failed.');
		const tokens = ctx.store.refresh(refreshToken, client.clientId, params.get('scope') ?? null);
		ctx.stats.refreshGrants++;
		sendJson(res, 200, tokens, NO_STORE);
	} catch (e) {
		ctx.stats.refreshFailures++;
		throw e;
	}
}

export function introspectionEndpoint(
	req: ParsedRequest,
	res: ServerResponse,
	ctx: TokenContext,
): void {
	const params = formParams(req);
	// RFC 7662 §2.1: the caller must be authorized; any registered client may introspect (a resource server
	// such as Dovecot is a client of its own or shares the application's).
	authenticateClient(req, ctx.clients);
	const token = required(params, 'token');
	ctx.stats.introspections++;
	const t = ctx.store.findAccessToken(token);
	if (!t) return sendJson(res, 200, { active: false }, NO_STORE);
	ctx.stats.activeIntrospections++;
	const seconds = (ms: number) => Math.floor(ms / 1000);
	// Flat JSON: Dovecot's oauth2 passdb skips nested values and matches `email` against the SASL user.
	sendJson(
		res,
		200,
		{
			active: true,
			scope: t.scope,
			client_id: t.grant.clientId,
			username: t.grant.user,
			email: t.grant.user,
			sub: t.grant.user,
			token_type: 'Bearer',
			exp: seconds(t.expiresAt),
			iat: seconds(t.issuedAt),
		},
		NO_STORE,
	);
}

export function revocationEndpoint(
	req: ParsedRequest,
	res: ServerResponse,
	ctx: TokenContext,
): void {
	const params = formParams(req);
	const client = authenticateClient(req, ctx.clients);
	const token = required(params, 'token');
	// RFC 7009 §2.2: 200 whether or not the token was known, so a client learns nothing about other tokens
	ctx.store.revoke(token, client.clientId);
	ctx.stats.revocations++;
	res.writeHead(200, { 'content-length': '0', ...NO_STORE });
	res.end();
}
