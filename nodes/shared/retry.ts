// Retrying, once for every node: capped exponential backoff with jitter, and a loop that repeats an action only
// while the failure says it is safe to repeat (a transient 4xx, a dropped connection, a rate limit), stopping at
// once on a fatal one. An outcome that is unknown (a message may have been sent) is the caller's to call fatal:
// a repeat could duplicate it. No n8n imports.

export interface BackoffOptions {
	baseMs: number;
	maxMs: number;
	/** 0..1: the delay is drawn from [d * (1 - jitter), d]. */
	jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60000, jitter: 0.3 };

/** Capped exponential backoff with jitter: attempt 1 waits about base, then doubles up to max. */
export function backoffDelay(
	attempt: number,
	o: BackoffOptions = DEFAULT_BACKOFF,
	random: () => number = Math.random,
): number {
	const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
	return Math.round(exp * (1 - o.jitter * random()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RetryOptions {
	/**
	 * How long to wait before repeating after this failure (the `failures`-th in a row), or undefined when the
	 * action must not be repeated: the failure is fatal, or repeating it is not safe.
	 */
	next(error: unknown, failures: number): number | undefined;
	/** Waits; default a timer (tests and pacers bring their own clock). */
	wait?: (ms: number) => Promise<void>;
}

/** Runs `action` until it succeeds or `next` says stop; then throws the last error. */
export async function retrying<T>(
	action: (attempt: number) => Promise<T>,
	o: RetryOptions,
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await action(attempt);
		} catch (error) {
			const delay = o.next(error, attempt);
			if (delay === undefined) throw error;
			await (o.wait ?? sleep)(delay);
		}
	}
}
