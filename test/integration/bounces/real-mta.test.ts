// Real bounces from a real MTA: mail submitted to a private Postfix (Debian's package) fails in the three
// everyday ways, Postfix returns its own delivery reports to the sender's Dovecot mailbox, and the bounce
// library reads each one: who failed, why, hard or soft, and which message it was (its Message-ID).
// The IMAP Sync Trigger, run as a workflow on that mailbox, turns the same reports into bounce events.
import { classifyMessage, headerFields, type ReportEvent } from '../../../nodes/shared/bounces';
import { imapCredential } from '../../harness/dovecot';
import {
	bounceScenarios,
	postfixLib,
	sendScenarios,
	startBounceLab,
	waitForInbox,
	type BounceLab,
	type BounceScenario,
} from '../../harness/postfix';
import { startTrigger, type WorkflowJson } from '../../harness/workflow';

function triggerWorkflow(): WorkflowJson {
	return {
		nodes: [
			{
				id: '5c0e2d1a-7b3f-4e2a-9d1c-0000000000f1',
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
					options: {},
				},
				credentials: { crmMailImap: { id: 'imap', name: 'imap' } },
			},
		],
		connections: {},
		staticData: {},
	};
}

describe('bounces from a real Postfix', () => {
	let lab: BounceLab;
	let scenarios: BounceScenario[];
	let reports: Buffer[];

	beforeAll(async () => {
		if (!postfixLib.findPostfix())
			throw new Error(
				`Postfix is needed by this test. Install it with: ${postfixLib.INSTALL_HINT}`,
			);
		lab = await startBounceLab();
		scenarios = bounceScenarios(lab);
		await sendScenarios(lab, scenarios);
		reports = await waitForInbox(lab.dovecot, lab.sender, scenarios.length);
	});

	afterAll(async () => {
		await lab?.stop();
	});

	it('returns one delivery report per failed message to the sender', () => {
		expect(reports).toHaveLength(scenarios.length);
		for (const raw of reports) {
			const headers = headerFields(raw);
			expect(headers.get('from')).toMatch(/MAILER-DAEMON@/);
			expect(headers.get('content-type')).toMatch(/report-type=delivery-status/);
		}
	});

	it.each(['unknownUser', 'unroutableDomain', 'mailboxFull'])(
		'%s: the report names the recipient, status, kind, reason and the original Message-ID',
		async (name) => {
			const scenario = scenarios.find((s) => s.name === name)!;
			const events: ReportEvent[] = [];
			for (const raw of reports) events.push(...((await classifyMessage(raw)) ?? []));
			const event = events.find((e) => e.original?.messageId === scenario.messageId);
			expect(event).toBeDefined();
			expect(event).toMatchObject({
				event: 'bounce',
				recipient: scenario.to,
				action: 'failed',
				kind: scenario.expect.kind,
				reason: scenario.expect.reason,
				reportingMta: lab.postfix.hostname,
			});
			expect(event!.status).toMatch(scenario.expect.status);
			expect(event!.original?.to).toEqual([scenario.to]);
		},
	);

	it('the IMAP Sync Trigger emits the reports as bounce events carrying the original Message-ID', async () => {
		const trigger = await startTrigger(triggerWorkflow(), 'IMAP Sync Trigger', {
			credentials: { crmMailImap: imapCredential(lab.dovecot, lab.sender) },
		});
		try {
			const items = await trigger.waitForItems(scenarios.length);
			const byMessageId = new Map(
				items.map((i) => [(i.json.original as { messageId?: string })?.messageId, i.json]),
			);
			for (const s of scenarios)
				expect(byMessageId.get(s.messageId)).toMatchObject({
					event: 'bounce',
					recipient: s.to,
					kind: s.expect.kind,
					reason: s.expect.reason,
					folder: 'INBOX',
				});
			expect(trigger.errors).toEqual([]);
		} finally {
			await trigger.close();
		}
	});
});
