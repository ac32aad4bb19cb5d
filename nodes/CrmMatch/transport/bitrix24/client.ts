// Bitrix24 REST through an inbound webhook (apidocs.bitrix24.com, "How to call REST API"): every method is
// `POST <webhook>/<method>.json` with a JSON body; success `{ result, total?, next?, time }`, failure
// `{ error, error_description }` with an HTTP status. `batch` runs up to 50 commands (`cmd[key]=method?query`,
// the query encoded as PHP's http_build_query) in one request: one unit of the portal's request limit.
//
// Limits (decision): a leaky bucket per portal (standard plans: 50 requests, draining 2 a second;
// Enterprise 250 / 5). One pacer per portal in this process keeps our own requests under it, leaving room
// for the portal's other applications; when the portal still answers 503 QUERY_LIMIT_EXCEEDED (others
// filled it) the pacer counts the bucket as full and the request is repeated after a backoff: a refused
// request did nothing, so repeating is safe for every method.
import { isReconnectError } from '../../../shared/oauth/tokenSource';
import { backoffDelay, retrying, sleep } from '../../../shared/retry';
import type { Http, HttpResponse } from '../types';
import { CrmError } from '../types';
import type { Bitrix24Failure } from './errors';
import { RETRYABLE, bitrix24Error, failureOf } from './errors';

export type Params = Record<string, unknown>;
export interface Answer<T = unknown> {
	result: T;
	total?: number;
	next?: number;
}
/** One command of a batch: its key, method and parameters. */
export interface Command {
	key: string;
	method: string;
	params: Params;
}
export interface BatchAnswer {
	result: Map<string, unknown>;
	error: Map<string, Bitrix24Failure>;
	next: Map<string, number>;
}

/** At most 50 commands per `batch` (the documentation's limit). */
export const BATCH_MAX = 50;
/** List methods answer 50 records per page. */
export const PAGE = 50;

export interface PortalLimits {
	/** Requests the pacer lets through at once (the bucket's size, minus room for other applications). */
	burst: number;
	perSecond: number;
}
/** Standard plans: a bucket of 50 draining 2 a second; we use 40 of it. */
export const STANDARD_LIMITS: PortalLimits = { burst: 40, perSecond: 2 };

class Pacer {
	private level = 0;
	private at = Date.now();

	constructor(readonly limits: PortalLimits) {}

	/** Waits until one more request fits the bucket, and counts it. */
	async take(): Promise<void> {
		const now = Date.now();
		this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.limits.perSecond);
		this.at = now;
		const over = this.level + 1 - this.limits.burst;
		this.level += 1;
		if (over > 0) await sleep((over / this.limits.perSecond) * 1000);
	}

	/** The portal said it is full: count the bucket as full. */
	full(): void {
		this.level = Math.max(this.level, this.limits.burst);
	}
}

const pacers = new Map<string, Pacer>();
const portalLimits = new Map<string, PortalLimits>();

/** Sets the pace for one portal (host), e.g. an Enterprise plan's 250 / 5, or a benchmark's fake. */
export function setPortalLimits(portal: string, limits: PortalLimits): void {
	portalLimits.set(portal, limits);
	pacers.delete(portal);
}

function pacerFor(portal: string): Pacer {
	let p = pacers.get(portal);
	if (!p) pacers.set(portal, (p = new Pacer(portalLimits.get(portal) ?? STANDARD_LIMITS)));
	return p;
}

/** Repeats after QUERY_LIMIT_EXCEEDED: about 1, 2, 4, 8, 8 s (the bucket drains 2 a second). */
export const RETRY = { attempts: 6, backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.3 } };

class RetryableFailure extends Error {
	constructor(readonly failure: CrmError) {
		super(failure.message);
	}
}

/** `a[b][0]=c` pairs of PHP's http_build_query, the query form `batch` commands use. */
export function phpQuery(params: Params, prefix = ''): string {
	const parts: string[] = [];
	const add = (key: string, v: unknown) => {
		if (v === undefined || v === null) return;
		if (typeof v === 'object') {
			for (const [k, inner] of Object.entries(v as Record<string, unknown>))
				add(`${key}[${k}]`, inner);
			return;
		}
		const value = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
		parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
	};
	for (const [k, v] of Object.entries(params)) add(prefix ? `${prefix}[${k}]` : k, v);
	return parts.join('&');
}

/** Answers (HTTP 401) that refuse an OAuth2 access token: expired (1 hour), unknown, or none found. */
const TOKEN_REFUSALS = new Set(['expired_token', 'invalid_token', 'NO_AUTH_FOUND']);

/** OAuth2: whether the portal refused the access token (then it is renewed once through n8n). */
export function bitrix24TokenVerdict(
	res: HttpResponse,
): { refused: false } | { refused: true; reason: string } {
	const failure = failureOf(res.body);
	if (res.status !== 401 || !failure || !TOKEN_REFUSALS.has(failure.error))
		return { refused: false };
	const own = [failure.error, failure.error_description].filter(Boolean).join(': ');
	return { refused: true, reason: `Bitrix24 refused the access token (401 ${own})` };
}

export class Bitrix24Client {
	/** Requests sent (the benchmark and tests read it). */
	requests = 0;
	private readonly pacer: Pacer;

	constructor(
		private readonly http: Http,
		portal: string,
	) {
		this.pacer = pacerFor(portal);
	}

	/** One method call; a failure becomes a CrmError in Bitrix24's words. */
	async call<T>(method: string, params: Params, what: string): Promise<Answer<T>> {
		return await retrying(
			async () => {
				await this.pacer.take();
				this.requests++;
				let res;
				try {
					res = await this.http({ method: 'POST', path: `/${method}.json`, body: params });
				} catch (e) {
					if (isReconnectError(e)) throw e; // OAuth2: the credential must be connected again
					throw new CrmError(
						`Cannot reach Bitrix24 (${what}): ${(e as Error).message}`,
						'Check the webhook URL in the credential (https://<portal>/rest/<user>/<code>/) and that the portal is reachable from n8n.',
						undefined,
						true,
					);
				}
				const failure = failureOf(res.body);
				if (res.status >= 200 && res.status < 300 && !failure) return res.body as Answer<T>;
				const error = bitrix24Error(
					what,
					res.status,
					failure ?? {
						error: `HTTP ${res.status}`,
						error_description: typeof res.body === 'string' ? res.body.slice(0, 200) : '',
					},
				);
				if (failure && RETRYABLE.has(failure.error)) {
					this.pacer.full();
					throw new RetryableFailure(error);
				}
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

	/** Runs the commands in batches of 50 (concurrently, paced); per-command results and errors by key. */
	async batch(commands: Command[], what: string): Promise<BatchAnswer> {
		const out: BatchAnswer = { result: new Map(), error: new Map(), next: new Map() };
		const chunks: Command[][] = [];
		for (let i = 0; i < commands.length; i += BATCH_MAX)
			chunks.push(commands.slice(i, i + BATCH_MAX));
		await Promise.all(
			chunks.map(async (chunk) => {
				const cmd = Object.fromEntries(
					chunk.map((c) => [c.key, `${c.method}?${phpQuery(c.params)}`]),
				);
				const { result } = await this.call<{
					result: Record<string, unknown> | unknown[];
					result_error: Record<string, Bitrix24Failure> | unknown[];
					result_next: Record<string, number> | unknown[];
				}>('batch', { halt: 0, cmd }, what);
				for (const [k, v] of Object.entries(result.result ?? {})) out.result.set(k, v);
				for (const [k, v] of Object.entries(result.result_error ?? {}))
					out.error.set(k, v as Bitrix24Failure);
				for (const [k, v] of Object.entries(result.result_next ?? {})) out.next.set(k, Number(v));
			}),
		);
		return out;
	}

	/** Runs the commands; the first command that failed fails the whole. */
	async all(commands: Command[], what: string): Promise<Map<string, unknown>> {
		const answer = await this.batch(commands, what);
		const failed = [...answer.error.values()][0];
		if (failed) throw bitrix24Error(what, 400, failed);
		return answer.result;
	}

	/**
	 * Every page of every list command, in as few batches as paging allows: the first pages together, then
	 * the next pages of the commands that have more. Results by command key, in page order.
	 */
	async lists<T>(commands: Command[], what: string): Promise<Map<string, T[]>> {
		const out = new Map<string, T[]>(commands.map((c) => [c.key, []]));
		let todo = commands;
		while (todo.length) {
			const answer = await this.batch(todo, what);
			const failed = [...answer.error.values()][0];
			if (failed) throw bitrix24Error(what, 400, failed);
			const next: Command[] = [];
			for (const c of todo) {
				out.get(c.key)!.push(...((answer.result.get(c.key) as T[] | undefined) ?? []));
				const start = answer.next.get(c.key);
				if (start) next.push({ ...c, params: { ...c.params, start } });
			}
			todo = next;
		}
		return out;
	}
}
