// Replay state in queue mode lives in n8n's Redis (a private redis-server here): two replay stores on one
// Redis agree and their keys expire; AUTH (with an ACL user) and SELECT work; two Email Tracking Trigger
// instances loaded as separate module copies (= two webhook processors, each with its own memory) in
// EXECUTIONS_MODE=queue start one execution between them for a repeated open; with Redis gone each falls
// back to its memory, logs a warning, and still serves every hit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IConnections, INodeType } from 'n8n-workflow';
import { RedisReplayStore, REPLAY_KEY_PREFIX } from '../../../nodes/shared/tracking/replay/store';
import { RespClient } from '../../../nodes/shared/tracking/replay/resp';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import { WebhookServer } from '../../harness/webhook-server';
import { TestNodeTypes } from '../../harness/workflow';

const { startRedis } = require('../../../scripts/lib/redis');

const SECRET = randomBytes(24).toString('hex');
const HOUR = 3600_000;
let redis: { host: string; port: number; stop(): Promise<void> };
let dir: string;
const env = { ...process.env };

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-replay-redis-'));
	redis = await startRedis({ dir });
});
afterAll(async () => {
	process.env = env;
	await redis?.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('Redis replay store', () => {
	it('two stores (two processes) on one Redis agree on the first hit of a key', async () => {
		const a = new RedisReplayStore({ host: redis.host, port: redis.port });
		const b = new RedisReplayStore({ host: redis.host, port: redis.port });
		try {
			const answers = await Promise.all(
				Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claim('open:shared', HOUR)),
			);
			expect(answers.filter(Boolean)).toHaveLength(1);
			expect(await b.claim('click:shared', HOUR)).toBe(true);
			expect(await a.claim('click:shared', HOUR)).toBe(false);
		} finally {
			a.close();
			b.close();
		}
	});

	it('keys carry the window as their expiry and are gone after it', async () => {
		const store = new RedisReplayStore({ host: redis.host, port: redis.port });
		const raw = new RespClient({ host: redis.host, port: redis.port });
		try {
			expect(await store.claim('open:ttl', HOUR)).toBe(true);
			const ttl = Number(await raw.command(['PTTL', `${REPLAY_KEY_PREFIX}open:ttl`]));
			expect(ttl).toBeGreaterThan(HOUR - 60_000);
			expect(ttl).toBeLessThanOrEqual(HOUR);
			expect(await store.claim('open:short', 150)).toBe(true);
			expect(await store.claim('open:short', 150)).toBe(false);
			let again = false;
			for (let i = 0; i < 100 && !again; i++) {
				await new Promise((r) => setTimeout(r, 50));
				again = await store.claim('open:short', 150);
			}
			expect(again).toBe(true);
		} finally {
			store.close();
			raw.close();
		}
	});

	it('authenticates (password, ACL user) and selects the database n8n is configured with', async () => {
		const admin = new RespClient({ host: redis.host, port: redis.port });
		const user = `u${randomBytes(4).toString('hex')}`;
		const password = randomBytes(12).toString('hex');
		try {
			expect(
				await admin.command(['ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all']),
			).toBe('OK');
			const store = new RedisReplayStore({
				host: redis.host,
				port: redis.port,
				username: user,
				password,
				db: 3,
			});
			expect(await store.claim('open:acl', HOUR)).toBe(true);
			store.close();
			await admin.command(['SELECT', '3']);
			expect(await admin.command(['EXISTS', `${REPLAY_KEY_PREFIX}open:acl`])).toBe(1);
			const wrong = new RedisReplayStore({
				host: redis.host,
				port: redis.port,
				username: user,
				password: 'wrong',
			});
			await expect(wrong.claim('open:wrong', HOUR)).rejects.toThrow(/WRONGPASS|invalid/i);
			wrong.close();
		} finally {
			admin.close();
		}
	});
});

/** A copy of the trigger with module state of its own, as in another n8n process. */
function isolatedTrigger(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		const {
			EmailTrackingTrigger,
		} = require('../../../nodes/EmailTrackingTrigger/EmailTrackingTrigger.node');
		node = new EmailTrackingTrigger();
	});
	return node!;
}

function processor(node: INodeType): WebhookServer {
	return new WebhookServer(
		{
			nodes: [
				{
					id: 'a1b2c3d4-0000-4000-8000-000000000001',
					name: 'Email Tracking Trigger',
					type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: 'b6a3c1f0-1111-4222-8333-444455556666',
					parameters: { path: 'email-tracking' },
					credentials: { emailTracking: { id: 'x', name: 'x' } },
				},
			],
			connections: {} as IConnections,
		},
		{
			credentials: { emailTracking: { secret: SECRET, baseUrl: 'placeholder' } },
			nodeTypes: new TestNodeTypes({ 'n8n-nodes-crm-mail.emailTrackingTrigger': node }),
		},
	);
}

const openUrl = (base: string) =>
	new Tracker({
		secret: SECRET,
		baseUrl: `${base}/webhook/email-tracking`,
		trackingId: randomBytes(6).toString('hex'),
		messageId: '<q@example.com>',
		recipient: 'ann@example.com',
		sentAt: Date.now() - HOUR,
	}).openUrl();
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('two webhook processors in queue mode', () => {
	it('share the replay state through Redis: a pixel hit 10 times on each starts one execution', async () => {
		process.env = {
			...env,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
		};
		const [p1, p2] = [processor(isolatedTrigger()), processor(isolatedTrigger())];
		await p1.start();
		await p2.start();
		try {
			const url = openUrl(p1.baseUrl);
			const other = url.replace(p1.baseUrl, p2.baseUrl);
			for (let i = 0; i < 10; i++) {
				expect((await fetch(url)).status).toBe(200);
				expect((await fetch(other)).status).toBe(200);
			}
			await settle();
			expect(p1.runs().length + p2.runs().length).toBe(1);
		} finally {
			await p1.stop();
			await p2.stop();
		}
	});

	it('with Redis unreachable each falls back to its own memory, warns, and serves every hit', async () => {
		const dead = await new Promise<number>((resolve) => {
			const s = require('node:net').createServer();
			s.listen(0, '127.0.0.1', () => {
				const { port } = s.address();
				s.close(() => resolve(port));
			});
		});
		process.env = {
			...env,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(dead),
		};
		// n8n's Logger, as the node's this.logger returns it
		const warn = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
		const [p1, p2] = [processor(isolatedTrigger()), processor(isolatedTrigger())];
		await p1.start();
		await p2.start();
		try {
			const url = openUrl(p1.baseUrl);
			for (let i = 0; i < 5; i++) {
				expect((await fetch(url)).headers.get('content-type')).toBe('image/gif');
				expect((await fetch(url.replace(p1.baseUrl, p2.baseUrl))).headers.get('content-type')).toBe(
					'image/gif',
				);
			}
			await settle();
			// one first hit per process, no more
			expect([p1.runs().length, p2.runs().length]).toEqual([1, 1]);
			const warnings = warn.mock.calls.map((c) => String(c[0]));
			expect(warnings.filter((w) => /Redis is not reachable/.test(w))).toHaveLength(2); // once per process
			expect(warnings.join('\n')).not.toContain(SECRET);
		} finally {
			warn.mockRestore();
			await p1.stop();
			await p2.stop();
		}
	});
});
