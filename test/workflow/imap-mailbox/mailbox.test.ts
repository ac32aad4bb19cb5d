// Every IMAP Mailbox operation through a real workflow against the shared Dovecot. Each test uses a fresh user;
// results are checked on the server through a separate imapflow session (never through the node itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';
import {
	appendMessage,
	buildMessage,
	newUser,
	openImap,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import {
	listSearch,
	loadOptions,
	outputOf,
	runWorkflow,
	testCredential,
	TestNodeTypes,
	type WorkflowJson,
} from '../../harness/workflow';
import { ImapMailbox } from '../../../nodes/ImapMailbox/ImapMailbox.node';

let dv: DovecotHandle;
beforeAll(async () => {
	dv = await sharedDovecot();
});

const creds = (user: string, over: IDataObject = {}) => ({
	crmMailImap: {
		host: dv.host,
		port: dv.imapPort,
		security: 'none',
		user,
		authentication: 'password',
		password: 'pass',
		allowSelfSigned: false,
		...over,
	},
});

function workflow(parameters: IDataObject, settings: IDataObject = {}): WorkflowJson {
	return {
		nodes: [
			{
				id: 'a1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: {},
			},
			{
				id: 'a2',
				name: 'Mailbox',
				type: 'n8n-nodes-crm-mail.imapMailbox',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters: parameters as INodeParameters,
				credentials: { crmMailImap: { id: 'x', name: 'x' } },
				...settings,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Mailbox', type: NodeConnectionTypes.Main, index: 0 }]] },
		},
	};
}

async function run(
	user: string,
	parameters: IDataObject,
	input: INodeExecutionData[] = [{ json: {} }],
	settings: IDataObject = {},
) {
	const r = await runWorkflow(workflow(parameters, settings), { credentials: creds(user), input });
	return r;
}

async function ok(user: string, parameters: IDataObject, input?: INodeExecutionData[]) {
	const r = await run(user, parameters, input);
	if (r.status !== 'success')
		throw new Error(
			`run failed: ${r.data.resultData.error?.message} / ${r.data.resultData.error?.description}`,
		);
	return outputOf(r, 'Mailbox');
}

/** What the server holds, seen through an independent session. */
async function serverView(user: string, folder: string) {
	const c = await openImap(dv, user);
	try {
		const lock = await c.getMailboxLock(folder);
		try {
			const rows =
				c.mailbox && (c.mailbox as { exists: number }).exists
					? await c.fetchAll('1:*', { uid: true, flags: true, envelope: true })
					: [];
			return rows.map((m) => ({
				uid: m.uid,
				subject: m.envelope?.subject,
				flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
			}));
		} finally {
			lock.release();
		}
	} finally {
		await c.logout();
	}
}

async function put(
	user: string,
	folder: string,
	subject: string,
	extra: Parameters<typeof buildMessage>[0] = {},
	flags: string[] = [],
) {
	return (await appendMessage(dv, user, folder, await buildMessage({ subject, ...extra }), flags))
		.uid;
}

async function mkdir(user: string, ...folders: string[]) {
	const c = await openImap(dv, user);
	for (const f of folders) await c.mailboxCreate(f);
	await c.logout();
}

const logins = (user: string) =>
	fs
		.readFileSync(path.join(dv.dir, 'log', 'dovecot.log'), 'utf8')
		.split('\n')
		.filter((l) => l.includes(`Login: user=<${user}>`)).length;

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
		creds(user, { port: dv.imapsPort }).crmMailImap,
	);
	expect(bad.status).toBe('Error');
	expect(bad.message).toMatch(/Security should be "TLS"|993 with Security "TLS"/);
}, 60000);

test('version 2: folders are picked from a searchable list or typed as a path; messages and folders are resources', async () => {
	const { user } = newUser('mbx-v2');
	await mkdir(user, 'Clients', 'Clients/Acme', 'Done');
	const search = await listSearch(new ImapMailbox(), 'searchFolders', 'acm', {
		credentials: creds(user),
	});
	expect(search.results).toEqual([{ name: 'Clients/Acme', value: 'Clients/Acme' }]);
	const all = await listSearch(new ImapMailbox(), 'searchFolders', undefined, {
		credentials: creds(user),
	});
	expect(all.results.map((r) => r.value)).toEqual(
		expect.arrayContaining(['INBOX', 'Clients', 'Clients/Acme', 'Done']),
	);

	const a = await put(user, 'INBOX', 'move me, version 2');
	const v2 = (parameters: IDataObject) => {
		const wf = workflow(parameters);
		wf.nodes[1].typeVersion = 2;
		return wf;
	};
	const moved = await runWorkflow(
		v2({
			resource: 'message',
			operation: 'move',
			folder: { __rl: true, mode: 'list', value: 'INBOX' },
			uids: String(a),
			destination: { __rl: true, mode: 'path', value: 'Clients/Acme' },
		}),
		{ credentials: creds(user) },
	);
	expect(outputOf(moved, 'Mailbox')[0].json).toMatchObject({
		uid: a,
		destination: 'Clients/Acme',
		moved: true,
	});
	expect((await serverView(user, 'Clients/Acme')).map((m) => m.subject)).toEqual([
		'move me, version 2',
	]);
	const listed = await runWorkflow(v2({ resource: 'folder', operation: 'listFolders' }), {
		credentials: creds(user),
	});
	expect(outputOf(listed, 'Mailbox').map((o) => o.json.path)).toEqual(
		expect.arrayContaining(['INBOX', 'Clients/Acme', 'Done']),
	);
	// a folder typed into version 2 that the server does not have: the check names it
	const missing = await runWorkflow(
		v2({
			operation: 'getMessages',
			folder: { __rl: true, mode: 'path', value: 'Nowhere' },
		}),
		{ credentials: creds(user) },
	);
	expect(missing.data.resultData.error?.message).toMatch(/Nowhere/);
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

test('delete refuses an AI agent (the tool variant) unless the tool allows it; nothing is deleted', async () => {
	const { user } = newUser('mbx-agent-delete');
	const a = await put(user, 'INBOX', 'an agent wants me gone');
	const asTool = workflow({ operation: 'delete', folder: 'INBOX', uids: String(a) });
	asTool.nodes[1].type = 'n8n-nodes-crm-mail.imapMailboxTool';
	const nodeTypes = new TestNodeTypes({ 'n8n-nodes-crm-mail.imapMailboxTool': new ImapMailbox() });
	const refused = await runWorkflow(asTool, { credentials: creds(user), nodeTypes });
	expect(refused.status).toBe('error');
	expect(refused.data.resultData.error?.message).toBe('An AI agent may not delete messages here');
	expect((await serverView(user, 'INBOX')).map((m) => m.subject)).toEqual([
		'an agent wants me gone',
	]);
	asTool.nodes[1].parameters = { ...asTool.nodes[1].parameters, allowAgentDelete: true };
	const allowed = await runWorkflow(asTool, { credentials: creds(user), nodeTypes });
	expect(outputOf(allowed, 'Mailbox')[0].json).toEqual({ folder: 'INBOX', uid: a, deleted: true });
	expect(await serverView(user, 'INBOX')).toEqual([]);
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
