// amoCRM / Kommo REST API v4 (developers.kommo.com): `https://<subdomain>.<amocrm.ru|kommo.com>/api/v4/...`,
// Bearer token, JSON bodies, HAL answers (`_embedded.<entity>`, `_page`, `_links.next`), HTTP 204 with an
// empty body for an empty list, at most 250 records a page.
//
// Limits (decision): 7 requests a second per integration; over it amoCRM answers 429, and an account that
// keeps going is blocked (403 on everything). One pacer per account host in this process keeps our requests
// at most 7 in any second; a 429 (others use the account too) is repeated after a backoff: a refused request
// did nothing. A 504 (overload) and 5xx are repeated for reads only: a write may have been done.
import { isReconnectError } from '../../../shared/oauth/tokenSource';
import { backoffDelay, retrying, sleep } from '../../../shared/retry';
import type { Http, HttpRequest, HttpResponse } from '../types';
import { CrmError } from '../types';
import { amoCrmError } from './errors';

export const PAGE = 250;

export interface AccountLimits {
	perSecond: number;
}
export const STANDARD_LIMITS: AccountLimits = { perSecond: 7 };

/** Our window is 100 ms longer than a second: network delays must not bunch 8 requests into one. */
const WINDOW_MS = 1100;

/** A sliding window: at most `perSecond` requests started in any WINDOW_MS. */
class Pacer {
	private starts: number[] = [];
	private chain: Promise<void> = Promise.resolve();

	constructor(readonly limits: AccountLimits) {}

	take(): Promise<void> {
		const turn = this.chain.then(async () => {
			for (;;) {
				const now = Date.now();
				this.starts = this.starts.filter((t) => now - t < WINDOW_MS);
				if (this.starts.length < this.limits.perSecond) break;
				await sleep(WINDOW_MS - (now - this.starts[0]) + 1);
			}
			this.starts.push(Date.now());
		});
		this.chain = turn;
		return turn;
	}
}

const pacers = new Map<string, Pacer>();
const accountLimits = new Map<string, AccountLimits>();

/** Sets the pace for one account host (tests, the benchmark's fake). */
export function setAccountLimits(account: string, limits: AccountLimits): void {
	accountLimits.set(account, limits);
	pacers.delete(account);
}

function pacerFor(account: string): Pacer {
	let p = pacers.get(account);
	if (!p) pacers.set(account, (p = new Pacer(accountLimits.get(account) ?? STANDARD_LIMITS)));
	return p;
}

/** Repeats after 429 (and 504 / 5xx of reads): about 0.5, 1, 2, 4, 8 s. */
export const RETRY = { attempts: 6, backoff: { baseMs: 500, maxMs: 8000, jitter: 0.3 } };

class RetryableFailure extends Error {
	constructor(readonly failure: CrmError) {
		super(failure.message);
	}
}

/** `a=1&filter[id][]=2&filter[id][]=3`: amoCRM's query form (PHP brackets, repeated keys). */
export function queryString(pairs: Array<[string, string | number]>): string {
	return pairs
		.map(
			([k, v]) =>
				`${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(String(v))}`,
		)
		.join('&');
}

export type Pairs = Array<[string, string | number]>;

/** Requests of one client in flight at once: the pace allows 7 a second anyway, and a lookup of thousands
 * of addresses must not open thousands of sockets. */
export const IN_FLIGHT = 8;

/**
 * OAuth2: whether the account refused the access token (then it is renewed once through n8n). amoCRM answers
 * every token problem (expired after 24 hours, revoked, unknown) with 401 problem+json.
 */
export function amoCrmTokenVerdict(
	res: HttpResponse,
): { refused: false } | { refused: true; reason: string } {
	if (res.status !== 401) return { refused: false };
	const p = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
	const own = [p.title, p.detail].filter((w) => typeof w === 'string' && w).join(': ');
	return { refused: true, reason: `amoCRM refused the access token (401${own ? ` ${own}` : ''})` };
}

export class AmoCrmClient {
	/** Requests sent (the benchmark and tests read it). */
	requests = 0;
	private readonly pacer: Pacer;
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(
		private readonly http: Http,
		account: string,
	) {
		this.pacer = pacerFor(account);
	}

	/** One request; the body of a 2xx answer (undefined for 204), else a CrmError in amoCRM's words. */
	async request<T>(
		method: HttpRequest['method'],
		path: string,
		what: string,
		body?: unknown,
		query: Pairs = [],
	): Promise<T | undefined> {
		const url = query.length ? `${path}?${queryString(query)}` : path;
		if (this.active >= IN_FLIGHT) await new Promise<void>((r) => this.waiting.push(r));
		this.active++;
		try {
			return await this.send<T>(method, url, what, body);
		} finally {
			this.active--;
			this.waiting.shift()?.();
		}
	}

	private async send<T>(
		method: HttpRequest['method'],
		url: string,
		what: string,
		body: unknown,
	): Promise<T | undefined> {
		return await retrying(
			async () => {
				await this.pacer.take();
				this.requests++;
				let res;
				try {
					res = await this.http({ method, path: url, body });
				} catch (e) {
					if (isReconnectError(e)) throw e; // OAuth2: the credential must be connected again
					throw new CrmError(
						`Cannot reach amoCRM (${what}): ${(e as Error).message}`,
						'Check the subdomain and region (or base URL) in the credential, and that the account is reachable from n8n.',
						undefined,
						true,
					);
				}
				if (res.status === 204) return undefined;
				if (res.status >= 200 && res.status < 300) return res.body as T;
				const error = amoCrmError(what, res.status, res.body);
				const repeatable = res.status === 429 || (method === 'GET' && res.status >= 500);
				if (repeatable) throw new RetryableFailure(error);
				throw error;
			},
			{
				next: (e, n) =>
					e instanceof RetryableFailure && n < RETRY.attempts
						? backoffDelay(n, RETRY.backoff)
						: undefined,
			},
		).catch((e: unknown) => {
			throw e instanceof RetryableFailure ? e.failure : e;
		});
	}

	/** Every page of a list (`_embedded[key]`), 250 a page; an empty list is HTTP 204. */
	async list<T>(path: string, key: string, query: Pairs, what: string): Promise<T[]> {
		const out: T[] = [];
		for (let page = 1; ; page++) {
			const body = await this.request<{
				_embedded?: Record<string, T[]>;
				_links?: { next?: unknown };
			}>('GET', path, what, undefined, [...query, ['limit', PAGE], ['page', page]]);
			const rows = body?._embedded?.[key] ?? [];
			out.push(...rows);
			if (!body?._links?.next || rows.length < PAGE) return out;
		}
	}
}
