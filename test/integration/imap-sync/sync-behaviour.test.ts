// The sync engine against the shared Dovecot: first-sync windows, IDLE delivery, UIDVALIDITY change,
// per-folder load modes and after-emit actions, ignore rules and change events.
import {
	appendMessage,
	deliverLmtp,
	newUser,
	openImap,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { folder, messageIdsIn, rawMessage, startEngine, type Harness } from './helpers';

const DAY = 86400000;
let dv: DovecotHandle;
const running: Harness[] = [];
beforeAll(async () => {
	dv = await sharedDovecot();
});
afterEach(async () => {
	await Promise.all(running.splice(0).map((h) => h.session.close()));
});
async function engine(...args: Parameters<typeof startEngine>) {
	const h = await startEngine(...args);
	running.push(h);
	return h;
}
const ids = (h: Harness) => h.messages().map((m) => m.messageId);

async function flagsOf(
	user: string,
	path: string,
): Promise<Array<{ messageId: string; flags: string[] }>> {
	const c = await openImap(dv, user);
	try {
		const lock = await c.getMailboxLock(path);
		try {
			const out = [];
			for await (const m of c.fetch('1:*', { envelope: true, flags: true }))
				out.push({ messageId: m.envelope!.messageId!, flags: [...m.flags!] });
			return out;
		} catch {
			return [];
		} finally {
			lock.release();
		}
	} finally {
		await c.logout();
	}
}

describe('first-sync window', () => {
	it('"only new" emits nothing old, then what arrives (pushed by IDLE)', async () => {
		const { user } = newUser('win-new');
		await appendMessage(dv, user, 'INBOX', rawMessage('old@w'));
		const h = await engine(dv, user, { options: { firstSync: { mode: 'new' } } });
		await deliverLmtp(dv, user, rawMessage('pushed@w'));
		await h.waitFor(() => h.messages().length >= 1, 20000, 'the delivered mail');
		expect(ids(h)).toEqual(['<pushed@w>']);
	});

	it('poll-only mode finds new mail on its interval (no IDLE push)', async () => {
		const { user } = newUser('win-poll');
		const h = await engine(dv, user, {
			options: { firstSync: { mode: 'new' } },
			session: { mode: 'poll', pollIntervalMs: 1000 },
		});
		await deliverLmtp(dv, user, rawMessage('polled@w'));
		await h.waitFor(() => h.messages().length >= 1, 20000, 'the polled mail');
		expect(ids(h)).toEqual(['<polled@w>']);
	});

	it('"last N days" and "since a date" emit by the date the server received the mail', async () => {
		const { user } = newUser('win-days');
		await appendMessage(
			dv,
			user,
			'INBOX',
			rawMessage('ancient@w'),
			[],
			new Date(Date.now() - 90 * DAY),
		);
		await appendMessage(
			dv,
			user,
			'INBOX',
			rawMessage('recent@w'),
			[],
			new Date(Date.now() - 3 * DAY),
		);
		await appendMessage(dv, user, 'INBOX', rawMessage('today@w'));
		const days = await engine(dv, user, { options: { firstSync: { mode: 'days', days: 30 } } });
		await days.waitFor(() => days.messages().length >= 2, 20000);
		expect(ids(days).sort()).toEqual(['<recent@w>', '<today@w>']);

		const since = await engine(dv, user, {
			options: { firstSync: { mode: 'since', since: new Date(Date.now() - 120 * DAY) } },
		});
		await since.waitFor(() => since.messages().length >= 3, 20000);
		expect(ids(since).sort()).toEqual(['<ancient@w>', '<recent@w>', '<today@w>']);
	});
});

describe('UIDVALIDITY change', () => {
	it('re-baselines without replaying the folder, says so in one item, and emits only unseen messages', async () => {
		const { user } = newUser('uidv');
		for (const id of ['a@u', 'b@u']) await appendMessage(dv, user, 'INBOX', rawMessage(id));
		const h = await engine(dv, user, { options: { firstSync: { mode: 'days', days: 30 } } });
		await h.waitFor(() => h.messages().length >= 2, 20000);
		await h.session.close();
		const before = h.saved.get('INBOX')!.uidValidity;

		dv.setUidValidity(user, 'INBOX', 4242);
		await appendMessage(dv, user, 'INBOX', rawMessage('c@u')); // arrived while the trigger was off
		const again = await engine(dv, user, {
			state: h.saved,
			options: { firstSync: { mode: 'days', days: 30 } },
		});
		await again.waitFor(() => again.messages().length >= 1, 20000);
		await deliverLmtp(dv, user, rawMessage('d@u'));
		await again.waitFor(() => again.messages().length >= 2, 20000);
		expect(again.events()).toEqual([
			expect.objectContaining({
				event: 'uidValidityChanged',
				previousUidValidity: before,
				uidValidity: '4242',
				newMessages: 1,
			}),
		]);
		expect(ids(again)).toEqual(['<c@u>', '<d@u>']);
		expect(again.saved.get('INBOX')!.uidValidity).toBe('4242');
	});
});

describe('per-folder load modes and after-emit actions', () => {
	const withAttachment = (id: string) =>
		[
			'From: a@example.org',
			'To: b@test.local',
			`Message-ID: <${id}>`,
			'Subject: With file',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="b"',
			'',
			'--b',
			'Content-Type: text/plain',
			'',
			'See file.',
			'--b',
			'Content-Type: text/csv; name="leads.csv"',
			'Content-Disposition: attachment; filename="leads.csv"',
			'',
			'name,email',
			'--b--',
			'',
		].join('\r\n');

	it('loads full / without attachments / headers only, and marks seen / moves / deletes after emitting', async () => {
		const { user } = newUser('modes');
		const c = await openImap(dv, user);
		for (const f of ['Full', 'NoAtt', 'Heads']) await c.mailboxCreate(f);
		await c.logout();
		for (const [f, id] of [
			['Full', 'full@m'],
			['NoAtt', 'noatt@m'],
			['Heads', 'heads@m'],
		])
			await appendMessage(dv, user, f, withAttachment(id));
		const h = await engine(dv, user, {
			options: { firstSync: { mode: 'days', days: 30 } },
			folders: [
				folder('Full', { load: 'full', afterAction: 'markSeen' }),
				folder('NoAtt', { load: 'noAttachments', afterAction: 'move', moveTo: 'Archive' }),
				folder('Heads', { load: 'headers', afterAction: 'delete', direction: 'outgoing' }),
			],
		});
		await h.waitFor(() => h.messages().length >= 3, 20000);
		const byId = new Map(
			h.records.filter((r) => r.kind === 'message').map((r) => [r.item.json.messageId, r.item]),
		);
		const full = byId.get('<full@m>')!;
		expect(full.json).toMatchObject({
			folder: 'Full',
			text: 'See file.',
			attachments: [{ name: 'leads.csv', type: 'text/csv' }],
		});
		expect(full.attachments.map((a) => a.content.toString())).toEqual(['name,email']);
		const noAtt = byId.get('<noatt@m>')!;
		expect(noAtt.json).toMatchObject({ text: 'See file.', attachments: [{ name: 'leads.csv' }] });
		expect(noAtt.attachments).toEqual([]);
		const heads = byId.get('<heads@m>')!;
		expect(heads.json).toMatchObject({
			subject: 'With file',
			text: '',
			direction: 'outgoing',
			from: [{ address: 'a@example.org' }],
		});

		await h.waitFor(
			() =>
				h.state.get('Heads')?.pendingAction === undefined &&
				h.state.get('NoAtt')?.pendingAction === undefined,
			10000,
		);
		expect((await flagsOf(user, 'Full'))[0].flags).toContain('\\Seen');
		expect(await messageIdsIn(dv, user, 'NoAtt')).toEqual([]);
		expect(await messageIdsIn(dv, user, 'Archive')).toEqual(['<noatt@m>']);
		expect(await messageIdsIn(dv, user, 'Heads')).toEqual([]);
		// the move does not come back as new mail in the watched folders
		h.session.request();
		await new Promise((r) => setTimeout(r, 500));
		expect(h.messages()).toHaveLength(3);
	});

	it('emits a message over the size limit with its headers only and oversized: true', async () => {
		const { user } = newUser('oversize');
		await appendMessage(dv, user, 'INBOX', rawMessage('big@o', { body: 'x'.repeat(300_000) }));
		await appendMessage(dv, user, 'INBOX', rawMessage('small@o'));
		const h = await engine(dv, user, {
			options: { firstSync: { mode: 'days', days: 30 }, sizeLimitBytes: 100_000 },
		});
		await h.waitFor(() => h.messages().length >= 2, 20000);
		const [big, small] = h.messages();
		expect(big).toMatchObject({
			messageId: '<big@o>',
			oversized: true,
			text: '',
			subject: 'Message big@o',
		});
		expect(big.size as number).toBeGreaterThan(300_000);
		expect(small.oversized).toBeUndefined();
	});
});

describe('ignore rules', () => {
	it('skips blocked senders, auto-replies and (when asked) list mail, and never looks at them again', async () => {
		const { user } = newUser('ignore');
		await appendMessage(
			dv,
			user,
			'INBOX',
			rawMessage('spam@i', { from: 'Spammer <x@spam.example>' }),
		);
		await appendMessage(
			dv,
			user,
			'INBOX',
			rawMessage('ooo@i', { headers: 'Auto-Submitted: auto-replied' }),
		);
		await appendMessage(
			dv,
			user,
			'INBOX',
			rawMessage('list@i', { headers: 'List-Id: <news.example.org>' }),
		);
		await appendMessage(dv, user, 'INBOX', rawMessage('real@i'));
		const h = await engine(dv, user, {
			options: {
				firstSync: { mode: 'days', days: 30 },
				rules: { blockedSenders: ['spam.example'], autoReplies: true, bulkMail: true },
			},
		});
		await h.waitFor(() => (h.state.get('INBOX')?.lastUid ?? 0) >= 4, 20000);
		expect(ids(h)).toEqual(['<real@i>']);
	});
});

describe('change events', () => {
	it('emits flag changes and expunges (CONDSTORE / QRESYNC) as their own items', async () => {
		const { user } = newUser('changes');
		for (const id of ['one@c', 'two@c', 'three@c'])
			await appendMessage(dv, user, 'INBOX', rawMessage(id));
		const h = await engine(dv, user, {
			qresync: true,
			options: { firstSync: { mode: 'days', days: 30 }, changeEvents: true },
		});
		await h.waitFor(() => h.messages().length >= 3, 20000);
		await h.session.close();

		const c = await openImap(dv, user);
		const lock = await c.getMailboxLock('INBOX');
		await c.messageFlagsAdd({ uid: '1' }, ['\\Seen'], { uid: true });
		await c.messageDelete({ uid: '2' }, { uid: true });
		lock.release();
		await c.logout();

		const again = await engine(dv, user, {
			state: h.saved,
			qresync: true,
			options: { firstSync: { mode: 'days', days: 30 }, changeEvents: true },
		});
		await again.waitFor(() => again.events().length >= 2, 20000, 'change events');
		expect(again.events()).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ event: 'flagsChanged', folder: 'INBOX', uid: 1, seen: true }),
				expect.objectContaining({ event: 'expunged', folder: 'INBOX', uid: 2 }),
			]),
		);
		expect(again.messages()).toEqual([]);
	});
});
