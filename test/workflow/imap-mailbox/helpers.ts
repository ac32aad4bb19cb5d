// What the IMAP Mailbox tests share: the shared Dovecot, credentials, a one-node workflow and a view of the
// server through an independent session.
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
	imapCredential,
	openImap,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { outputOf, runWorkflow, type WorkflowJson } from '../../harness/workflow';

let dv: DovecotHandle;

/** The shared Dovecot, once `useDovecot` has started it. */
export const dovecot = (): DovecotHandle => dv;

/** Starts (or joins) the shared Dovecot before the file's tests. */
export function useDovecot(): void {
	beforeAll(async () => {
		dv = await sharedDovecot();
	});
}

export const creds = (user: string, over: IDataObject = {}) => ({
	crmMailImap: imapCredential(dv, user, over),
});

export function workflow(parameters: IDataObject, settings: IDataObject = {}): WorkflowJson {
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

export async function run(
	user: string,
	parameters: IDataObject,
	input: INodeExecutionData[] = [{ json: {} }],
	settings: IDataObject = {},
) {
	const r = await runWorkflow(workflow(parameters, settings), { credentials: creds(user), input });
	return r;
}

export async function ok(user: string, parameters: IDataObject, input?: INodeExecutionData[]) {
	const r = await run(user, parameters, input);
	if (r.status !== 'success')
		throw new Error(
			`run failed: ${r.data.resultData.error?.message} / ${r.data.resultData.error?.description}`,
		);
	return outputOf(r, 'Mailbox');
}

/** What the server holds, seen through an independent session. */
export async function serverView(user: string, folder: string) {
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

export async function put(
	user: string,
	folder: string,
	subject: string,
	extra: Parameters<typeof buildMessage>[0] = {},
	flags: string[] = [],
) {
	return (await appendMessage(dv, user, folder, await buildMessage({ subject, ...extra }), flags))
		.uid;
}

export async function mkdir(user: string, ...folders: string[]) {
	const c = await openImap(dv, user);
	for (const f of folders) await c.mailboxCreate(f);
	await c.logout();
}

/** How often the user logged in, from Dovecot's log. */
export const logins = (user: string) =>
	fs
		.readFileSync(path.join(dv.dir, 'log', 'dovecot.log'), 'utf8')
		.split('\n')
		.filter((l) => l.includes(`Login: user=<${user}>`)).length;
