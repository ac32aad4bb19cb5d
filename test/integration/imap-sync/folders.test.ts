// Every watched folder on its own: push for each (not only the first), live change events, and problems that
// stay with their folder (a deleted move target, a deleted folder, a message the server will not return, one
// the parser fails on) while the other folders keep syncing. The safety poll is far away in these tests:
// what arrives, arrives by push.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DovecotHandle } from '../../harness/dovecot';
import {
	appendMessage,
	deliverLmtp,
	newUser,
	openImap,
	sharedDovecot,
} from '../../harness/dovecot';
import { parseFetched } from '../../../nodes/shared/imap/message';
import { folder, rawMessage, startEngine, type Harness } from './helpers';

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
const NO_POLL = { pollIntervalMs: 10 * 60000 };

async function onConnection(
	user: string,
	fn: (c: Awaited<ReturnType<typeof openImap>>) => Promise<void>,
) {
	const c = await openImap(dv, user);
	try {
		await fn(c);
	} finally {
		await c.logout().catch(() => undefined);
	}
}

/** The maildir file of a message (Dovecot keeps one file per message). */
function maildirFile(user: string, mailbox: string, needle: string): string {
	const root = path.join(dv.dir, 'mail', user, 'Maildir', mailbox === 'INBOX' ? '' : `.${mailbox}`);
	for (const sub of ['cur', 'new']) {
		const dir = path.join(root, sub);
		if (!fs.existsSync(dir)) continue;
		for (const f of fs.readdirSync(dir))
			if (fs.readFileSync(path.join(dir, f), 'latin1').includes(needle)) return path.join(dir, f);
	}
	throw new Error(`no file of ${needle} in ${root}`);
}

it('pushes mail of every watched folder, not only the first', async () => {
	const { user } = newUser('push-all');
	await onConnection(user, (c) => c.mailboxCreate('Leads').then(() => undefined));
	const h = await engine(dv, user, {
		folders: [folder('INBOX'), folder('Sent'), folder('Leads')],
		session: NO_POLL,
	});
	await appendMessage(dv, user, 'Sent', rawMessage('sent@push'));
	await h.waitFor(() => h.messages().length >= 1, 15000, 'the message in Sent');
	await appendMessage(dv, user, 'Leads', rawMessage('lead@push'));
	await h.waitFor(() => h.messages().length >= 2, 15000, 'the message in Leads');
	await deliverLmtp(dv, user, rawMessage('inbox@push'));
	await h.waitFor(() => h.messages().length >= 3, 15000, 'the message in INBOX');
	expect(h.messages().map((m) => [m.folder, m.messageId])).toEqual([
		['Sent', '<sent@push>'],
		['Leads', '<lead@push>'],
		['INBOX', '<inbox@push>'],
	]);
});

it('emits flag changes and expunges as they happen, in any watched folder', async () => {
	const { user } = newUser('live-changes');
	await appendMessage(dv, user, 'INBOX', rawMessage('one@live'));
	await appendMessage(dv, user, 'Sent', rawMessage('two@live'));
	const h = await engine(dv, user, {
		qresync: true,
		folders: [folder('INBOX'), folder('Sent')],
		options: { firstSync: { mode: 'days', days: 30 }, changeEvents: true },
		session: NO_POLL,
	});
	await h.waitFor(() => h.messages().length >= 2, 15000, 'the two messages');
	await onConnection(user, async (c) => {
		const lock = await c.getMailboxLock('INBOX');
		await c.messageFlagsAdd({ uid: '1' }, ['\\Seen'], { uid: true });
		lock.release();
	});
	await h.waitFor(() => h.events().length >= 1, 15000, 'the flag change in INBOX');
	await onConnection(user, async (c) => {
		const lock = await c.getMailboxLock('Sent');
		await c.messageDelete({ uid: '1' }, { uid: true });
		lock.release();
	});
	await h.waitFor(() => h.events().length >= 2, 15000, 'the expunge in Sent');
	expect(h.events()).toEqual([
		expect.objectContaining({ event: 'flagsChanged', folder: 'INBOX', uid: 1, seen: true }),
		expect.objectContaining({ event: 'expunged', folder: 'Sent', uid: 1 }),
	]);
});

it('a deleted move target is reported, the other folders keep syncing, and the move happens once it is back', async () => {
	const { user } = newUser('move-gone');
	await onConnection(user, (c) => c.mailboxCreate('Done').then(() => undefined));
	const h = await engine(dv, user, {
		folders: [folder('INBOX', { afterAction: 'move', moveTo: 'Done' }), folder('Sent')],
		session: NO_POLL,
	});
	await onConnection(user, (c) => c.mailboxDelete('Done').then(() => undefined));
	await deliverLmtp(dv, user, rawMessage('in@move'));
	await h.waitFor(() => h.folderErrors.length >= 1, 15000, 'the reported move');
	expect(ids(h)).toEqual(['<in@move>']); // delivered all the same
	expect(h.folderErrors[0]).toMatchObject({
		path: 'INBOX',
		during: 'moving emitted messages to "Done"',
	});
	await appendMessage(dv, user, 'Sent', rawMessage('sent@move'));
	await deliverLmtp(dv, user, rawMessage('in2@move'));
	await h.waitFor(() => h.messages().length >= 3, 15000, 'mail after the failure');
	expect(h.folderErrors).toHaveLength(1); // the same problem is not reported on every pass
	expect(h.state.get('INBOX')!.pendingAction).toEqual([1, 2]);

	await onConnection(user, (c) => c.mailboxCreate('Done').then(() => undefined));
	await deliverLmtp(dv, user, rawMessage('in3@move'));
	await h.waitFor(
		() => !h.state.get('INBOX')!.pendingAction?.length && h.messages().length >= 4,
		15000,
		'the move',
	);
	await onConnection(user, async (c) => {
		const status = await c.status('Done', { messages: true });
		expect(status && status.messages).toBe(3);
	});
});

it('a deleted watched folder is reported once while the others keep syncing', async () => {
	const { user } = newUser('folder-gone');
	await onConnection(user, (c) => c.mailboxCreate('Projects').then(() => undefined));
	const h = await engine(dv, user, {
		folders: [folder('INBOX'), folder('Projects')],
		session: { pollIntervalMs: 1000 },
	});
	await onConnection(user, (c) => c.mailboxDelete('Projects').then(() => undefined));
	await h.waitFor(() => h.folderErrors.length >= 1, 15000, 'the reported folder');
	expect(h.folderErrors[0]).toMatchObject({ path: 'Projects', during: 'syncing' });
	await deliverLmtp(dv, user, rawMessage('still@gone'));
	await h.waitFor(() => h.messages().length >= 1, 15000, 'mail of the other folder');
	await new Promise((r) => setTimeout(r, 2500)); // more polls, no more reports
	expect(h.folderErrors).toHaveLength(1);
	expect(h.fatal).toEqual([]);
});

it('a message the server cannot return (it drops the connection over it) is skipped with an item after three tries; the others are delivered', async () => {
	const { user } = newUser('refused');
	for (const id of ['a@refused', 'b@refused', 'c@refused'])
		await appendMessage(dv, user, 'INBOX', rawMessage(id));
	fs.chmodSync(maildirFile(user, 'INBOX', 'b@refused'), 0o000);
	const h = await engine(dv, user, {
		folders: [folder('INBOX'), folder('Sent')],
		options: { firstSync: { mode: 'days', days: 30 } },
		session: { pollIntervalMs: 1000 },
	});
	await appendMessage(dv, user, 'Sent', rawMessage('sent@refused'));
	await h.waitFor(
		() => h.messages().some((m) => m.messageId === '<sent@refused>'),
		15000,
		'the other folder',
	);
	await h.waitFor(() => h.events().length >= 1, 40000, 'the unreadable item');
	await h.waitFor(() => h.messages().length >= 3, 15000, 'the readable messages');
	expect(h.events()).toEqual([
		expect.objectContaining({
			event: 'unreadable',
			folder: 'INBOX',
			uid: 2,
			message: expect.stringMatching(/did not return it/),
		}),
	]);
	expect(ids(h).sort()).toEqual(['<a@refused>', '<c@refused>', '<sent@refused>']);
	expect(h.state.get('INBOX')!.lastUid).toBe(3);
	expect(h.fatal).toEqual([]);
});

it('a message the parser fails on becomes an unreadable item; the batch goes on', async () => {
	const { user } = newUser('unparsable');
	for (const id of ['a@parse', 'b@parse', 'c@parse'])
		await appendMessage(dv, user, 'INBOX', rawMessage(id));
	const h = await engine(dv, user, {
		options: { firstSync: { mode: 'days', days: 30 } },
		session: {
			parse: async (fetched, opts) => {
				if (fetched.source?.includes('b@parse'))
					throw new Error('Max header size for a MIME node exceeded');
				return parseFetched(fetched, opts);
			},
		},
	});
	await h.waitFor(() => h.records.length >= 3, 15000, 'three records');
	expect(ids(h)).toEqual(['<a@parse>', '<c@parse>']);
	expect(h.events()).toEqual([
		expect.objectContaining({
			event: 'unreadable',
			uid: 2,
			messageId: '<b@parse>',
			message: expect.stringMatching(/could not be parsed: Max header size/),
		}),
	]);
});
