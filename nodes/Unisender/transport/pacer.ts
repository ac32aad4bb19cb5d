// Keeps calls within Unisender's documented limits (1,200 calls/min per key; subscribe 300/min ...) so
// items never fail on a rate limit. Token buckets with an injectable clock; one pacer per API key
// (module-level, so parallel executions of the same credential in one n8n process share it).

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms) => await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface Limit {
	calls: number;
	windowMs: number;
}

/** Documented limits: all methods together, and the stricter per-method ones. */
export const OVERALL_LIMIT: Limit = { calls: 1200, windowMs: 60_000 };
export const METHOD_LIMITS: Record<string, Limit> = {
	subscribe: { calls: 300, windowMs: 60_000 },
	sendEmail: { calls: 60, windowMs: 60_000 },
	createCampaign: { calls: 100, windowMs: 60_000 },
	checkEmail: { calls: 300, windowMs: 60_000 },
};

/**
 * A token bucket sized so that ANY window of `windowMs` sees at most `share` of the limit:
 * burst B plus refill r*W <= share*N (0.9 N/W refill, a burst of 5 % of N).
 */
export class TokenBucket {
	private tokens: number;
	private last: number;
	readonly capacity: number;
	readonly perMs: number;

	constructor(
		limit: Limit,
		private readonly clock: Clock,
		timeScale = 1,
	) {
		this.capacity = Math.max(1, Math.floor(limit.calls * 0.05));
		this.perMs = (limit.calls * 0.9) / (limit.windowMs * timeScale);
		this.tokens = this.capacity;
		this.last = clock.now();
	}

	private refill(): void {
		const now = this.clock.now();
		this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
		this.last = now;
	}

	/** Milliseconds until a token is available (0 = now). */
	waitMs(): number {
		this.refill();
		return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
	}

	take(): void {
		this.refill();
		this.tokens -= 1;
	}

	/** After a rate-limit answer: nothing more until `ms` from now. */
	drain(ms: number): void {
		this.refill();
		this.tokens = Math.min(this.tokens, 0) - ms * this.perMs;
	}
}

export class Pacer {
	private readonly overall: TokenBucket;
	private readonly perMethod = new Map<string, TokenBucket>();
	private queue: Promise<void> = Promise.resolve();
	/** Calls that had to wait for a token (for benchmarks and logs). */
	waited = 0;

	constructor(
		readonly clock: Clock = realClock,
		/** 1 = real time; the benchmark scales Unisender's minute down (same ratio of calls to limit). */
		readonly timeScale = 1,
	) {
		this.overall = new TokenBucket(OVERALL_LIMIT, clock, timeScale);
	}

	private bucketsFor(method: string): TokenBucket[] {
		const limit = METHOD_LIMITS[method];
		if (!limit) return [this.overall];
		let b = this.perMethod.get(method);
		if (!b) this.perMethod.set(method, (b = new TokenBucket(limit, this.clock, this.timeScale)));
		return [b, this.overall];
	}

	/** Resolves when `method` may be called; callers are served in order. */
	async acquire(method: string): Promise<void> {
		const turn = this.queue.then(async () => {
			const buckets = this.bucketsFor(method);
			for (;;) {
				const wait = Math.max(...buckets.map((b) => b.waitMs()));
				if (wait <= 0) break;
				this.waited++;
				await this.clock.sleep(wait);
			}
			buckets.forEach((b) => b.take());
		});
		this.queue = turn.catch(() => undefined);
		await turn;
	}

	/** Unisender said the limit was hit anyway (another app on the same key): hold every call for `ms`. */
	penalize(method: string, ms: number): void {
		for (const b of this.bucketsFor(method)) b.drain(ms);
	}

	/** A delay of the API's real time, scaled like the limits. */
	scaled(ms: number): number {
		return ms * this.timeScale;
	}
}

const pacers = new Map<string, Pacer>();
let defaultTimeScale = 1;

/** The shared pacer of one API key (keyed by base URL + key; the key itself is not kept in the map). */
export function pacerFor(baseUrl: string, apiKey: string): Pacer {
	const id = `${baseUrl}|${hash(apiKey)}`;
	let p = pacers.get(id);
	if (!p || p.timeScale !== defaultTimeScale)
		pacers.set(id, (p = new Pacer(realClock, defaultTimeScale)));
	return p;
}

/**
 * Benchmarks only (never a node parameter): run Unisender's minute faster, against a fake server scaled
 * the same way. Resets the shared pacers.
 */
export function setTimeScale(scale: number): void {
	defaultTimeScale = scale;
	pacers.clear();
}

function hash(s: string): string {
	let h = 2166136261;
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
	return (h >>> 0).toString(36);
}
