// "Match Bounces to Sent Emails" on the live IMAP Sync Trigger (real Dovecot): mail sent by Send Templated Email
// (tracking on, a Bounce Address) is captured by an SMTP sink, and plain-text bounces of it (qmail's layout,
// no delivery-status part) reach the bounce mailbox: one pasting the original (its X-CRM-Mail-Ref header, folded),
// one quoting nothing but delivered to the VERP address, one that only names the Message-ID. A weak secret stops
// the activation with what to do.
import { randomBytes } from 'node:crypto';
import {
	deliverLmtp,
	imapCredential,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { startSmtpCapture, type CapturedMessage } from '../../harness/smtp-capture';
import { outputOf, runWorkflow, startTrigger, type WorkflowJson } from '../../harness/workflow';
import { NODE, sendWorkflow, smtpCredential } from '../templated-email/helpers';

const SECRET = randomBytes(32).toString('hex');
const bounceMailbox = `vs${randomBytes(4).toString('hex')}@test.local`;

function triggerWf(): WorkflowJson {
	return {
		nodes: [
			{
				id: '0f7a3c2e-1b2d-4c1e-9a8b-0000000000c1',
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
					matchSentEmails: true,
					options: {},
				},
				credentials: {
					crmMailImap: { id: 'imap', name: 'imap' },
					emailTracking: { id: 't', name: 't' },
				},
			},
		],
		connections: {},
		staticData: {},
	};
}

/** qmail's failure notice for `rcpt`, sent to `to`, with `copy` pasted below its marker line. */
function qmailNotice(to: string, rcpt: string, id: string, copy = ''): string {
	return [
		'From: MAILER-DAEMON@mx.client.example',
		`To: ${to}`,
		'Subject: failure notice',
		`Message-ID: <${id}@mx.client.example>`,
		'',
		'Hi. This is the qmail-send program at mx.client.example.',
		"I'm afraid I wasn't able to deliver your message to the following addresses.",
		"This is a permanent error; I've given up. Sorry it didn't work out.",
		'',
		`<${rcpt}>:`,
		'Sorry, no mailbox here by that name. (#5.1.1)',
		'',
		'--- Below this line is a copy of the message.',
		'',
		copy,
	].join('\r\n');
}

describe('IMAP Sync Trigger: bounces matched to the sent emails', () => {
	let dv: DovecotHandle;
	let captured: CapturedMessage[];
	let messageIds: string[];
	beforeAll(async () => {
		dv = await sharedDovecot();
		const sink = await startSmtpCapture();
		try {
			const wf = sendWorkflow({
				to: '={{ $json.email }}',
				subject: 'Offer',
				html: '<p>Offer</p>',
				tracking: true,
				trackingOptions: { data: { value: [{ key: 'dealId', value: '={{ $json.deal }}' }] } },
			});
			wf.nodes[0].credentials = {
				...wf.nodes[0].credentials,
				emailTracking: { id: 't', name: 't' },
			};
			const run = await runWorkflow(wf, {
				credentials: {
					crmMailSmtp: smtpCredential(sink, { bounceAddress: 'bounces@crm.local' }),
					emailTracking: { secret: SECRET, baseUrl: 'https://crm.local/webhook/t' },
				},
				input: ['ann', 'bob', 'eve'].map((n) => ({
					json: { email: `${n}@client.example`, deal: `D-${n}` },
				})),
			});
			messageIds = outputOf(run, NODE).map((o) => String(o.json.messageId));
			captured = await sink.waitFor(3);
		} finally {
			await sink.close();
		}
	});

	it('emits "sent" from the pasted header, from the VERP address, and null for a mere claim', async () => {
		const [ann, bob, eve] = captured;
		const header = (raw: Buffer) => raw.toString('latin1').split(/\r?\n\r?\n/, 1)[0];
		// ann's notice pastes the original; bob's quotes nothing and came back to the VERP address; eve's names
		// the Message-ID in a pasted header that carries no reference
		await deliverLmtp(
			dv,
			bounceMailbox,
			qmailNotice('bounces@crm.local', 'ann@client.example', 'n1', ann.raw.toString('latin1')),
			'',
		);
		await deliverLmtp(
			dv,
			bounceMailbox,
			qmailNotice(bob.envelope.mailFrom, 'bob@client.example', 'n2'),
			'',
		);
		const claim = header(eve.raw).replace(/^X-Crm-Mail-Ref:.*(\r?\n[ \t].*)*\r?\n/im, '');
		await deliverLmtp(
			dv,
			bounceMailbox,
			qmailNotice('bounces@crm.local', 'eve@client.example', 'n3', claim),
			'',
		);
		const trigger = await startTrigger(triggerWf(), 'IMAP Sync Trigger', {
			credentials: {
				crmMailImap: imapCredential(dv, bounceMailbox),
				emailTracking: { secret: SECRET, baseUrl: 'https://crm.local/webhook/t' },
			},
		});
		try {
			const events = (await trigger.waitForItems(3)).map((i) => i.json);
			expect(events.map((e) => [e.event, e.recipient])).toEqual([
				['bounce', 'ann@client.example'],
				['bounce', 'bob@client.example'],
				['bounce', 'eve@client.example'],
			]);
			expect(events[0].sent).toMatchObject({
				messageId: messageIds[0],
				recipient: 'ann@client.example',
				trackingData: { dealId: 'D-ann' },
				via: 'header',
			});
			expect(events[1].sent).toEqual({
				messageId: messageIds[1],
				recipient: 'bob@client.example',
				trackingId: null,
				trackingData: null,
				sentAt: null,
				via: 'verp',
			});
			expect(events[2]).toMatchObject({ original: { messageId: messageIds[2] }, sent: null });
		} finally {
			await trigger.close();
		}
	});

	it("a secret too short to be the send node's stops the activation with what to do", async () => {
		await expect(
			startTrigger(triggerWf(), 'IMAP Sync Trigger', {
				credentials: {
					crmMailImap: imapCredential(dv, bounceMailbox),
					emailTracking: { secret: 'short', baseUrl: 'https://crm.local/webhook/t' },
				},
			}),
		).rejects.toMatchObject({
			message: 'The Email Tracking credential is not usable',
			description: expect.stringMatching(/at least 32 characters/),
		});
	});
});
