// Every IMAP Mailbox operation through a real workflow against the shared Dovecot. Each test uses a fresh user;
// results are checked on the server through a separate imapflow session (never through the node itself).
import type { INodeExecutionData } from 'n8n-workflow';
import { buildMessage, newUser } from '../../harness/dovecot';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { ImapMailbox } from '../../../nodes/ImapMailbox/ImapMailbox.node';
import {
	creds,
	dovecot,
	logins,
	mkdir,
	ok,
	put,
	run,
	serverView,
	useDovecot,
	workflow,
} from './helpers';

useDovecot();

test('folder dropdown (getFolders) and the credential test', async () => {
	const { user } = newUser('mbx-folders');
	await mkdir(user, 'Clients', 'Clients/Acme');
	const options = await loadOptions(new ImapMailbox(), 'getFolders', { credentials: creds(user) });
	expect(options[0]).toMatchObject({ name: 'INBOX', value: 'INBOX' });
	expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['Clients', 'Clients/Acme']));
	expect(
		await testCredential(new ImapMailbox(), 'crmMailImap', creds(user).crmMailImap),
	).toMatchObject({ status: 'OK' });
	const bad = await testCredential(
		new ImapMailbox(),
		'crmMailImap',
		creds(user, { port: dovecot().imapsPort }).crmMailImap,
	);
	expect(bad.status).toBe('Error');
	expect(bad.message).toMatch(/Security should be "TLS"|993 with Security "TLS"/);
}, 60000);

test('list folders, with message counts', async () => {
	const { user } = newUser('mbx-list');
	await mkdir(user, 'Archive');
	await put(user, 'INBOX', 'one');
	await put(user, 'INBOX', 'two', {}, ['\\Seen']);
	const out = await ok(user, { operation: 'listFolders', includeCounts: true });
	const inbox = out.find((i) => i.json.path === 'INBOX')!;
	expect(inbox.json).toMatchObject({ name: 'INBOX', messages: 2, unseen: 1 });
	expect(out.map((i) => i.json.path)).toContain('Archive');
	expect(out.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
});

test('get messages by search: filters, newest first, limit applied before fetching', async () => {
	const { user } = newUser('mbx-search');
	for (let n = 1; n <= 5; n++)
		await put(user, 'INBOX', `Order ${n}`, {
			from: n % 2 ? 'Anna <anna@client.test>' : 'bob@other.test',
		});
	await put(user, 'INBOX', 'Order 6 read', { from: 'anna@client.test' }, ['\\Seen']);
	const out = await ok(user, {
		operation: 'getMessages',
		folder: 'INBOX',
		selectBy: 'search',
		filters: { from: 'anna@client.test', unseen: true },
		limit: 2,
	});
	expect(out.map((i) => i.json.subject)).toEqual(['Order 5', 'Order 3']);
	expect(out[0].json).toMatchObject({
		folder: 'INBOX',
		direction: 'incoming',
		from: [{ address: 'anna@client.test', name: 'Anna' }],
		to: [expect.objectContaining({ address: 'rcpt@test.local' })],
		text: expect.stringContaining('Hello from the test harness'),
	});
	expect(typeof out[0].json.uid).toBe('number');
	expect(out[0].json.messageId).toMatch(/^<.+>$/);
	// oldest first, all
	const all = await ok(user, {
		operation: 'getMessages',
		folder: 'INBOX',
		selectBy: 'search',
		filters: { subject: 'Order' },
		returnAll: true,
		options: { oldestFirst: true },
	});
	expect(all.map((i) => i.json.subject)).toEqual([
		'Order 1',
		'Order 2',
		'Order 3',
		'Order 4',
		'Order 5',
		'Order 6 read',
	]);
	// getting messages does not mark them seen
	expect((await serverView(user, 'INBOX')).filter((m) => m.flags.includes('\\Seen'))).toHaveLength(
		1,
	);
});

test('get messages by UID with attachments as binary, headers only, and Sent = outgoing', async () => {
	const { user } = newUser('mbx-uid');
	const uid = await put(user, 'INBOX', 'With file', {
		attachments: [{ filename: 'price.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }],
	});
	const out = await ok(user, {
		operation: 'getMessages',
		folder: 'INBOX',
		selectBy: 'uid',
		uids: String(uid),
	});
	expect(out).toHaveLength(1);
	expect(out[0].json.attachments).toEqual([{ name: 'price.csv', type: 'text/csv', size: 8 }]);
	expect(out[0].binary?.attachment_0).toMatchObject({
		fileName: 'price.csv',
		mimeType: 'text/csv',
	});
	expect(Buffer.from(out[0].binary!.attachment_0.data, 'base64').toString()).toBe('a,b\n1,2\n');
	const headers = await ok(user, {
		operation: 'getMessages',
		folder: 'INBOX',
		selectBy: 'uid',
		uids: String(uid),
		options: { load: 'headers', includeHeaders: true },
	});
	expect(headers[0].json).toMatchObject({ subject: 'With file', text: '' });
	expect(headers[0].json.headers).toMatch(/^Subject: With file$/m);
	expect(headers[0].binary).toBeUndefined();
	const sentUid = await put(user, 'Sent', 'Copy of reply');
	const sent = await ok(user, {
		operation: 'getMessages',
		folder: 'Sent',
		selectBy: 'uid',
		uids: sentUid,
	});
	expect(sent[0].json).toMatchObject({ subject: 'Copy of reply', direction: 'outgoing' });
});

test('set and clear flags (standard and custom keywords), one connection for all items', async () => {
	const { user } = newUser('mbx-flags');
	const uids = [
		await put(user, 'INBOX', 'a'),
		await put(user, 'INBOX', 'b'),
		await put(user, 'INBOX', 'c'),
	];
	const before = logins(user);
	const out = await ok(
		user,
		{
			operation: 'addFlags',
			folder: 'INBOX',
			uids: '={{ $json.uid }}',
			flags: ['\\Seen', '\\Flagged'],
			keywords: '$Processed, crm-linked',
		},
		uids.map((uid) => ({ json: { uid } })),
	);
	expect(logins(user) - before).toBe(1);
	expect(out.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 1, 2]);
	for (const m of await serverView(user, 'INBOX')) {
		expect(m.flags).toEqual(['$Processed', '\\Flagged', '\\Seen', 'crm-linked'].sort());
	}
	await ok(user, {
		operation: 'removeFlags',
		folder: 'INBOX',
		uids: `${uids[0]}, ${uids[2]}`,
		flags: ['\\Seen'],
		keywords: 'crm-linked',
	});
	const view = await serverView(user, 'INBOX');
	expect(view.map((m) => m.flags)).toEqual([
		['$Processed', '\\Flagged'].sort(),
		['$Processed', '\\Flagged', '\\Seen', 'crm-linked'].sort(),
		['$Processed', '\\Flagged'].sort(),
	]);
});

test('move and copy', async () => {
	const { user } = newUser('mbx-move');
	await mkdir(user, 'Done', 'Backup');
	const a = await put(user, 'INBOX', 'move me');
	const b = await put(user, 'INBOX', 'copy me');
	const moved = await ok(user, {
		operation: 'move',
		folder: 'INBOX',
		uids: String(a),
		destination: 'Done',
	});
	expect(moved[0].json).toMatchObject({
		uid: a,
		destination: 'Done',
		destinationUid: 1,
		moved: true,
	});
	const copied = await ok(user, {
		operation: 'copy',
		folder: 'INBOX',
		uids: String(b),
		destination: 'Backup',
	});
	expect(copied[0].json).toMatchObject({
		uid: b,
		destination: 'Backup',
		destinationUid: 1,
		copied: true,
	});
	expect((await serverView(user, 'INBOX')).map((m) => m.subject)).toEqual(['copy me']);
	expect((await serverView(user, 'Done')).map((m) => m.subject)).toEqual(['move me']);
	expect((await serverView(user, 'Backup')).map((m) => m.subject)).toEqual(['copy me']);
});

test('delete expunges only the given messages', async () => {
	const { user } = newUser('mbx-delete');
	const a = await put(user, 'INBOX', 'delete me');
	await put(user, 'INBOX', 'keep me, marked deleted by a mail client', {}, ['\\Deleted']);
	await put(user, 'INBOX', 'keep me');
	const out = await ok(user, { operation: 'delete', folder: 'INBOX', uids: String(a) });
	expect(out[0].json).toEqual({ folder: 'INBOX', uid: a, deleted: true });
	expect((await serverView(user, 'INBOX')).map((m) => m.subject)).toEqual([
		'keep me, marked deleted by a mail client',
		'keep me',
	]);
});

test('append a raw message from a field and from a binary property, with flags', async () => {
	const { user } = newUser('mbx-append');
	const raw = (await buildMessage({ subject: 'Sent by the flow' })).toString();
	const out = await ok(
		user,
		{
			operation: 'append',
			folder: 'Sent',
			source: 'field',
			rawMessage: '={{ $json.raw }}',
			flags: ['\\Seen'],
		},
		[{ json: { raw } }],
	);
	expect(out[0].json).toMatchObject({ folder: 'Sent', uid: 1, flags: ['\\Seen'] });
	const eml = await buildMessage({ subject: 'From a file' });
	const input: INodeExecutionData[] = [
		{
			json: {},
			binary: {
				mail: { data: eml.toString('base64'), mimeType: 'message/rfc822', fileName: 'm.eml' },
			},
		},
	];
	await ok(
		user,
		{
			operation: 'append',
			folder: 'Sent',
			source: 'binary',
			binaryPropertyName: 'mail',
			flags: [],
			keywords: 'crm-copy',
		},
		input,
	);
	expect(await serverView(user, 'Sent')).toEqual([
		{ uid: 1, subject: 'Sent by the flow', flags: ['\\Seen'] },
		{ uid: 2, subject: 'From a file', flags: ['crm-copy'] },
	]);
	const bad = await run(user, {
		operation: 'append',
		folder: 'Sent',
		source: 'field',
		rawMessage: 'just some text without headers',
	});
	expect(bad.status).toBe('error');
	expect(bad.data.resultData.error?.message).toBe('The raw message has no headers');
});

test('download one attachment: first, by file name, by part', async () => {
	const { user } = newUser('mbx-attach');
	const pdf = Buffer.from('%PDF-1.4 fake pdf bytes \x00\x01\x02', 'latin1');
	const uid = await put(user, 'INBOX', 'Two files', {
		attachments: [
			{ filename: 'notes.txt', content: 'hello notes' },
			{ filename: 'Invoice.pdf', content: pdf, contentType: 'application/pdf' },
		],
	});
	const first = await ok(user, {
		operation: 'downloadAttachment',
		folder: 'INBOX',
		uid: String(uid),
		selectBy: 'first',
		binaryPropertyName: 'data',
	});
	expect(first[0].json).toMatchObject({ uid, fileName: 'notes.txt', part: '2' });
	expect(Buffer.from(first[0].binary!.data.data, 'base64').toString()).toBe('hello notes');
	const byName = await ok(user, {
		operation: 'downloadAttachment',
		folder: 'INBOX',
		uid: String(uid),
		selectBy: 'filename',
		filename: 'invoice.PDF',
		binaryPropertyName: 'file',
	});
	expect(byName[0].binary!.file).toMatchObject({
		fileName: 'Invoice.pdf',
		mimeType: 'application/pdf',
	});
	expect(Buffer.from(byName[0].binary!.file.data, 'base64').equals(pdf)).toBe(true);
	const byPart = await ok(user, {
		operation: 'downloadAttachment',
		folder: 'INBOX',
		uid: String(uid),
		selectBy: 'part',
		part: '3',
		binaryPropertyName: 'data',
	});
	expect(byPart[0].json.fileName).toBe('Invoice.pdf');
	const missing = await run(user, {
		operation: 'downloadAttachment',
		folder: 'INBOX',
		uid: String(uid),
		selectBy: 'filename',
		filename: 'nope.doc',
		binaryPropertyName: 'data',
	});
	expect(missing.data.resultData.error?.message).toMatch(/Attachment "nope.doc" not found/);
	expect(missing.data.resultData.error?.description).toMatch(
		/notes\.txt \[part 2\], Invoice\.pdf \[part 3\]/,
	);
});

test('continue on fail: a bad UID gives an error item, the other items still run', async () => {
	const { user } = newUser('mbx-cof');
	const a = await put(user, 'INBOX', 'a');
	const b = await put(user, 'INBOX', 'b');
	const params = {
		operation: 'addFlags',
		folder: 'INBOX',
		uids: '={{ $json.uid }}',
		flags: ['\\Seen'],
	};
	const input = [
		{ json: { uid: a } },
		{ json: { uid: 999 } },
		{ json: { uid: 'abc' } },
		{ json: { uid: b } },
	];
	const r = await run(user, params, input, { onError: 'continueRegularOutput' });
	expect(r.status).toBe('success');
	const out = outputOf(r, 'Mailbox');
	expect(out.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 1, 2, 3]);
	expect(out[1].json).toEqual({
		error: 'No message with UID 999 in folder "INBOX"',
		description: expect.stringMatching(/moved or deleted/),
	});
	expect(out[2].json.error).toBe('"abc" is not a message UID');
	expect((await serverView(user, 'INBOX')).map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen']]);
	// without continue on fail the run stops with the clear error
	const failed = await run(user, params, input);
	expect(failed.status).toBe('error');
	expect(failed.data.resultData.error?.message).toBe('No message with UID 999 in folder "INBOX"');
});

test('a missing folder and a wrong password give clear errors', async () => {
	const { user } = newUser('mbx-errors');
	const noFolder = await run(user, {
		operation: 'getMessages',
		folder: 'Nope',
		selectBy: 'search',
		limit: 5,
	});
	expect(noFolder.data.resultData.error?.message).toMatch(/^Folder "Nope" could not be opened/);
	const r = await runWorkflow(workflow({ operation: 'listFolders' }), {
		credentials: creds(user, { port: 1 }),
	});
	expect(r.status).toBe('error');
	expect(r.data.resultData.error?.message).toMatch(/Connection refused by 127\.0\.0\.1:1/);
});
