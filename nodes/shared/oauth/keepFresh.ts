// Keeps a long-running trigger's access token fresh: refreshed ahead of expiry, so a reconnect never waits on
// the provider, and a consent revoked in the meantime is reported when it happens rather than at the next
// reconnect. No n8n imports.
import type { AccessTokenSource } from './tokenSource';

export interface KeepFreshOptions {
	/** A refresh failed; called once per failure streak, not on every retry. */
	onError(error: unknown): void;
	/** A refresh succeeded after a failure streak. */
	onRecovered?(): void;
	/** Retry after a failure, doubled up to 15 minutes. */
	retryMs?: number;
}

const MIN_WAIT_MS = 1000;
// another process (a worker, an n8n restart) may refresh the token: look again at least this often
const MAX_WAIT_MS = 60 * 60_000;
const MAX_RETRY_MS = 15 * 60_000;

/** Starts the loop; returns the function that stops it. */
export function keepTokenFresh(source: AccessTokenSource, options: KeepFreshOptions): () => void {
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;
	let failures = 0;

	const schedule = (ms: number) => {
		if (stopped) return;
		timer = setTimeout(() => void tick(), Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, ms)));
		timer.unref?.();
	};

	const tick = async () => {
		try {
			// token() refreshes only when the stored token is due, so a token another process renewed is kept
			await source.token();
			if (failures > 0) options.onRecovered?.();
			failures = 0;
			schedule(await source.msUntilRefresh());
		} catch (error) {
			if (stopped) return;
			if (failures === 0) options.onError(error);
			failures++;
			schedule(Math.min(MAX_RETRY_MS, (options.retryMs ?? 60_000) * 2 ** (failures - 1)));
		}
	};

	void source.msUntilRefresh().then(schedule, () => schedule(0));
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
