import { ImapFlow } from 'imapflow';
import {
	appendMessage,
	buildMessage,
	deliverLmtp,
	dovecotLib,
	imapConfig,
	imapFlowOptions,
	newUser,
	openImap,
	sharedDovecot,
	startDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';

/** Rejects (instead of hanging until the jest timeout) when p does not settle within ms. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>(
		(_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
	);
	return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function messageCount(
	dv: DovecotHandle,
	user: { user: string; pass: string },
	folder = 'INBOX',
) {
	const client = await openImap(dv, user);
	try {
		const st = await client.status(folder, { messages: true, uidValidity: true });
		if (!st) throw new Error('no STATUS');
		return { messages: st.messages, uidValidity: st.uidValidity };
	} finally {
		await client.logout();
	}
}

async function subjects(dv: DovecotHandle, user: { user: string; pass: string }, folder = 'INBOX') {
	const client = await openImap(dv, user);
	try {
		await client.mailboxOpen(folder);
		const out: string[] = [];
		for await (const m of client.fetch('1:*', { envelope: true }))
			out.push(m.envelope?.subject ?? '');
		return out;
	} finally {
		await client.logout();
	}
}

describe('shared Dovecot', () => {
	let dv: DovecotHandle;
	beforeAll(async () => {
		dv = await sharedDovecot();
	});

	it('is the one the global setup started (env), and refuses to be stopped by a test', async () => {
		expect(dv.imapPort).toBe(Number(process.env.DOVECOT_IMAP_PORT));
		expect(dv.isRunning()).toBe(true);
		await expect(dv.stop()).rejects.toThrow(/startDovecot\(\)/);
	});

	it('logs in over plain IMAP without TLS', async () => {
		const client = await openImap(dv, newUser('plain'), { tls: 'none' });
		expect(client.secureConnection).toBe(false);
		expect(client.authenticated).toBeTruthy();
		await client.logout();
	});

	it('upgrades with STARTTLS when the self-signed certificate is explicitly allowed', async () => {
		const client = await openImap(dv, newUser('starttls'), { tls: 'starttls' });
		expect(client.secureConnection).toBe(true);
		await client.logout();
	});

	it('rejects the self-signed certificate with verification on (STARTTLS and IMAPS)', async () => {
		for (const tls of ['starttls', 'tls'] as const) {
			const client = new ImapFlow(
				imapFlowOptions(imapConfig(dv, newUser('verify'), { tls, allowSelfSigned: false })),
			);
			client.on('error', () => undefined);
			await expect(client.connect()).rejects.toThrow(/self[- ]signed/i);
		}
	});

	it('logs in over IMAPS, accepting the certificate when allowed or when trusted as CA (certPem)', async () => {
		const allowed = await openImap(dv, newUser('imaps'), { tls: 'tls' });
		expect(allowed.secureConnection).toBe(true);
		await allowed.logout();
		expect(dv.certPem).toMatch(/BEGIN CERTIFICATE/);
		const verified = await openImap(dv, newUser('imaps-ca'), {
			tls: 'tls',
			allowSelfSigned: false,
			ca: dv.certPem,
		});
		expect(verified.secureConnection).toBe(true);
		await verified.logout();
	});

	it('has the special-use folders', async () => {
		const client = await openImap(dv, newUser('folders'));
		const list = await client.list();
		await client.logout();
		const uses = Object.fromEntries(
			list.filter((f) => f.specialUse).map((f) => [f.specialUse, f.path]),
		);
		expect(uses).toEqual({
			'\\Inbox': 'INBOX',
			'\\Drafts': 'Drafts',
			'\\Sent': 'Sent',
			'\\Trash': 'Trash',
			'\\Archive': 'Archive',
			'\\Junk': 'Junk',
		});
	});

	it('delivers over LMTP into INBOX, seen by an IDLE session as `exists`', async () => {
		const user = newUser('lmtp');
		const client = await openImap(dv, user);
		await client.mailboxOpen('INBOX');
		const exists = new Promise<number>((resolve) =>
			client.on('exists', (e: { count: number }) => resolve(e.count)),
		);
		void client.idle(); // now, not after imapflow's 15 s auto-IDLE delay
		await deliverLmtp(dv, user.user, await buildMessage({ to: user.user, subject: 'Via LMTP' }));
		await expect(within(exists, 10000, 'IDLE exists')).resolves.toBe(1);
		const msg = await client.fetchOne('1', { source: true, envelope: true });
		await client.logout();
		expect(msg && msg.envelope?.subject).toBe('Via LMTP');
		expect(msg && msg.source?.toString()).toMatch(new RegExp(`^Delivered-To: ${user.user}`, 'mi'));
	});

	it('appendMessage stores with flags and returns the UID', async () => {
		const user = newUser('append');
		const first = await appendMessage(dv, user, 'Sent', await buildMessage({ subject: 'one' }), [
			'\\Seen',
		]);
		const second = await appendMessage(dv, user, 'Sent', await buildMessage({ subject: 'two' }));
		expect(second.uid).toBe(first.uid + 1);
		const client = await openImap(dv, user);
		await client.mailboxOpen('Sent');
		const flags: Record<number, string[]> = {};
		for await (const m of client.fetch('1:*', { uid: true, flags: true }))
			flags[m.uid] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent');
		await client.logout();
		expect(flags).toEqual({ [first.uid]: ['\\Seen'], [second.uid]: [] });
	});

	it('keeps two users isolated', async () => {
		const a = newUser('iso-a');
		const b = newUser('iso-b');
		await appendMessage(dv, a, 'INBOX', await buildMessage({ subject: 'for a' }));
		await deliverLmtp(dv, a.user, await buildMessage({ subject: 'lmtp for a' }));
		expect((await messageCount(dv, a)).messages).toBe(2);
		expect((await messageCount(dv, b)).messages).toBe(0);
	});

	it('setUidValidity changes what a new session sees; doveadm reads the same mailbox', async () => {
		const user = newUser('uidv');
		await appendMessage(dv, user, 'INBOX', await buildMessage());
		const before = (await messageCount(dv, user)).uidValidity;
		const next = Number(before) + 1000;
		dv.setUidValidity(user.user, 'INBOX', next);
		expect((await messageCount(dv, user)).uidValidity).toBe(BigInt(next));
		expect(
			dv.doveadm('mailbox', 'status', '-u', user.user, 'messages uidvalidity', 'INBOX'),
		).toMatch(new RegExp(`messages=1 uidvalidity=${next}`));
	});
});

describe('own Dovecot (named users, kill / restart)', () => {
	let dv: DovecotHandle;
	const alice = { user: 'alice@example.com', pass: 'alice-secret' };
	const carol = { user: 'carol@test.local', pass: 'carol-secret' };
	beforeAll(async () => {
		dv = await startDovecot({ users: [alice, carol] });
	});
	afterAll(async () => {
		await dv?.stop();
	});

	it("checks named users' passwords for real, even inside test.local", async () => {
		const ok = await openImap(dv, alice);
		await ok.logout();
		for (const wrong of [
			{ ...alice, pass: 'nope' },
			{ ...alice, pass: 'pass' },
			{ ...carol, pass: 'pass' },
		]) {
			await expect(openImap(dv, wrong)).rejects.toMatchObject({ authenticationFailed: true });
		}
		const c = await openImap(dv, carol);
		await c.logout();
		await expect(openImap(dv, { user: 'mallory@example.com', pass: 'pass' })).rejects.toMatchObject(
			{ authenticationFailed: true },
		);
	});

	it('stop() closes logged-in sessions too (whole process group) and waits for the exit', async () => {
		const user = newUser('stop');
		const client = await openImap(dv, user);
		await client.mailboxOpen('INBOX');
		const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
		await dv.stop();
		expect(dv.isRunning()).toBe(false);
		await within(closed, 5000, 'the logged-in session closes');
		await expect(openImap(dv, user)).rejects.toThrow();
		await dv.restart();
		expect(dv.isRunning()).toBe(true);
	});

	it('kill + restart keeps the mail and UIDVALIDITY', async () => {
		const user = newUser('crash');
		const { uid, uidValidity } = await appendMessage(
			dv,
			user,
			'INBOX',
			await buildMessage({ subject: 'survives' }),
		);
		const pid = dv.pid;
		await dv.kill();
		expect(dv.isRunning()).toBe(false);
		await expect(openImap(dv, user)).rejects.toThrow();
		await dv.restart();
		expect(dv.pid).not.toBe(pid);
		expect(await messageCount(dv, user)).toEqual({ messages: 1, uidValidity });
		expect(await subjects(dv, user)).toEqual(['survives']);
		const next = await appendMessage(dv, user, 'INBOX', await buildMessage());
		expect(next.uid).toBe(uid + 1);
	});
});

describe('ensureDovecotInstalled', () => {
	it('finds the installed Dovecot, and throws one clear Error with the install command when it is missing', () => {
		expect(dovecotLib.ensureDovecotInstalled({ allowInstall: false }).dovecot).toMatch(
			/\/dovecot$/,
		);
		expect(dovecotLib.findDovecot({ searchPath: '/nonexistent' })).toBeNull();
		expect(() =>
			dovecotLib.ensureDovecotInstalled({ allowInstall: false, searchPath: '/nonexistent' }),
		).toThrow('sudo apt-get install dovecot-imapd dovecot-lmtpd');
	});
});
