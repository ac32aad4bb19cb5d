// The authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.1.2; PKCE RFC 7636 §4.3, §4.4.1):
// GET shows the consent page, POST (the page's form) redirects back with a code or with access_denied.
// A bad client or redirect URI gets an error page, never a redirect (§4.1.2.1); other errors go back to the client.
import type { ServerResponse } from 'node:http';
import { DEFAULT_SCOPE, normalizeScope, type CodeRequest, type GrantStore } from './grants';
import { redirect, sendHtml, type OAuth2Client, type ParsedRequest } from './http';
import { consentPage, errorPage } from './pages';

export interface AuthorizeContext {
	clients: OAuth2Client[];
	store: GrantStore;
	defaultUser: string;
	stats: { consents: number };
}

interface ValidRequest {
	client: OAuth2Client;
	/** Where to send the answer: the given redirect_uri or the client's only registered one. */
	redirectUri: string;
	code: Omit<CodeRequest, 'user'>;
	state: string | null;
	params: Map<string, string>;
}

type Checked = { request: ValidRequest } | { page: string } | { redirectTo: string };

const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

function withParams(uri: string, params: Record<string, string | null>): string {
	const url = new URL(uri);
	for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
	return url.toString();
}

function checkRedirectUri(client: OAuth2Client, given: string | undefined): string | Error {
	if (given === undefined) {
		if (client.redirectUris?.length === 1) return client.redirectUris[0];
		return new Error('redirect_uri is missing.');
	}
	let url: URL;
	try {
		url = new URL(given);
	} catch {
		return new Error('redirect_uri is not an absolute URL.');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		return new Error('redirect_uri must be an http or https URL.');
	if (given.includes('#')) return new Error('redirect_uri must not contain a fragment.');
	if (client.redirectUris && !client.redirectUris.includes(given))
		return new Error(`redirect_uri ${given} is not registered for client ${client.clientId}.`);
	return given;
}

function checkRequest(source: URLSearchParams, ctx: AuthorizeContext): Checked {
	const params = new Map<string, string>();
	const repeated = new Set<string>();
	for (const [k, v] of source) {
		if (params.has(k)) repeated.add(k);
		else params.set(k, v);
	}
	if (repeated.has('client_id') || repeated.has('redirect_uri'))
		return { page: 'client_id or redirect_uri is repeated.' };
	const clientId = params.get('client_id');
	if (!clientId) return { page: 'client_id is missing.' };
	const client = ctx.clients.find((c) => c.clientId === clientId);
	if (!client) return { page: `Unknown client_id ${clientId}.` };
	const redirectUri = checkRedirectUri(client, params.get('redirect_uri'));
	if (redirectUri instanceof Error) return { page: redirectUri.message };

	const state = params.get('state') ?? null;
	const fail = (error: string, description: string): Checked => ({
		redirectTo: withParams(redirectUri, { error, error_description: description, state }),
	});
	if (repeated.size) return fail('invalid_request', `Repeated parameter: ${[...repeated][0]}.`);
	const responseType = params.get('response_type');
	if (!responseType) return fail('invalid_request', 'response_type is missing.');
	if (responseType !== 'code')
		return fail('unsupported_response_type', 'Only response_type=code is supported.');
	const challenge = params.get('code_challenge');
	const method = params.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
	if (method !== undefined && !challenge)
		return fail('invalid_request', 'code_challenge_method without code_challenge.');
	if (method !== undefined && method !== 'S256' && method !== 'plain')
		return fail('invalid_request', 'transform algorithm not supported (use S256 or plain).');
	if (challenge && !PKCE_CHALLENGE.test(challenge))
		return fail('invalid_request', 'code_challenge must be 43-128 unreserved characters.');
	return {
		request: {
			client,
			redirectUri,
			state,
			params,
			code: {
				clientId,
				redirectUri: params.get('redirect_uri'),
				scope: normalizeScope(params.get('scope')) || DEFAULT_SCOPE,
				challenge: challenge ? { value: challenge, method: method as 'S256' | 'plain' } : undefined,
			},
		},
	};
}

function showConsent(
	res: ServerResponse,
	r: ValidRequest,
	user: string,
	error?: string,
	status = 200,
): void {
	const hidden = [...r.params].filter(([k]) => k !== 'user' && k !== 'decision');
	sendHtml(
		res,
		status,
		consentPage({ clientId: r.client.clientId, scope: r.code.scope, user, hidden, error }),
	);
}

function answerChecked(res: ServerResponse, checked: Checked): ValidRequest | undefined {
	if ('page' in checked) sendHtml(res, 400, errorPage(checked.page));
	else if ('redirectTo' in checked) redirect(res, checked.redirectTo);
	else return checked.request;
	return undefined;
}

export function authorizeGet(req: ParsedRequest, res: ServerResponse, ctx: AuthorizeContext): void {
	const r = answerChecked(res, checkRequest(req.query, ctx));
	if (r) showConsent(res, r, r.params.get('login_hint') ?? ctx.defaultUser);
}

export function authorizePost(
	req: ParsedRequest,
	res: ServerResponse,
	ctx: AuthorizeContext,
): void {
	if (!req.isForm)
		return sendHtml(res, 400, errorPage('The consent form must be posted as a form.'));
	const r = answerChecked(res, checkRequest(req.form, ctx));
	if (!r) return;
	const decision = req.form.get('decision');
	if (decision === 'deny')
		return redirect(
			res,
			withParams(r.redirectUri, {
				error: 'access_denied',
				error_description: 'The user denied access.',
				state: r.state,
			}),
		);
	const user = (req.form.get('user') ?? '').trim();
	if (decision !== 'allow') return showConsent(res, r, user, 'Choose Allow or Deny.', 400);
	if (!user || /\s/.test(user) || [...user].some((c) => c.charCodeAt(0) < 0x20))
		return showConsent(res, r, user, 'Enter the mailbox address to sign in as.', 400);
	ctx.stats.consents++;
	const code = ctx.store.createCode({ ...r.code, user });
	redirect(res, withParams(r.redirectUri, { code, state: r.state }));
}
