// Bounces through the live IMAP Sync Trigger on a real Dovecot: a delivery report delivered over LMTP
// comes out as a bounce event (the auto-reply rule, on by default, no longer drops it); an out-of-office
// reply stays skipped by that rule; with "Ignore" the report is not emitted at all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	buildMessage,
	deliverLmtp,
	imapCredential,
	newUser,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { startTrigger, type WorkflowJson } from '../../harness/workflow';

const corpus = path.join(__dirname, '../../fixtures/bounces');
const sample = (file: string) => fs.readFileSync(path.join(corpus, file));

function workflow(options: Record<string, string>): WorkflowJson {
	return {
		nodes: [
			{
				id: '0f7a3c2e-1b2d-4c1e-9a8b-0000000000b1',
				name: 'IMAP Sync Trigger',
				type: 'n8n-nodes-crm-mail.imapSyncTrigger',
				typeVersion: 2,
				position: [0, 0],
				parameters: {
					folders: {
						folder: [
							{
								path: { __rl: true, mode: 'list', value: 'INBOX' },
								direction: 'auto',
								load: 'headers',
								afterAction: 'nothing',
							},
						],
					},
					firstSync: 'days',
					days: 30,
					options,
				},
				credentials: { crmMailImap: { id: 'imap', name: 'imap' } },
			},
		],
		connections: {},
		staticData: {},
	};
}

describe('IMAP Sync Trigger: bounces and complaints', () => {
	let dv: DovecotHandle;
	beforeAll(async () => {
		dv = await sharedDovecot();
	});

	async function deliverAll(user: string): Promise<void> {
		await deliverLmtp(dv, user, sample('not-ooo-en.eml'), '');
		await deliverLmtp(dv, user, sample('postfix-remote-rcpt-rejected.eml'), '');
		await deliverLmtp(dv, user, sample('rfc3464-multiple-recipients.eml'), '');
		// the last one: once it is out, everything before it was decided
		await deliverLmtp(
			dv,
			user,
			await buildMessage({ subject: 'After', messageId: '<after@bn.test>' }),
		);
	}

	it('emits a bounce event per failed recipient, in order, and skips the out-of-office reply', async () => {
		const { user } = newUser('wf-bounce');
		await deliverAll(user);
		const t = await startTrigger(workflow({}), 'IMAP Sync Trigger', {
			credentials: { crmMailImap: imapCredential(dv, user) },
		});
		try {
			const items = await t.waitForItems(5);
			expect(items.map((i) => [i.json.event, i.json.recipient ?? i.json.subject])).toEqual([
				['bounce', 'j.doe@client.example'],
				['bounce', 'arathib@vnet.example'],
				['bounce', 'johnh@hpnjld.example'],
				['bounce', 'wsnell@sdcc13.example'],
				['message', 'After'],
			]);
			expect(items[0].json).toMatchObject({
				event: 'bounce',
				folder: 'INBOX',
				uid: 2,
				kind: 'hard',
				reason: 'userUnknown',
				status: '5.1.1',
				subject: 'Undelivered Mail Returned to Sender',
				original: { messageId: '<pf-2@shop.example>', to: ['j.doe@client.example'] },
			});
			expect(items[2].json).toMatchObject({ uid: 3, kind: 'delay', action: 'delayed' });
			expect(t.errors).toEqual([]);
		} finally {
			await t.close();
		}
	});

	it('"As Ordinary Messages" emits the reports as messages; "Ignore" emits nothing of them', async () => {
		const { user } = newUser('wf-bounce-modes');
		await deliverAll(user);
		const asMessages = await startTrigger(workflow({ bounces: 'message' }), 'IMAP Sync Trigger', {
			credentials: { crmMailImap: imapCredential(dv, user) },
		});
		try {
			const items = await asMessages.waitForItems(3);
			expect(items.map((i) => [i.json.event, i.json.subject])).toEqual([
				['message', 'Undelivered Mail Returned to Sender'],
				['message', 'Delivery Report (failure) for pete@example.com'],
				['message', 'After'],
			]);
		} finally {
			await asMessages.close();
		}
		const ignoring = await startTrigger(workflow({ bounces: 'ignore' }), 'IMAP Sync Trigger', {
			credentials: { crmMailImap: imapCredential(dv, user) },
		});
		try {
			const items = await ignoring.waitForItems(1);
			expect(items.map((i) => [i.json.event, i.json.subject])).toEqual([['message', 'After']]);
		} finally {
			await ignoring.close();
		}
	});
});
