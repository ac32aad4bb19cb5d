// HTTP plumbing of the OAuth2 fake: request bodies, single-valued parameters (RFC 6749 §3.1), JSON and error
// answers (§5.1, §5.2), and client authentication by HTTP Basic or by client_id + client_secret in the body (§2.3.1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { OAuthError } from './grants';

export interface OAuth2Client {
	clientId: string;
	clientSecret: string;
	/** Exact redirect URIs; omitted = any http(s) redirect is allowed. */
	redirectUris?: string[];
}

export const REALM = 'oauth2-fake';
const MAX_BODY = 64 * 1024;

export interface ParsedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	/** The urlencoded body (empty for other content types). */
	form: URLSearchParams;
	isForm: boolean;
	headers: IncomingMessage['headers'];
}

export async function readRequest(req: IncomingMessage): Promise<ParsedRequest> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const c of req) {
		size += (c as Buffer).length;
		if (size > MAX_BODY) throw new OAuthError('invalid_request', 'Request body too large.', 413);
		chunks.push(c as Buffer);
	}
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	const isForm = /^application\/x-www-form-urlencoded\b/i.test(
		String(req.headers['content-type'] ?? ''),
	);
	return {
		method: (req.method ?? 'GET').toUpperCase(),
		path: url.pathname,
		query: url.searchParams,
		form: new URLSearchParams(isForm ? Buffer.concat(chunks).toString('utf8') : ''),
		isForm,
		headers: req.headers,
	};
}

/** Parameters as single values; a repeated one is an invalid_request (RFC 6749 §3.1, §3.2). */
export function singleParams(params: URLSearchParams): Map<string, string> {
	const out = new Map<string, string>();
	for (const [k, v] of params) {
		if (out.has(k)) throw new OAuthError('invalid_request', `Parameter ${k} is repeated.`);
		out.set(k, v);
	}
	return out;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

/** Token responses must not be cached (RFC 6749 §5.1); errors get the same headers. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function sendOAuthError(
	res: ServerResponse,
	e: OAuthError,
	headers: Record<string, string> = {},
): void {
	const challenge: Record<string, string> =
		e.status === 401 ? { 'www-authenticate': `Basic realm="${REALM}"` } : {};
	sendJson(
		res,
		e.status,
		{ error: e.error, error_description: e.description },
		{ ...headers, ...challenge },
	);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
	res.writeHead(status, {
		'content-type': 'text/html; charset=utf-8',
		'content-length': String(Buffer.byteLength(html)),
		'cache-control': 'no-store',
		// the consent page must not be framed (RFC 6749 §10.13 clickjacking)
		'x-frame-options': 'DENY',
	});
	res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
	res.writeHead(302, { location, 'content-length': '0', 'cache-control': 'no-store' });
	res.end();
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding; clients that skip that still work.
function formDecode(s: string): string {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return s;
	}
}

function parseBasic(header: string | undefined): { id: string; secret: string } | null {
	if (!header) return null;
	const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
	const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
	const colon = decoded.indexOf(':');
	if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic authorization header.');
	return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

const sameSecret = (a: string, b: string): boolean => {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
};

/** The registered client the request authenticates as; throws invalid_client (401) or invalid_request. */
export function authenticateClient(req: ParsedRequest, clients: OAuth2Client[]): OAuth2Client {
	const basic = parseBasic(req.headers.authorization);
	const bodyId = req.form.get('client_id');
	const bodySecret = req.form.get('client_secret');
	if (basic && bodySecret !== null)
		throw new OAuthError(
			'invalid_request',
			'Use one client authentication method: Basic or client_secret in the body, not both.',
		);
	if (basic && bodyId !== null && bodyId !== basic.id)
		throw new OAuthError('invalid_request', 'client_id in the body differs from the Basic user.');
	const id = basic ? basic.id : bodyId;
	const secret = basic ? basic.secret : bodySecret;
	if (!id) throw new OAuthError('invalid_client', 'Client authentication is required.');
	const client = clients.find((c) => c.clientId === id);
	if (!client || secret === null || !sameSecret(secret, client.clientSecret))
		throw new OAuthError('invalid_client', 'Unknown client or wrong client secret.');
	return client;
}
