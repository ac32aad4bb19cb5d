// Where the trigger remembers which token + event it has already seen.
//   Single n8n process (regular mode): in memory (memory.ts); every webhook is served by this process.
//   Queue mode (EXECUTIONS_MODE=queue): webhooks are served by several webhook processors and main, so the
//   state lives in n8n's own Redis, reached with the settings n8n uses (QUEUE_BULL_REDIS_*), one key per
//   token + event, `SET key 1 NX PX <window>`: the first processor to set it wins, Redis expires it.
//   Redis unreachable: each process falls back to its memory (a warning is logged, at most once a minute),
//   so a repeat may start one execution per process; the hit itself never fails.
// n8n's workflow static data is no fit: it belongs to one workflow, is saved only when an execution ends
// (a webhook that starts none saves nothing), and webhook processors would overwrite each other's copy.
import { readFileSync } from 'node:fs';
import { MemoryReplayStore, type ReplayStore } from './memory';
import { RespClient, type RedisSettings } from './resp';

export type { ReplayStore } from './memory';
export { MemoryReplayStore } from './memory';

export const REPLAY_KEY_PREFIX = 'crm-mail:tracking-replay:';
/** After a failure, Redis is left alone this long (hits use memory) instead of timing out on every hit. */
const RETRY_AFTER_MS = 5_000;
const WARN_EVERY_MS = 60_000;

export class RedisReplayStore implements ReplayStore {
	private readonly client: RespClient;

	constructor(settings: RedisSettings) {
		this.client = new RespClient(settings);
	}

	async claim(key: string, windowMs: number): Promise<boolean> {
		const reply = await this.client.command([
			'SET',
			REPLAY_KEY_PREFIX + key,
			'1',
			'NX',
			'PX',
			String(Math.max(1, Math.round(windowMs))),
		]);
		if (reply === 'OK') return true;
		if (reply === null) return false;
		throw new Error(`Unexpected Redis reply to SET NX: ${JSON.stringify(reply)}`);
	}

	close(): void {
		this.client.close();
	}
}

/** Redis first; its failure is logged and the hit decided by this process's memory. Never throws. */
export class FallbackReplayStore implements ReplayStore {
	private downUntil = 0;
	private warnedAt = -Infinity;

	constructor(
		private readonly primary: ReplayStore,
		private readonly memory: MemoryReplayStore,
		private readonly warn: (message: string) => void,
		private readonly clock: () => number = Date.now,
	) {}

	async claim(key: string, windowMs: number): Promise<boolean> {
		if (this.clock() >= this.downUntil) {
			try {
				const first = await this.primary.claim(key, windowMs);
				// remembered here too, so an outage right after does not count it again in this process
				this.memory.claimNow(key, windowMs);
				return first;
			} catch (error) {
				this.downUntil = this.clock() + RETRY_AFTER_MS;
				if (this.clock() - this.warnedAt >= WARN_EVERY_MS) {
					this.warnedAt = this.clock();
					this.warn(
						`Email Tracking Trigger: Redis is not reachable for the replay check (${(error as Error).message}); repeated opens and clicks are checked per process until it is back`,
					);
				}
			}
		}
		return this.memory.claimNow(key, windowMs);
	}
}

const envFlag = (value: string | undefined) => value === 'true' || value === '1';

/** n8n's env value or the content of the file named by `<NAME>_FILE` (n8n reads both). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
	if (env[name] !== undefined) return env[name];
	const file = env[`${name}_FILE`];
	if (!file) return undefined;
	try {
		return readFileSync(file, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** The Redis n8n's queue uses, from the same environment variables; undefined outside queue mode. */
export function queueRedisSettings(
	env: NodeJS.ProcessEnv = process.env,
): RedisSettings | undefined {
	if (env.EXECUTIONS_MODE !== 'queue') return undefined;
	return {
		host: envValue(env, 'QUEUE_BULL_REDIS_HOST') || 'localhost',
		port: Number(envValue(env, 'QUEUE_BULL_REDIS_PORT')) || 6379,
		username: envValue(env, 'QUEUE_BULL_REDIS_USERNAME') || undefined,
		password: envValue(env, 'QUEUE_BULL_REDIS_PASSWORD') || undefined,
		db: Number(envValue(env, 'QUEUE_BULL_REDIS_DB')) || 0,
		tls: envFlag(envValue(env, 'QUEUE_BULL_REDIS_TLS')),
		timeoutMs: 1000,
	};
}

/** The store for this process: memory, or (queue mode) Redis with memory as the fallback. */
export function replayStoreFor(
	env: NodeJS.ProcessEnv,
	warn: (message: string) => void,
	maxEntries?: number,
): ReplayStore {
	const memory = new MemoryReplayStore(maxEntries);
	const redis = queueRedisSettings(env);
	if (!redis) return memory;
	if (env.QUEUE_BULL_REDIS_CLUSTER_NODES) {
		warn(
			'Email Tracking Trigger: Redis Cluster (QUEUE_BULL_REDIS_CLUSTER_NODES) is not supported for the replay check; repeated opens and clicks are checked per process',
		);
		return memory;
	}
	return new FallbackReplayStore(new RedisReplayStore(redis), memory, warn);
}
