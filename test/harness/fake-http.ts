// Base for fake HTTP services on loopback (Unisender, EspoCRM, n8n API fakes extend it in test/fakes/).
// node:http only; every request is logged so tests can assert what our client really sent.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Params = Record<string, string | string[]>;

export interface FakeRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: Params;
	headers: http.IncomingHttpHeaders;
	/** Raw body. */
	body: Buffer;
	/** application/x-www-form-urlencoded body, parsed ({} otherwise). */
	form: Params;
	/** JSON body, parsed (undefined when not JSON). */
	json: unknown;
	/** Capture groups of a RegExp route (named groups by name, others by index). */
	params: Record<string, string>;
}

export interface FakeResponse {
	status(code: number): FakeResponse;
	header(name: string, value: string): FakeResponse;
	json(body: unknown, status?: number): void;
	text(body: string, status?: number, contentType?: string): void;
	send(body: Buffer | string, status?: number, headers?: Record<string, string>): void;
	redirect(location: string, status?: number): void;
	readonly sent: boolean;
}

/** Returning a value that is not undefined (and not sending) answers it as JSON. */
export type FakeHandler = (req: FakeRequest, res: FakeResponse) => unknown | Promise<unknown>;

export interface LoggedRequest {
	method: string;
	path: string;
	query: Params;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

interface Route {
	method: string;
	path: string | RegExp;
	handler: FakeHandler;
}

/** Parses a query / urlencoded string; a repeated key gives an array. */
export function parseParams(s: string): Params {
	const out: Params = {};
	for (const [k, v] of new URLSearchParams(s)) {
		const prev = out[k];
		out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
	}
	return out;
}

export class FakeHttpServer {
	readonly requests: LoggedRequest[] = [];
	/** Errors thrown by handlers (answered 500); a test can assert there were none. */
	readonly errors: Error[] = [];
	protected routes: Route[] = [];
	protected failures: Array<{ status: number; body: unknown }> = [];
	protected delayMs = 0;
	private server?: http.Server;
	baseUrl = '';

	/** Routes are tried in the order added; method '*' matches any. */
	route(method: string, path: string | RegExp, handler: FakeHandler): this {
		this.routes.push({ method: method.toUpperCase(), path, handler });
		return this;
	}

	/** Answer the next n requests (any route) with status and body (JSON unless a string). */
	failNext(n: number, status = 500, body: unknown = { error: 'injected failure' }): void {
		for (let i = 0; i < n; i++) this.failures.push({ status, body });
	}

	/** Delay every answer by ms (timeouts, slow servers). */
	setDelay(ms: number): void {
		this.delayMs = ms;
	}

	/** Clears the request log, errors and pending failures (routes stay). */
	reset(): void {
		this.requests.length = 0;
		this.errors.length = 0;
		this.failures = [];
		this.delayMs = 0;
	}

	async start(port = 0): Promise<string> {
		const server = http.createServer((req, res) => void this.handle(req, res));
		this.server = server;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return this.baseUrl;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		server.closeAllConnections(); // keep-alive clients must not hold the test open
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	protected match(
		method: string,
		path: string,
	): { route: Route; params: Record<string, string> } | undefined {
		for (const route of this.routes) {
			if (route.method !== '*' && route.method !== method) continue;
			if (typeof route.path === 'string') {
				if (route.path === path) return { route, params: {} };
				continue;
			}
			const m = route.path.exec(path);
			if (m) {
				const params: Record<string, string> = {};
				m.slice(1).forEach((v, i) => v !== undefined && (params[String(i + 1)] = v));
				Object.assign(params, m.groups ?? {});
				return { route, params };
			}
		}
		return undefined;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const body = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();
		const query = parseParams(url.search);
		this.requests.push({ method, path: url.pathname, query, headers: req.headers, body });
		const reply = makeResponse(res);
		if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
		const failure = this.failures.shift();
		if (failure) {
			if (typeof failure.body === 'string') reply.text(failure.body, failure.status);
			else reply.json(failure.body, failure.status);
			return;
		}
		const found = this.match(method, url.pathname);
		if (!found) {
			reply.json({ error: `fake server has no route for ${method} ${url.pathname}` }, 404);
			return;
		}
		const type = String(req.headers['content-type'] ?? '');
		let json: unknown;
		if (/json/i.test(type) && body.length) {
			try {
				json = JSON.parse(body.toString('utf8'));
			} catch {
				json = undefined;
			}
		}
		const form = /x-www-form-urlencoded/i.test(type) ? parseParams(body.toString('utf8')) : {};
		try {
			const result = await found.route.handler(
				{
					method,
					path: url.pathname,
					query,
					headers: req.headers,
					body,
					form,
					json,
					params: found.params,
				},
				reply,
			);
			if (!reply.sent) {
				if (result === undefined) reply.send('', 204);
				else reply.json(result);
			}
		} catch (e) {
			this.errors.push(e as Error);
			if (!reply.sent)
				reply.json({ error: `fake server handler failed: ${(e as Error).message}` }, 500);
		}
	}
}

function makeResponse(res: http.ServerResponse): FakeResponse {
	let code = 200;
	let sent = false;
	const headers: Record<string, string> = {};
	const r: FakeResponse = {
		get sent() {
			return sent;
		},
		status(c) {
			code = c;
			return r;
		},
		header(name, value) {
			headers[name.toLowerCase()] = value;
			return r;
		},
		send(body, status, extra = {}) {
			if (sent) throw new Error('fake server: response already sent');
			sent = true;
			const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
			res.writeHead(status ?? code, {
				...headers,
				...lower(extra),
				'content-length': String(buf.length),
			});
			res.end(buf);
		},
		json(body, status) {
			r.send(JSON.stringify(body), status, {
				'content-type': headers['content-type'] ?? 'application/json; charset=utf-8',
			});
		},
		text(body, status, contentType = 'text/plain; charset=utf-8') {
			r.send(body, status, { 'content-type': contentType });
		},
		redirect(location, status = 302) {
			r.send('', status, { location });
		},
	};
	return r;
}

function lower(h: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
