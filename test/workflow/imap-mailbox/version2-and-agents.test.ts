// IMAP Mailbox version 2 (resources, folder pickers) next to version 1, and the guard on deleting for an AI agent.
import type { IDataObject } from 'n8n-workflow';
import { newUser } from '../../harness/dovecot';
import { outputOf, runWorkflow, TestNodeTypes } from '../../harness/workflow';
import { listSearch } from '../../harness/node-methods';
import { ImapMailbox } from '../../../nodes/ImapMailbox/ImapMailbox.node';
import { creds, mkdir, put, serverView, useDovecot, workflow } from './helpers';

useDovecot();

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
