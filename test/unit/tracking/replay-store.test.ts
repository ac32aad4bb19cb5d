// The replay stores without Redis: the in-memory LRU (window, bound under a flood), the fallback when Redis
// is unreachable, the gate in front of executions, and the Redis settings read from n8n's environment.
import * as net from 'node:net';
import { admitEvent } from '../../../nodes/EmailTrackingTrigger/replayGate';
import type { HandlerResult } from '../../../nodes/EmailTrackingTrigger/handler';
import {
	FallbackReplayStore,
	MemoryReplayStore,
	queueRedisSettings,
	RedisReplayStore,
	replayStoreFor,
	type ReplayStore,
} from '../../../nodes/shared/tracking/replay/store';

const HOUR = 3600_000;

describe('in-memory replay store', () => {
	it('lets the first hit of a key through, refuses repeats within the window, and lets one through after it', async () => {
		let now = 1_000_000;
		const store = new MemoryReplayStore(100, () => now);
		expect(await store.claim('open:a', HOUR)).toBe(true);
		now += HOUR - 1;
		expect(await store.claim('open:a', HOUR)).toBe(false);
		expect(await store.claim('click:a', HOUR)).toBe(true); // another event of the same token
		now += 1;
		expect(await store.claim('open:a', HOUR)).toBe(true); // the window is counted from the first hit
		expect(await store.claim('open:a', HOUR)).toBe(false);
	});

	it('10,000 hits on one token: one first hit, one entry', async () => {
		const store = new MemoryReplayStore(1000);
		let first = 0;
		for (let i = 0; i < 10_000; i++) if (await store.claim('open:flood', HOUR)) first++;
		expect([first, store.size]).toEqual([1, 1]);
	});

	it('10,000 different tokens never hold more than the fixed maximum of entries', async () => {
		const store = new MemoryReplayStore(1000);
		let largest = 0;
		for (let i = 0; i < 10_000; i++) {
			expect(await store.claim(`open:${i}`, HOUR)).toBe(true);
			largest = Math.max(largest, store.size);
		}
		expect(largest).toBe(1000);
		// the newest are still remembered, the oldest were dropped to keep the bound
		expect(await store.claim('open:9999', HOUR)).toBe(false);
		expect(await store.claim('open:0', HOUR)).toBe(true);
	});

	it('drops expired entries as it goes', async () => {
		let now = 0;
		const store = new MemoryReplayStore(1000, () => now);
		for (let i = 0; i < 500; i++) await store.claim(`k${i}`, 1000);
		now = 5000;
		await store.claim('fresh', 1000);
		expect(store.size).toBe(1);
	});
});

/** A port that refuses connections (a server opened and closed). */
async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((r) => server.close(r));
	return port;
}

describe('Redis unreachable', () => {
	it('falls back to memory: never throws, decides repeats per process, warns once', async () => {
		const warnings: string[] = [];
		const store = new FallbackReplayStore(
			new RedisReplayStore({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 500 }),
			new MemoryReplayStore(100),
			(m) => warnings.push(m),
		);
		const answers = [];
		for (let i = 0; i < 5; i++) answers.push(await store.claim('open:x', HOUR));
		expect(answers).toEqual([true, false, false, false, false]);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/Redis is not reachable/);
	});

	it('an unresponsive Redis (accepts, never answers) times out into the fallback', async () => {
		const silent = net.createServer(() => undefined);
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
		try {
			const warnings: string[] = [];
			const store = new FallbackReplayStore(
				new RedisReplayStore({
					host: '127.0.0.1',
					port: (silent.address() as net.AddressInfo).port,
					timeoutMs: 200,
				}),
				new MemoryReplayStore(100),
				(m) => warnings.push(m),
			);
			expect(await store.claim('open:y', HOUR)).toBe(true);
			expect(await store.claim('open:y', HOUR)).toBe(false);
			expect(warnings[0]).toMatch(/did not answer/);
		} finally {
			silent.close();
		}
	});
});

describe('replay gate', () => {
	const result = (key = 'open:k'): HandlerResult => ({
		response: { status: 200, headers: {}, body: '' },
		event: { type: 'opened' } as HandlerResult['event'],
		replayKey: key,
	});
	it('keeps the first event, drops repeats (same answer), keeps every one with "every hit"', async () => {
		const store = new MemoryReplayStore(10);
		const policy = { mode: 'firstPerWindow' as const, windowMs: HOUR };
		expect((await admitEvent(result(), store, policy)).event).toBeDefined();
		const repeat = await admitEvent(result(), store, policy);
		expect(repeat.event).toBeUndefined();
		expect(repeat.response).toEqual(result().response);
		expect(repeat.rejected).toMatch(/repeat/);
		for (let i = 0; i < 3; i++)
			expect(
				(await admitEvent(result(), store, { mode: 'everyHit', windowMs: HOUR })).event,
			).toBeDefined();
	});

	it('a result without an event never touches the store', async () => {
		const touched: string[] = [];
		const store: ReplayStore = {
			claim: async (key) => (touched.push(key), true),
		};
		await admitEvent({ response: result().response, rejected: 'bad-signature' }, store, {
			mode: 'firstPerWindow',
			windowMs: HOUR,
		});
		expect(touched).toEqual([]);
	});
});

describe("n8n's Redis settings", () => {
	it('are read from the QUEUE_BULL_REDIS_* variables in queue mode only', () => {
		expect(queueRedisSettings({})).toBeUndefined();
		expect(
			queueRedisSettings({ EXECUTIONS_MODE: 'regular', QUEUE_BULL_REDIS_HOST: 'r' }),
		).toBeUndefined();
		expect(queueRedisSettings({ EXECUTIONS_MODE: 'queue' })).toMatchObject({
			host: 'localhost',
			port: 6379,
			db: 0,
			tls: false,
		});
		expect(
			queueRedisSettings({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis.internal',
				QUEUE_BULL_REDIS_PORT: '6380',
				QUEUE_BULL_REDIS_USERNAME: 'n8n',
				QUEUE_BULL_REDIS_PASSWORD: 'pw',
				QUEUE_BULL_REDIS_DB: '2',
				QUEUE_BULL_REDIS_TLS: 'true',
			}),
		).toMatchObject({
			host: 'redis.internal',
			port: 6380,
			username: 'n8n',
			password: 'pw',
			db: 2,
			tls: true,
		});
	});

	it('regular mode gets memory; Redis Cluster gets memory and a warning', () => {
		const warnings: string[] = [];
		expect(replayStoreFor({}, (m) => warnings.push(m))).toBeInstanceOf(MemoryReplayStore);
		expect(
			replayStoreFor(
				{ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:6379,b:6379' },
				(m) => warnings.push(m),
			),
		).toBeInstanceOf(MemoryReplayStore);
		expect(warnings).toEqual([expect.stringMatching(/Cluster/)]);
		expect(replayStoreFor({ EXECUTIONS_MODE: 'queue' }, () => undefined)).toBeInstanceOf(
			FallbackReplayStore,
		);
	});
});
