// A local OAuth2 authorization server for tests and the `npm start` sandbox, following RFC 6749 (authorization
// code + refresh grants, PKCE per RFC 7636), RFC 7662 (introspection, as Dovecot's oauth2 passdb calls it),
// RFC 7009 (revocation) and RFC 8414 (metadata). Plain node:http; state in memory (grants.ts).
// Test controls expire, revoke and fail tokens on demand, the way real providers do at the worst moment.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizeGet, authorizePost } from './authorize';
import { GrantStore, OAuthError, normalizeScope, DEFAULT_SCOPE, type IssuedTokens } from './grants';
import { readRequest, sendJson, sendOAuthError, NO_STORE, type OAuth2Client } from './http';
import {
	introspectionEndpoint,
	revocationEndpoint,
	tokenEndpoint,
	type OAuth2FakeStats,
	type TokenContext,
} from './token-endpoints';

export type { OAuth2Client } from './http';
export type { IssuedTokens } from './grants';
export type { OAuth2FakeStats } from './token-endpoints';

export interface OAuth2FakeOptions {
	/** 0 or omitted: any free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Lifetime of access tokens (default 60). */
	accessTokenTtlSeconds?: number;
	/** When true a refresh returns a new refresh token and the old one stops working (default false). */
	rotateRefreshTokens?: boolean;
	clients: OAuth2Client[];
	/** Prefilled mailbox address on the consent page (a login_hint wins). */
	defaultUser?: string;
}

export interface OAuth2Fake {
	url: string;
	authorizationUrl: string;
	tokenUrl: string;
	introspectionUrl: string;
	revocationUrl: string;
	/** Seeds a grant without a browser (as if `user` had allowed `clientId`). */
	issueTokens(user: string, clientId: string, scope?: string): IssuedTokens;
	/** Revokes a refresh token (with every access token of its grant) or one access token. */
	revoke(token: string): void;
	/** Revokes every grant (of clientId, if given) with its tokens; returns how many grants. */
	revokeAll(clientId?: string): number;
	/** Every access token issued so far becomes invalid now. */
	expireAccessTokens(): void;
	/** Lifetime of access tokens issued from now on. */
	setAccessTokenTtl(seconds: number): void;
	/** Every refresh grant fails with this error until reset with null. */
	failRefreshes(error: 'invalid_grant' | 'invalid_client' | null): void;
	readonly stats: Readonly<OAuth2FakeStats>;
	/** Live codes, grants and access tokens (expired ones swept first). */
	readonly size: { codes: number; grants: number; accessTokens: number };
	close(): Promise<void>;
}

type Handler = (
	req: Awaited<ReturnType<typeof readRequest>>,
	res: http.ServerResponse,
) => void | Promise<void>;

function checkOptions(o: OAuth2FakeOptions): void {
	if (!o.clients?.length) throw new Error('startOAuth2Fake needs at least one client');
	for (const c of o.clients)
		if (!c.clientId || !c.clientSecret)
			throw new Error(`OAuth2 client needs clientId and clientSecret: ${JSON.stringify(c)}`);
	const ttl = o.accessTokenTtlSeconds;
	if (ttl !== undefined && !(ttl > 0)) throw new Error('accessTokenTtlSeconds must be > 0');
}

export async function startOAuth2Fake(options: OAuth2FakeOptions): Promise<OAuth2Fake> {
	checkOptions(options);
	const host = options.host ?? '127.0.0.1';
	const clients = options.clients.map((c) => ({ ...c }));
	const store = new GrantStore(
		options.accessTokenTtlSeconds ?? 60,
		options.rotateRefreshTokens ?? false,
	);
	const stats: OAuth2FakeStats = {
		consents: 0,
		codeGrants: 0,
		refreshGrants: 0,
		refreshFailures: 0,
		introspections: 0,
		activeIntrospections: 0,
		revocations: 0,
	};
	const ctx: TokenContext = { clients, store, stats, refreshFailure: null };
	const authorizeCtx = { clients, store, stats, defaultUser: options.defaultUser ?? '' };
	let url = '';

	const metadata = () => ({
		issuer: url,
		authorization_endpoint: `${url}/authorize`,
		token_endpoint: `${url}/token`,
		introspection_endpoint: `${url}/introspect`,
		revocation_endpoint: `${url}/revoke`,
		response_types_supported: ['code'],
		grant_types_supported: ['authorization_code', 'refresh_token'],
		code_challenge_methods_supported: ['S256', 'plain'],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
	});
	const routes: Record<string, Record<string, Handler>> = {
		'/authorize': {
			GET: (req, res) => authorizeGet(req, res, authorizeCtx),
			POST: (req, res) => authorizePost(req, res, authorizeCtx),
		},
		'/token': { POST: (req, res) => tokenEndpoint(req, res, ctx) },
		'/introspect': { POST: (req, res) => introspectionEndpoint(req, res, ctx) },
		'/revoke': { POST: (req, res) => revocationEndpoint(req, res, ctx) },
		'/.well-known/oauth-authorization-server': {
			GET: (_req, res) => sendJson(res, 200, metadata()),
		},
	};

	const server = http.createServer((req, res) => {
		void (async () => {
			try {
				const parsed = await readRequest(req);
				const route = routes[parsed.path];
				if (!route)
					return sendJson(res, 404, { error: 'not_found', error_description: parsed.path });
				const handler = route[parsed.method];
				if (!handler)
					return sendJson(
						res,
						405,
						{ error: 'invalid_request', error_description: `${parsed.method} not allowed` },
						{ allow: Object.keys(route).join(', ') },
					);
				await handler(parsed, res);
			} catch (e) {
				if (res.headersSent) return void res.destroy();
				if (e instanceof OAuthError) return sendOAuthError(res, e, NO_STORE);
				sendJson(res, 500, { error: 'server_error', error_description: (e as Error).message });
			}
		})();
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

	return {
		url,
		authorizationUrl: `${url}/authorize`,
		tokenUrl: `${url}/token`,
		introspectionUrl: `${url}/introspect`,
		revocationUrl: `${url}/revoke`,
		issueTokens(user, clientId, scope = DEFAULT_SCOPE) {
			if (!clients.some((c) => c.clientId === clientId))
				throw new Error(`issueTokens: unknown client ${clientId}`);
			return store.issueGrant(user, clientId, normalizeScope(scope) || DEFAULT_SCOPE);
		},
		revoke: (token) => void store.revoke(token),
		revokeAll: (clientId) => store.revokeAll(clientId),
		expireAccessTokens: () => store.expireAccessTokens(),
		setAccessTokenTtl(seconds) {
			if (!(seconds > 0)) throw new Error('setAccessTokenTtl: seconds must be > 0');
			store.ttlSeconds = seconds;
		},
		failRefreshes(error) {
			ctx.refreshFailure = error;
		},
		stats,
		get size() {
			return store.size;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections(); // keep-alive clients (Dovecot's auth process) must not hold it open
				server.close(() => resolve());
			}),
	};
}
