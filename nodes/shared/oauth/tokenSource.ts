// OAuth2 access tokens for IMAP and SMTP logins. n8n stores the token and refreshes it (refreshOAuth2Token saves
// the new one in the credential); this module decides WHEN: ahead of expiry, after a server refused the token,
// and never twice at once in one process. No n8n imports.
import type { DescribedFailure, Describable } from '../failure';

/** The `oauthTokenData` n8n keeps in an OAuth2 credential (the provider's token response, plus n8n's own fields). */
export interface OAuthTokenData {
	access_token?: string;
	expires_in?: number | string;
	/** n8n 2.41+: when the access token expires, in ms since the epoch. */
	n8n_expires_at?: number | string;
	[key: string]: unknown;
}

/** Where the token lives: n8n's credential store in the nodes, the fake provider's client in tests. */
export interface OAuthTokenStore {
	/** The stored token data; undefined when the account was never connected. */
	load(): Promise<OAuthTokenData | undefined>;
	/** Asks the provider for a new access token and stores it; returns the new data. */
	refresh(): Promise<OAuthTokenData>;
}

/** What a login needs: a current token, and a new one when the server refused it. */
export interface AccessTokenProvider {
	token(): Promise<string>;
	renew(rejected: string): Promise<string>;
}

const RECONNECT =
	'Open the credential and click "Reconnect my account" (or "Connect my account") to sign in to the provider again. Common causes: the consent was revoked, the password changed, the client secret is wrong or expired, or an app in "Testing" status lost its refresh token after 7 days.';

/** The account cannot get a token without the admin signing in again. */
export class OAuthReconnectError extends Error implements Describable {
	constructor(
		readonly credentialName: string,
		readonly reason: string,
	) {
		super(`The OAuth2 credential "${credentialName}" needs to be reconnected: ${reason}`);
	}

	describe(): DescribedFailure {
		return { message: this.message, description: RECONNECT, service: true };
	}
}

export const isReconnectError = (e: unknown): e is OAuthReconnectError =>
	e instanceof OAuthReconnectError ||
	(e as { name?: string } | undefined)?.name === 'OAuthReconnectError';

export interface AccessTokenSourceOptions {
	/** For messages: the credential's name or type. */
	credentialName: string;
	/** Refresh this long before expiry, at most; a quarter of the lifetime for short-lived tokens. */
	marginMs?: number;
	now?: () => number;
}

const DEFAULT_MARGIN_MS = 5 * 60_000;

/** The provider's words for a failed refresh (client-oauth2 keeps the token endpoint's JSON in `body`). */
function refreshFailureReason(error: unknown): string {
	const e = error as { body?: { error?: string; error_description?: string }; message?: string };
	const code = e?.body?.error;
	const text = e?.body?.error_description;
	if (code) return text ? `${code} (${text})` : code;
	const message = String(e?.message ?? error);
	// n8n 2.41 already words an invalid_grant as "The credential … needs to be reconnected."
	return /needs to be reconnected/i.test(message)
		? 'the provider refused the refresh token'
		: message;
}

/** Errors of the token endpoint that a retry cannot fix (RFC 6749 §5.2) and n8n's "not connected". */
function needsReconnect(error: unknown): boolean {
	const e = error as { body?: { error?: string }; message?: string; code?: string };
	if (['invalid_grant', 'invalid_client', 'unauthorized_client'].includes(String(e?.body?.error)))
		return true;
	return /not connected|invalid_grant|invalid_client|needs to be reconnected|unauthorized/i.test(
		String(e?.message ?? ''),
	);
}

export class AccessTokenSource implements AccessTokenProvider {
	private readonly now: () => number;
	/** Expiry of the tokens this process has seen: n8n 2.8 stores no issue time, so we note when we got one. */
	private readonly expiries = new Map<string, number>();
	private refreshing: Promise<string> | undefined;
	readonly stats = { refreshes: 0, renewals: 0 };

	constructor(
		private readonly store: OAuthTokenStore,
		private readonly options: AccessTokenSourceOptions,
	) {
		this.now = options.now ?? Date.now;
	}

	/** A token that is not about to expire (refreshed first when it is). */
	async token(): Promise<string> {
		const data = await this.loadConnected();
		const token = String(data.access_token);
		if (this.expiresAt(token, data) - this.now() > this.marginFor(data)) return token;
		return await this.refresh();
	}

	/** After a server refused `rejected`: another process may have refreshed it already, else refresh. */
	async renew(rejected: string): Promise<string> {
		this.stats.renewals++;
		const data = await this.store.load();
		if (data?.access_token && data.access_token !== rejected) return data.access_token;
		return await this.refresh();
	}

	/** When the stored token should be refreshed, in ms from now (0 = now). */
	async msUntilRefresh(): Promise<number> {
		const data = await this.loadConnected();
		const token = String(data.access_token);
		return Math.max(0, this.expiresAt(token, data) - this.marginFor(data) - this.now());
	}

	/** Refreshes now; one refresh at a time per source. */
	refresh(): Promise<string> {
		this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
		return this.refreshing;
	}

	private async doRefresh(): Promise<string> {
		let data: OAuthTokenData;
		try {
			data = await this.store.refresh();
		} catch (error) {
			if (needsReconnect(error))
				throw new OAuthReconnectError(this.options.credentialName, refreshFailureReason(error));
			throw error;
		}
		if (!data?.access_token)
			throw new OAuthReconnectError(
				this.options.credentialName,
				'the provider returned no access token',
			);
		this.stats.refreshes++;
		this.remember(data.access_token, data);
		return data.access_token;
	}

	private async loadConnected(): Promise<OAuthTokenData> {
		const data = await this.store.load();
		if (!data?.access_token)
			throw new OAuthReconnectError(
				this.options.credentialName,
				'the account is not connected yet',
			);
		return data;
	}

	private marginFor(data: OAuthTokenData): number {
		const lifetimeMs = Number(data.expires_in) * 1000;
		const margin = this.options.marginMs ?? DEFAULT_MARGIN_MS;
		return Number.isFinite(lifetimeMs) && lifetimeMs > 0
			? Math.min(margin, lifetimeMs / 4)
			: margin;
	}

	private expiresAt(token: string, data: OAuthTokenData): number {
		const stored = Number(data.n8n_expires_at);
		if (Number.isFinite(stored) && stored > 0) return stored;
		return this.expiries.get(token) ?? this.remember(token, data);
	}

	private remember(token: string, data: OAuthTokenData): number {
		const lifetime = Number(data.expires_in);
		// no expiry given: check again in an hour (a refused token is renewed anyway)
		const at = this.now() + (Number.isFinite(lifetime) && lifetime > 0 ? lifetime : 3600) * 1000;
		// only the latest tokens matter; keep the map from growing over a long-running trigger
		if (this.expiries.size > 16) this.expiries.clear();
		this.expiries.set(token, at);
		return at;
	}
}
