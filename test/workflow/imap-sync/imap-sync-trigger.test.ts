// The IMAP Sync Trigger inside n8n: live activation (startTrigger) with static data that survives a
// re-activation, and "Fetch Test Event" (manual mode, as start node of runWorkflow) that leaves the state alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { forgetTrackers } from '../../../nodes/ImapSyncTrigger/engine/deliveryTracker';
import {
	appendMessage,
	buildMessage,
	deliverLmtp,
	imapCredential,
	newUser,
	openImap,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { outputOf, runWorkflow, startTrigger, type WorkflowJson } from '../../harness/workflow';

function workflow(staticData: IDataObject, parameters: IDataObject = {}): WorkflowJson {
	return {
		nodes: [
			{
				id: '0f7a3c2e-1b2d-4c1e-9a8b-000000000001',
				name: 'IMAP Sync Trigger',
				type: 'n8n-nodes-crm-mail.imapSyncTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					folders: {
						folder: [
							{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'nothing' },
							{ path: 'Sent', direction: 'auto', load: 'full', afterAction: 'nothing' },
						],
					},
					firstSync: 'days',
					days: 30,
					...parameters,
				},
				credentials: { crmMailImap: { id: 'imap', name: 'imap' } },
			},
		],
		connections: {},
		staticData,
	};
}

describe('IMAP Sync Trigger in a workflow', () => {
	let dv: DovecotHandle;
	beforeAll(async () => {
		dv = await sharedDovecot();
	});
	const credsFor = (user: string) => ({ crmMailImap: imapCredential(dv, user) });

	it('version 2: folders picked from the list or typed as a path; the move-to folder too', async () => {
		const { user } = newUser('wf-v2');
		await appendMessage(
			dv,
			user,
			'INBOX',
			await buildMessage({ subject: 'Picked', messageId: '<v2-1@wf.test>' }),
		);
		const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
		const wf = workflow(
			{},
			{
				folders: {
					folder: [
						{
							path: rl('list', 'INBOX'),
							direction: 'auto',
							load: 'full',
							afterAction: 'move',
							moveTo: rl('path', 'Processed'),
						},
					],
				},
			},
		);
		wf.nodes[0].typeVersion = 2;
		const imap = await openImap(dv, user);
		await imap.mailboxCreate('Processed');
		const t = await startTrigger(wf, 'IMAP Sync Trigger', { credentials: credsFor(user) });
		try {
			const [item] = await t.waitForItems(1);
			expect(item.json).toMatchObject({ folder: 'INBOX', subject: 'Picked' });
			expect(t.errors).toEqual([]);
			const processed = async () => {
				const status = await imap.status('Processed', { messages: true });
				return status ? status.messages : undefined;
			};
			for (let i = 0; i < 50 && (await processed()) !== 1; i++)
				await new Promise((r) => setTimeout(r, 100));
			expect(await processed()).toBe(1);
		} finally {
			await t.close();
			await imap.logout();
		}
	});

	it('emits existing and new mail once, with binary attachments and direction per folder; re-activation emits nothing old', async () => {
		const { user } = newUser('wf-live');
		await appendMessage(
			dv,
			user,
			'INBOX',
			await buildMessage({
				subject: 'Old one',
				messageId: '<old-1@wf.test>',
				attachments: [
					{
						filename: 'offer.pdf',
						content: Buffer.from('%PDF-1.4 test'),
						contentType: 'application/pdf',
					},
				],
			}),
		);
		await appendMessage(
			dv,
			user,
			'Sent',
			await buildMessage({
				subject: 'My reply',
				messageId: '<sent-1@wf.test>',
				inReplyTo: '<old-1@wf.test>',
				references: '<old-1@wf.test>',
			}),
		);
		const staticData: IDataObject = {};
		const t = await startTrigger(workflow(staticData), 'IMAP Sync Trigger', {
			credentials: credsFor(user),
		});
		try {
			await t.waitForItems(2);
			await deliverLmtp(
				dv,
				user,
				await buildMessage({ subject: 'New one', messageId: '<new-1@wf.test>' }),
			);
			const items = await t.waitForItems(3);
			const byId = new Map(items.map((i) => [i.json.messageId, i]));
			expect(byId.get('<old-1@wf.test>')!.json).toMatchObject({
				event: 'message',
				folder: 'INBOX',
				direction: 'incoming',
				subject: 'Old one',
				attachments: [{ name: 'offer.pdf', type: 'application/pdf' }],
			});
			expect(byId.get('<old-1@wf.test>')!.binary!.attachment_0).toMatchObject({
				fileName: 'offer.pdf',
				mimeType: 'application/pdf',
			});
			expect(
				Buffer.from(byId.get('<old-1@wf.test>')!.binary!.attachment_0.data, 'base64').toString(),
			).toBe('%PDF-1.4 test');
			expect(byId.get('<sent-1@wf.test>')!.json).toMatchObject({
				folder: 'Sent',
				direction: 'outgoing',
				threadId: '<old-1@wf.test>',
			});
			expect(byId.get('<new-1@wf.test>')!.json.subject).toBe('New one');
			expect(t.errors).toEqual([]);
		} finally {
			await t.close();
		}
		expect(
			((staticData['node:IMAP Sync Trigger'] as IDataObject).folders as IDataObject).INBOX,
		).toMatchObject({ lastUid: 2 });

		// re-activation with the same static data: nothing old again, only what arrived meanwhile
		await appendMessage(
			dv,
			user,
			'INBOX',
			await buildMessage({ subject: 'While inactive', messageId: '<gap-1@wf.test>' }),
		);
		const again = await startTrigger(workflow(staticData), 'IMAP Sync Trigger', {
			credentials: credsFor(user),
		});
		try {
			const items = await again.waitForItems(1);
			await new Promise((r) => setTimeout(r, 1500));
			expect(again.items().map((i) => i.json.messageId)).toEqual(['<gap-1@wf.test>']);
			expect(items[0].json.folder).toBe('INBOX');
		} finally {
			await again.close();
		}
	});

	it('"Fetch Test Event" returns the latest messages and does not move the state', async () => {
		const { user } = newUser('wf-manual');
		for (let i = 1; i <= 3; i++)
			await appendMessage(
				dv,
				user,
				'INBOX',
				await buildMessage({ subject: `Manual ${i}`, messageId: `<manual-${i}@wf.test>` }),
			);
		const staticData: IDataObject = {};
		const wf = workflow(staticData, {
			folders: {
				folder: [{ path: 'INBOX', direction: 'auto', load: 'headers', afterAction: 'markSeen' }],
			},
			options: { testCount: 2 },
		});
		const run = await runWorkflow(wf, { credentials: credsFor(user) });
		const out = outputOf(run, 'IMAP Sync Trigger');
		expect(out.map((i) => i.json.subject)).toEqual(['Manual 3', 'Manual 2']);
		expect(out[0].json.text).toBe(''); // headers only
		expect(
			(staticData['node:IMAP Sync Trigger'] as IDataObject | undefined)?.folders,
		).toBeUndefined();
		expect(out[0].json.flags).not.toContain('\\Seen'); // no after-emit action in a test fetch

		// the live trigger afterwards still emits all three
		const t = await startTrigger(workflow(staticData), 'IMAP Sync Trigger', {
			credentials: credsFor(user),
		});
		try {
			const items = await t.waitForItems(3);
			expect(items.map((i) => i.json.subject).sort()).toEqual(['Manual 1', 'Manual 2', 'Manual 3']);
		} finally {
			await t.close();
		}
	});

	it('runs the "Mailbox to CRM" example: incoming and outgoing mail with the right contact', async () => {
		const { user } = newUser('wf-example');
		await appendMessage(
			dv,
			user,
			'INBOX',
			await buildMessage({
				from: 'Client <client@example.org>',
				subject: 'Need an offer',
				messageId: '<ex-in@wf.test>',
			}),
		);
		await appendMessage(
			dv,
			user,
			'Sent',
			await buildMessage({
				from: user,
				to: 'Client <client@example.org>',
				subject: 'Re: Need an offer',
				messageId: '<ex-out@wf.test>',
			}),
		);
		const example = JSON.parse(
			require('node:fs').readFileSync(
				require('node:path').join(__dirname, '../../../examples/mailbox-to-crm.json'),
				'utf8',
			),
		) as WorkflowJson;
		const run = await runWorkflow(example, { credentials: credsFor(user) });
		const out = outputOf(run, 'Email For CRM').map((i) => i.json);
		expect(out).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					direction: 'incoming',
					contact: 'client@example.org',
					subject: 'Need an offer',
					threadId: '<ex-in@wf.test>',
				}),
				expect.objectContaining({
					direction: 'outgoing',
					contact: 'client@example.org',
					subject: 'Re: Need an offer',
				}),
			]),
		);
	});

	it('fails activation with a clear error on a wrong password', async () => {
		const { user } = newUser('wf-badpass');
		const creds = credsFor(user);
		creds.crmMailImap.password = 'wrong';
		await expect(
			startTrigger(workflow({}), 'IMAP Sync Trigger', { credentials: creds }),
		).rejects.toThrow(/auth|password|log in|login/i);
	});
});

describe('IMAP Sync Trigger state across credentials and crashes', () => {
	let dv: DovecotHandle;
	let userFolder: string;
	const previous = process.env.N8N_USER_FOLDER;
	beforeAll(async () => {
		dv = await sharedDovecot();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-n8n-folder-'));
		process.env.N8N_USER_FOLDER = userFolder; // where n8n keeps its files, and the trigger its run markers
	});
	afterAll(() => {
		if (previous === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = previous;
		fs.rmSync(userFolder, { recursive: true, force: true });
	});
	const credsFor = (user: string) => ({ crmMailImap: imapCredential(dv, user) });
	const inboxOnly = {
		folders: {
			folder: [{ path: 'INBOX', direction: 'auto', load: 'headers', afterAction: 'nothing' }],
		},
	};

	it('pointing the credential at another mailbox syncs that one from scratch', async () => {
		const a = newUser('wf-account-a').user;
		const b = newUser('wf-account-b').user;
		for (const i of [1, 2])
			await appendMessage(
				dv,
				a,
				'INBOX',
				await buildMessage({ subject: `A${i}`, messageId: `<a${i}@account.test>` }),
			);
		await appendMessage(
			dv,
			b,
			'INBOX',
			await buildMessage({ subject: 'B1', messageId: '<b1@account.test>' }),
		);
		const staticData: IDataObject = {};
		const first = await startTrigger(workflow(staticData, inboxOnly), 'IMAP Sync Trigger', {
			credentials: credsFor(a),
		});
		await first.waitForItems(2);
		await first.close();
		const second = await startTrigger(workflow(staticData, inboxOnly), 'IMAP Sync Trigger', {
			credentials: credsFor(b),
		});
		try {
			// the first mailbox's position (UID 2) would have hidden B's UID 1
			const items = await second.waitForItems(1, 15000);
			expect(items.map((i) => i.json.messageId)).toEqual(['<b1@account.test>']);
		} finally {
			await second.close();
		}
	});

	it('after n8n was killed with a batch in flight, the next start delivers that batch again, marked redelivered', async () => {
		const { user } = newUser('wf-crash');
		for (const i of [1, 2, 3])
			await appendMessage(
				dv,
				user,
				'INBOX',
				await buildMessage({ subject: `C${i}`, messageId: `<c${i}@crash.test>` }),
			);
		const staticData: IDataObject = {};
		const wf = workflow(staticData, inboxOnly);
		// the execution of the first batch never ends: n8n dies during it
		const first = await startTrigger(wf, 'IMAP Sync Trigger', {
			credentials: credsFor(user),
			execute: () => new Promise(() => {}),
		});
		await first.waitForItems(3);
		expect(first.running()).toBe(1);
		await first.close(); // the process is gone: its marker stays, the execution never finished
		forgetTrackers(); // a new n8n process
		await deliverLmtp(
			dv,
			user,
			await buildMessage({ subject: 'C4', messageId: '<c4@crash.test>' }),
		);
		const second = await startTrigger(wf, 'IMAP Sync Trigger', { credentials: credsFor(user) });
		try {
			const items = await second.waitForItems(4, 15000);
			expect(items.map((i) => [i.json.messageId, i.json.redelivered ?? false])).toEqual([
				['<c1@crash.test>', true],
				['<c2@crash.test>', true],
				['<c3@crash.test>', true],
				['<c4@crash.test>', false],
			]);
		} finally {
			await second.close();
		}
		// a clean stop afterwards: the next start delivers nothing again
		forgetTrackers();
		const third = await startTrigger(wf, 'IMAP Sync Trigger', { credentials: credsFor(user) });
		try {
			await new Promise((r) => setTimeout(r, 1500));
			expect(third.items()).toEqual([]);
		} finally {
			await third.close();
		}
	});
});
