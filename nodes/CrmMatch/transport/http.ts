// The backend of the node's "Backend" choice, talking HTTP through n8n's request helpers: with the credential's
// own `authenticate` (webhook URL, API key, long-lived token), or with an OAuth2 access token that n8n keeps
// (Bitrix24 local application, amoCRM / Kommo integration): n8n stores it after "Connect my account" and
// refreshes it (refreshOAuth2Token saves the new pair; both CRMs rotate refresh tokens, so we never refresh
// with a client of our own). The CRM refusing a token makes one refresh through n8n and one repeat.
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { AccessTokenSource, OAuthReconnectError } from '../../shared/oauth/tokenSource';
import type { AccessTokenProvider, OAuthTokenData } from '../../shared/oauth/tokenSource';
import { AmoCrmBackend } from './amocrm/backend';
import { amoCrmTokenVerdict } from './amocrm/client';
import { Bitrix24Backend } from './bitrix24/backend';
import { bitrix24TokenVerdict } from './bitrix24/client';
import { DataTablesBackend } from './dataTables/backend';
import { EspoCrmBackend } from './espocrm/backend';
import type { CrmBackend, Http, HttpRequest, HttpResponse } from './types';

type Ctx = IExecuteFunctions | ILoadOptionsFunctions;

/** The Authentication parameter's OAuth2 value (Bitrix24 and amoCRM backends). */
export const OAUTH2 = 'oAuth2';

function requestOptions(req: HttpRequest, url: string): IHttpRequestOptions {
	return {
		method: req.method,
		url,
		qs: req.query,
		headers: req.headers,
		body: req.body as IDataObject,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
}

type FullResponse = { statusCode: number; body: unknown; headers: Record<string, string> };
const toResponse = (res: FullResponse): HttpResponse => ({
	status: res.statusCode,
	body: res.body,
	headers: res.headers,
});

function httpFor(ctx: Ctx, credentialType: string, base: string): Http {
	return async (req) =>
		toResponse(
			(await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				credentialType,
				requestOptions(req, `${base}${req.path}`),
			)) as FullResponse,
		);
}

/** What a CRM's answer says about the access token it was sent: nothing, or that it refused it. */
export type TokenVerdict = { refused: false } | { refused: true; reason: string };

/**
 * An Http that sends the current access token (`send` puts it where the CRM wants it). When the CRM refuses
 * it, the token is renewed (another request may have done so already, else n8n refreshes it) and the request
 * repeated once: a refused request did nothing at the CRM, so repeating even a create adds no duplicate.
 * Refused again means only signing in again helps.
 */
export function withAccessToken(
	send: (req: HttpRequest, token: string) => Promise<HttpResponse>,
	tokens: AccessTokenProvider,
	verdict: (res: HttpResponse) => TokenVerdict,
	credentialName: string,
): Http {
	return async (req) => {
		const token = await tokens.token();
		const first = await send(req, token);
		if (!verdict(first).refused) return first;
		const second = await send(req, await tokens.renew(token));
		const again = verdict(second);
		if (again.refused) throw new OAuthReconnectError(credentialName, again.reason);
		return second;
	};
}

/**
 * The token endpoint's words when it refused the refresh (an OAuth error body, or any 4xx: amoCRM answers
 * problem+json, which n8n's OAuth2 client leaves as raw text); undefined for anything else (unreachable, 5xx).
 */
function refreshRefusal(error: unknown): string | undefined {
	const e = error as { status?: number; code?: string; body?: unknown };
	const status = typeof e?.status === 'number' ? e.status : undefined;
	if (e?.code !== 'EAUTH' && !(status !== undefined && status >= 400 && status < 500))
		return undefined;
	let body = e.body;
	if (typeof body === 'string')
		try {
			body = JSON.parse(body);
		} catch {
			// a page, not JSON: the status says enough
		}
	const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
	const words = [b.error, b.error_description, b.title, b.hint, b.detail]
		.filter((w) => typeof w === 'string' && w)
		.join(': ');
	const said = [status !== undefined ? `HTTP ${status}` : '', words].filter(Boolean).join(': ');
	return `the CRM refused the refresh token${said ? ` (${said})` : ''}`;
}

/**
 * Refreshes in this process by credential and refresh token, kept a while after they ended. Executions running
 * at once each have their own token source, and both CRMs' refresh tokens work once: a second refresh with the
 * same refresh token would fail and ask for a reconnect although the first succeeded. So whoever is about to
 * spend a refresh token that a refresh is spending (or spent moments ago), or that a refresh just returned,
 * takes that refresh's result. (Workers of a queue-mode n8n are other processes: n8n's store is what they share.)
 */
const refreshes = new Map<string, Promise<OAuthTokenData>>();
const SHARED_REFRESH_MS = 10_000;

function keep(key: string, done: Promise<OAuthTokenData>): void {
	refreshes.set(key, done);
	const forget = () => {
		if (refreshes.get(key) === done) refreshes.delete(key);
	};
	// a failed refresh is not kept: the next attempt asks again
	done.then(() => setTimeout(forget, SHARED_REFRESH_MS).unref(), forget);
}

async function sharedRefresh(
	credential: string,
	load: () => Promise<OAuthTokenData | undefined>,
	refresh: () => Promise<OAuthTokenData>,
): Promise<OAuthTokenData> {
	const spending = `${credential}\n${String((await load())?.refresh_token ?? '')}`;
	const known = refreshes.get(spending);
	if (known) return await known;
	const done = refresh();
	keep(spending, done);
	const data = await done;
	if (data?.refresh_token) keep(`${credential}\n${String(data.refresh_token)}`, done);
	return data;
}

/** The access tokens of the node's OAuth2 credential: stored by n8n, refreshed and saved by n8n. */
function tokenSourceFor(ctx: Ctx, type: string, credentialName: string): AccessTokenSource {
	const credential = `${type}:${ctx.getNode().credentials?.[type]?.id ?? credentialName}`;
	const load = async () =>
		(await ctx.getCredentials(type)).oauthTokenData as OAuthTokenData | undefined;
	const refresh = async () => {
		try {
			return (await ctx.helpers.refreshOAuth2Token.call(ctx, type)) as OAuthTokenData;
		} catch (error) {
			const refusal = refreshRefusal(error);
			if (!refusal) throw error;
			// the token source reports "needs to be reconnected" with the reason in body.error
			throw Object.assign(new Error(`needs to be reconnected: ${refusal}`), {
				body: { error: refusal },
			});
		}
	};
	return new AccessTokenSource(
		{ load, refresh: async () => await sharedRefresh(credential, load, refresh) },
		{ credentialName },
	);
}

function oauthHttpFor(
	ctx: Ctx,
	type: string,
	base: string,
	place: (req: HttpRequest, token: string) => HttpRequest,
	verdict: (res: HttpResponse) => TokenVerdict,
): Http {
	const credentialName = ctx.getNode().credentials?.[type]?.name ?? type;
	const send = async (req: HttpRequest, token: string) => {
		const signed = place(req, token);
		return toResponse(
			(await ctx.helpers.httpRequest(
				requestOptions(signed, `${base}${signed.path}`),
			)) as FullResponse,
		);
	};
	return withAccessToken(send, tokenSourceFor(ctx, type, credentialName), verdict, credentialName);
}

function authenticationOf(ctx: Ctx, fallback: string): string {
	return String(
		'getInputData' in ctx
			? ctx.getNodeParameter('authentication', 0, fallback)
			: ctx.getNodeParameter('authentication', fallback),
	);
}

export async function backendFor(ctx: Ctx, tablePrefix = 'crm_'): Promise<CrmBackend> {
	const kind = ctx.getNodeParameter('backend', 'dataTables') as string;
	if (kind === 'espoCrm') {
		const creds = await ctx.getCredentials('crmMailEspoCrmApi');
		return new EspoCrmBackend(
			httpFor(ctx, 'crmMailEspoCrmApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		);
	}
	if (kind === 'bitrix24' && authenticationOf(ctx, 'webhook') === OAUTH2) {
		const type = 'crmMailBitrix24OAuth2Api';
		const portal = portalBase((await ctx.getCredentials(type)).portal);
		// Bitrix24 takes the access token as the `auth` parameter; in the body it stays out of URLs and logs
		const place = (req: HttpRequest, token: string): HttpRequest => ({
			...req,
			body: { ...((req.body as IDataObject | undefined) ?? {}), auth: token },
		});
		return new Bitrix24Backend(
			oauthHttpFor(ctx, type, `${portal}/rest`, place, bitrix24TokenVerdict),
			portalOf(portal),
		);
	}
	if (kind === 'bitrix24') {
		const creds = await ctx.getCredentials('crmMailBitrix24Api');
		const webhook = String(creds.webhookUrl).trim().replace(/\/+$/, '');
		return new Bitrix24Backend(httpFor(ctx, 'crmMailBitrix24Api', webhook), portalOf(webhook));
	}
	if (kind === 'amoCrm' && authenticationOf(ctx, 'accessToken') === OAUTH2) {
		const type = 'crmMailAmoCrmOAuth2Api';
		const creds = await ctx.getCredentials(type);
		const base = amoCrmBase(creds.region, creds.subdomain, creds.baseUrl);
		const place = (req: HttpRequest, token: string): HttpRequest => ({
			...req,
			headers: { ...req.headers, Authorization: `Bearer ${token}` },
		});
		return new AmoCrmBackend(
			oauthHttpFor(ctx, type, `${base}/api/v4`, place, amoCrmTokenVerdict),
			portalOf(base),
		);
	}
	if (kind === 'amoCrm') {
		const creds = await ctx.getCredentials('crmMailAmoCrmApi');
		const base = amoCrmBase(creds.region, creds.subdomain, creds.baseUrl);
		return new AmoCrmBackend(httpFor(ctx, 'crmMailAmoCrmApi', `${base}/api/v4`), portalOf(base));
	}
	const creds = await ctx.getCredentials('crmMailN8nApi');
	return new DataTablesBackend(
		httpFor(ctx, 'crmMailN8nApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		tablePrefix || 'crm_',
	);
}

/** The portal of a webhook URL (its host): Bitrix24's request limit counts per portal. */
function portalOf(webhook: string): string {
	try {
		return new URL(webhook).host;
	} catch {
		return webhook;
	}
}

/** `https://<portal>` from what the admin typed: `mycompany.bitrix24.com`, or an address with its scheme. */
function portalBase(portal: unknown): string {
	const p = String(portal ?? '').trim();
	const url = /^https?:\/\//i.test(p) ? p : `https://${p}`;
	try {
		return new URL(url).origin;
	} catch {
		return url.replace(/\/+$/, '');
	}
}

/** The account's own host: `https://<subdomain>.<amocrm.ru|kommo.com>`, or a custom base URL. */
function amoCrmBase(region: unknown, subdomain: unknown, baseUrl: unknown): string {
	if (region === 'custom')
		return String(baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
	const sub = String(subdomain ?? '')
		.trim()
		.replace(/^https?:\/\//, '')
		.split('.')[0];
	return `https://${sub}.${String(region || 'amocrm.ru')}`;
}
