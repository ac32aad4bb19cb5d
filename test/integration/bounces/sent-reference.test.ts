// Bounces of mail sent by Send Templated Email, returned by a real Postfix: the node (tracking on, a Bounce
// Address in its SMTP credential) sends through Postfix with a VERP envelope sender and the signed X-CRM-Mail-Ref
// header; Postfix bounces three ways: with the whole original, with its header only (larger than Postfix's
// bounce_size_limit, the body stripped), and through a relay that dropped the X-CRM-Mail-Ref header. Each report
// reaches the bounce mailbox by its +<token> address, and the bounce library (and the IMAP Sync Trigger) tells
// which send it was, with the tracking data, from what verifies: the header, else the VERP address.
import { randomBytes } from 'node:crypto';
import type { INodeExecutionData } from 'n8n-workflow';
import { classifyMessage, headerFields, type ReportEvent } from '../../../nodes/shared/bounces';
import { sealSendReference, openSendReference } from '../../../nodes/shared/bounces/reference';
import { deliverLmtp, imapCredential } from '../../harness/dovecot';
import { postfixLib, startBounceLab, waitForInbox, type BounceLab } from '../../harness/postfix';
import { outputOf, runWorkflow, startTrigger, type WorkflowJson } from '../../harness/workflow';
import { NODE, sendWorkflow, smtpCredential } from '../../workflow/templated-email/helpers';

const SECRET = randomBytes(32).toString('hex');
const tracking = { emailTracking: { secret: SECRET, baseUrl: 'https://crm.test.local/webhook/t' } };
/** Short: the VERP token takes 46 of the local part's 64 characters. */
const bounceMailbox = `vb${randomBytes(4).toString('hex')}@test.local`;
/** Over Postfix's bounce_size_limit (50000): its report then returns the header only. */
const BIG = `<p>${'Our whole catalogue. '.repeat(3000)}</p>`;

function sendWf(): WorkflowJson {
	const wf = sendWorkflow({
		to: '={{ $json.email }}',
		subject: 'Offer {{deal}}',
		html: '={{ $json.html }}',
		tracking: true,
		trackingOptions: {
			open: false,
			data: { value: [{ key: 'dealId', value: '={{ $json.deal }}' }] },
		},
	});
	wf.nodes[0].credentials = { ...wf.nodes[0].credentials, emailTracking: { id: 't', name: 't' } };
	return wf;
}

async function send(lab: BounceLab, port: number, items: Array<Record<string, string>>) {
	const run = await runWorkflow(sendWf(), {
		credentials: {
			crmMailSmtp: smtpCredential(
				{ host: lab.postfix.host, port },
				{ senderAddress: lab.sender, allowedSenders: '', bounceAddress: bounceMailbox },
			),
			...tracking,
		},
		input: items.map((json) => ({ json })),
	});
	return outputOf(run, NODE);
}

/**
 * A report written by someone else: a copy of a real one whose reference is sealed with another secret, whose
 * return addresses carry no token of ours, under a Message-ID of its own.
 */
function forgedCopy(report: Buffer): Buffer {
	const text = report.toString('latin1');
	// nodemailer writes the name as X-Crm-Mail-Ref and folds the long value onto the next line
	const sealed = /^X-CRM-Mail-Ref:\s*([\w-]+)/im.exec(text)![1];
	const claims = openSendReference(SECRET, sealed)!;
	const forged = text
		.replace(sealed, sealSendReference(randomBytes(32).toString('hex'), claims))
		.replace(new RegExp(`${bounceMailbox.split('@')[0]}\\+[a-z2-7]{45}@`, 'gi'), 'vb@')
		.replace(/^Message-Id: .*$/im, 'Message-Id: <forged-report@mta.test.local>');
	return Buffer.from(forged, 'latin1');
}

function triggerWf(): WorkflowJson {
	return {
		nodes: [
			{
				id: '5c0e2d1a-7b3f-4e2a-9d1c-0000000000f2',
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

describe('bounces of sent mail from a real Postfix: signed header and VERP return address', () => {
	let lab: BounceLab;
	let sent: INodeExecutionData[];
	let reports: Buffer[];
	const to = (name: string) => `${name}@${lab.postfix.hostname}`;
	const sentTo = (name: string) => sent.find((o) => String(o.json.accepted) === to(name))!;

	beforeAll(async () => {
		if (!postfixLib.findPostfix())
			throw new Error(
				`Postfix is needed by this test. Install it with: ${postfixLib.INSTALL_HINT}`,
			);
		lab = await startBounceLab({ mailboxes: [bounceMailbox], stripHeaders: ['X-CRM-Mail-Ref'] });
		sent = [
			...(await send(lab, lab.postfix.smtpPort, [
				{ email: to('whole'), deal: 'D-1', html: '<p>Hello</p>' },
				{ email: to('headers'), deal: 'D-2', html: BIG },
			])),
			// a relay on the way drops the header: only the return address is left
			...(await send(lab, lab.postfix.stripSmtpPort!, [
				{ email: to('stripped'), deal: 'D-3', html: '<p>Hello</p>' },
			])),
		];
		reports = await waitForInbox(lab.dovecot, bounceMailbox, 3);
		// and one report that only claims to be about a send of ours
		const whole = reports.find((r) => r.includes(to('whole')))!;
		await deliverLmtp(lab.dovecot, bounceMailbox, forgedCopy(whole), '');
	});

	afterAll(async () => {
		await lab?.stop();
	});

	it('sends with a VERP envelope sender on the bounce domain; the From stays', () => {
		expect(sent).toHaveLength(3);
		const local = bounceMailbox.split('@')[0];
		for (const out of sent) {
			const envelope = out.json.envelope as { from: string };
			expect(envelope.from).toMatch(new RegExp(`^${local}\\+[a-z2-7]{45}@test\\.local$`));
			expect(envelope.from.split('@')[0].length).toBeLessThanOrEqual(64);
			expect(out.json.messageId).toMatch(/^<[0-9a-f-]{36}@test\.local>$/);
		}
		expect(reports).toHaveLength(3);
		for (const raw of reports) {
			const headers = headerFields(raw);
			expect(headers.get('from')).toMatch(/MAILER-DAEMON@/);
			// delivered to the +<token> address, into the bounce mailbox
			expect(headers.get('to')).toMatch(new RegExp(`${local}\\+[a-z2-7]{45}@test\\.local`));
		}
	});

	it('reads which send each report is about: by the header when quoted (whole or header only), else by VERP', async () => {
		const events: ReportEvent[] = [];
		for (const raw of reports)
			events.push(...((await classifyMessage(raw, { referenceSecret: SECRET })) ?? []));
		const byRecipient = new Map(events.map((e) => [e.recipient, e]));
		const whole = reports.find((r) => r.includes(to('whole')))!.toString('latin1');
		const headersOnly = reports.find((r) => r.includes(to('headers')))!.toString('latin1');
		const stripped = reports.find((r) => r.includes(to('stripped')))!.toString('latin1');
		// what Postfix returned: the message, its header block only, and a copy without our header
		expect(whole).toMatch(/Content-Type: message\/rfc822/i);
		expect(headersOnly).toMatch(/Content-Type: text\/rfc822-headers/i);
		expect(headersOnly).not.toContain('Our whole catalogue');
		expect(headersOnly).toMatch(/X-CRM-Mail-Ref:/i);
		expect(stripped).not.toMatch(/X-CRM-Mail-Ref:/i);

		for (const [name, deal] of [
			['whole', 'D-1'],
			['headers', 'D-2'],
		]) {
			expect(byRecipient.get(to(name))).toMatchObject({
				event: 'bounce',
				kind: 'hard',
				reason: 'userUnknown',
				sent: {
					messageId: sentTo(name).json.messageId,
					recipient: to(name),
					trackingId: sentTo(name).json.trackingId,
					trackingData: { dealId: deal },
					via: 'header',
				},
			});
		}
		expect(byRecipient.get(to('stripped'))).toMatchObject({
			event: 'bounce',
			reason: 'userUnknown',
			sent: {
				messageId: sentTo('stripped').json.messageId,
				recipient: to('stripped'),
				trackingData: null,
				via: 'verp',
			},
		});
		// with another secret nothing verifies
		for (const raw of reports) {
			const [event] = (await classifyMessage(raw, {
				referenceSecret: randomBytes(32).toString('hex'),
			}))!;
			expect(event.sent).toBeNull();
		}
	});

	it('the IMAP Sync Trigger adds "sent" to the bounce events, and believes no forged reference', async () => {
		const trigger = await startTrigger(triggerWf(), 'IMAP Sync Trigger', {
			credentials: { crmMailImap: imapCredential(lab.dovecot, bounceMailbox), ...tracking },
		});
		try {
			const items = await trigger.waitForItems(4);
			const events = items.map((i) => i.json);
			for (const [name, via] of [
				['whole', 'header'],
				['headers', 'header'],
				['stripped', 'verp'],
			])
				expect(events).toContainEqual(
					expect.objectContaining({
						event: 'bounce',
						recipient: to(name),
						sent: expect.objectContaining({ messageId: sentTo(name).json.messageId, via }),
					}),
				);
			const fake = events.find((e) => e.messageId === '<forged-report@mta.test.local>');
			expect(fake).toMatchObject({ event: 'bounce', recipient: to('whole'), sent: null });
			// the secret is in no item
			expect(JSON.stringify(items)).not.toContain(SECRET);
			expect(trigger.errors).toEqual([]);
		} finally {
			await trigger.close();
		}
	});

	it('IMAP Mailbox Get Messages adds "sent" to the bounces it recognises', async () => {
		const run = await runWorkflow(mailboxWf(), {
			credentials: { crmMailImap: imapCredential(lab.dovecot, bounceMailbox), ...tracking },
		});
		const bounces = outputOf(run, 'Mailbox').flatMap(
			(i) => i.json.bounces as Array<Record<string, unknown>>,
		);
		for (const [name, via] of [
			['whole', 'header'],
			['headers', 'header'],
			['stripped', 'verp'],
		])
			expect(bounces).toContainEqual(
				expect.objectContaining({
					recipient: to(name),
					sent: expect.objectContaining({ messageId: sentTo(name).json.messageId, via }),
				}),
			);
		expect(bounces.filter((b) => b.sent === null)).toHaveLength(1); // the forged one
	});
});

function mailboxWf(): WorkflowJson {
	return {
		nodes: [
			{
				id: 'b1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'b2',
				name: 'Mailbox',
				type: 'n8n-nodes-crm-mail.imapMailbox',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					resource: 'message',
					operation: 'getMessages',
					folder: { __rl: true, mode: 'list', value: 'INBOX' },
					returnAll: true,
					options: { recogniseBounces: true },
					matchSentEmails: true,
				},
				credentials: {
					crmMailImap: { id: 'imap', name: 'imap' },
					emailTracking: { id: 't', name: 't' },
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Mailbox', type: 'main', index: 0 }]] } },
	};
}
