// Session faults: a server that stays down (give up -> one fatal error), a hung server (close returns
// anyway), a graceful restart (one connection at a time, catch-up after reconnect).
import { appendMessage, newUser, startDovecot, type DovecotHandle } from '../../harness/dovecot';
import { rawMessage, startEngine } from './helpers';

jest.setTimeout(120000);

describe('IMAP sync session under faults', () => {
	let dv: DovecotHandle;
	beforeEach(async () => {
		dv = await startDovecot();
	});
	afterEach(async () => {
		try {
			process.kill(-dv.pid, 'SIGCONT');
		} catch {
			// not stopped
		}
		await dv.stop();
	});

	it('reports one fatal error after the configured reconnect attempts fail, and stops trying', async () => {
		const { user } = newUser('giveup');
		const h = await startEngine(dv, user, {
			session: { maxAttempts: 3, backoff: { baseMs: 20, maxMs: 100, jitter: 0 } },
		});
		await dv.kill();
		await h.waitFor(() => h.fatal.length > 0, 60000, 'the fatal error');
		const connectsAtFatal = h.session.stats.connects;
		await dv.restart();
		await new Promise((r) => setTimeout(r, 500));
		expect(h.fatal).toHaveLength(1);
		expect(h.session.stats.connects).toBe(connectsAtFatal); // gave up: no more attempts
		await h.session.close();
	});

	it('closes within a few seconds even when the server hangs', async () => {
		const { user } = newUser('hung');
		const h = await startEngine(dv, user, { session: { closeTimeoutMs: 1000 } });
		process.kill(-dv.pid, 'SIGSTOP');
		const started = Date.now();
		let closed = false;
		await Promise.race([
			h.session.close().then(() => (closed = true)),
			new Promise((r) => setTimeout(r, 10000)),
		]);
		expect(closed).toBe(true);
		expect(Date.now() - started).toBeLessThan(10000);
	});

	it('catches up after a graceful restart on a new connection, with never two open at once', async () => {
		const { user } = newUser('restart');
		const h = await startEngine(dv, user);
		await dv.restart('SIGTERM');
		await appendMessage(dv, user, 'INBOX', rawMessage('after-restart@r'));
		await h.waitFor(() => h.messages().length >= 1, 30000, 'the mail appended after the restart');
		expect(h.messages().map((m) => m.messageId)).toEqual(['<after-restart@r>']);
		// Dovecot's own view: exactly one IMAP session of this user
		const who = dv.doveadm('who', user);
		expect(
			who
				.split('\n')
				.filter((l) => l.includes(user))
				.map((l) => l.trim().split(/\s+/)[1]),
		).toEqual(['1']);
		await h.session.close();
	});
});
