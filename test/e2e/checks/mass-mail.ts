// examples/mass-mail.json in a real n8n: a target list of 300 recipients in the data table mass_mail_list, 15
// of them put on the suppression list first (Suppression List > Add in a helper workflow). The check runs the
// workflow as a marketer does: first from "Send a Test First" (one test mail to the test address), then from
// the Schedule Trigger (n8n's "Execute workflow" from it, as nobody waits an hour). The sandbox SMTP must have
// accepted the test mail first, then exactly one mail to each of the 285 others and none to the 15; the rows
// say sent / suppressed, and the campaign log has 285 "sent" rows.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { runHelperWorkflow } from '../harness';
import {
	chain,
	createTable,
	credential,
	itemsOf,
	mustSucceed,
	node,
	parse,
	sinkMessages,
	tableRows,
	type SinkMessage,
} from './campaign-helpers';

const rt = require('../../../scripts/lib/n8n-runtime');

const CAMPAIGN = 'spring-offer-2026';
const TEST_ADDRESS = 'marketing@crm.local';
const tag = randomUUID().slice(0, 8);
const list = Array.from({ length: 300 }, (_, i) => ({
	email: `r${String(i + 1).padStart(3, '0')}-${tag}@masslist.example`,
	first_name: `Reader${i + 1}`,
}));
// every 20th from the 8th: not the first row, which the test mail is rendered for
const suppressed = new Set(list.filter((_, i) => i % 20 === 7).map((r) => r.email));
const state: { sinkBefore: number; testExecution?: Execution } = { sinkBefore: 0 };

const ours = (m: SinkMessage) =>
	m.envelope.rcptTo.some((r) => r.endsWith(`-${tag}@masslist.example`) || r === TEST_ADDRESS);

const check: ExampleCheck = {
	timeoutMs: 150000,
	async prepare(env: E2eEnv) {
		await createTable(
			env,
			'mass_mail_list',
			['email', 'first_name', 'status', 'sent_at', 'message_id', 'note'],
			list,
		);
		const run = await runHelperWorkflow(env, {
			name: 'Suppress 15 of the list',
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger', {}),
				node(
					'Addresses',
					'n8n-nodes-base.code',
					{
						jsCode: `return ${JSON.stringify([...suppressed])}.map((email) => ({ json: { email } }));`,
					},
					{ typeVersion: 2 },
				),
				node(
					'Suppress',
					`${env.packageName}.templatedEmail`,
					{
						resource: 'suppressionList',
						operation: 'add',
						email: '={{ $json.email }}',
						reason: 'unsubscribed',
						note: 'e2e',
					},
					{ credentials: { crmMailN8nApi: credential(env, 'sandbox-n8n-api') } },
				),
			],
			connections: chain('Start', 'Addresses', 'Suppress'),
		});
		mustSucceed(run, 'Suppressing 15 addresses');
		const added = itemsOf(run, 'Suppress');
		if (added.length !== 15 || added.some((a) => a.added !== true))
			throw new Error(`Suppression List > Add answered ${JSON.stringify(added).slice(0, 600)}`);
	},
	async trigger(env: E2eEnv) {
		state.sinkBefore = sinkMessages(env).length;
		const id = env.workflowIds.get('mass-mail')!;
		// the marketer's test first, and only then the batch
		const testId = await rt.runManually(env.session, id, 'Send a Test First');
		state.testExecution = await rt.waitForExecution(env.baseUrl, env.apiKey, testId, {
			timeoutMs: 60000,
		});
		await rt.runManually(env.session, id, 'Every Hour');
	},
	pick: (execution: Execution) => !!execution.data?.resultData?.runData?.['Send Campaign'],
	async check(execution: Execution, env: E2eEnv) {
		mustSucceed(state.testExecution!, 'The run from "Send a Test First"');
		mustSucceed(execution, 'The run from "Every Hour"');
		const testRun = itemsOf(state.testExecution!, 'Send Test');
		if (testRun.length !== 1 || state.testExecution!.data.resultData.runData['Send Campaign'])
			throw new Error(`The test run sent ${testRun.length} test mails and/or the campaign`);

		const sink = sinkMessages(env).slice(state.sinkBefore).filter(ours);
		const [first, ...rest] = sink;
		if (!first || first.envelope.rcptTo.join() !== TEST_ADDRESS)
			throw new Error(`The first mail went to ${first?.envelope.rcptTo}, not the test address`);
		const testMail = await parse(first);
		const original = String(testMail.headers.get('x-test-original-recipients') ?? '');
		if (original !== list[0].email || testMail.subject !== 'Our spring offer for Reader1')
			throw new Error(`Test mail: "${testMail.subject}" for "${original}"`);

		// exactly one mail to each address not suppressed, none to the suppressed ones
		const to = rest.flatMap((m) => m.envelope.rcptTo);
		const expected = list.map((r) => r.email).filter((e) => !suppressed.has(e));
		if (to.includes(TEST_ADDRESS)) throw new Error('A second mail went to the test address');
		if (to.length !== 285 || JSON.stringify([...to].sort()) !== JSON.stringify(expected.sort()))
			throw new Error(
				`Expected one mail to each of 285 addresses, got ${to.length} (${new Set(to).size} distinct); to suppressed: ${to.filter((t) => suppressed.has(t)).join(', ') || 'none'}`,
			);
		// a campaign mail: the row's name, tracking pixel, tracked link, opt-out link and header
		const sample = await parse(rest[0]);
		const html = String(sample.html || '');
		const recipient = rest[0].envelope.rcptTo[0];
		const row = list.find((r) => r.email === recipient)!;
		const checks = {
			subject: sample.subject === `Our spring offer for ${row.first_name}`,
			greeting: html.includes(`Hello ${row.first_name},`),
			pixel: /\/webhook\/email-tracking\/open\?t(=|&#x3D;)/.test(html),
			click: /\/webhook\/email-tracking\/click\?t(=|&#x3D;)/.test(html),
			optOut: /\/webhook\/email-tracking\/unsubscribe\?t(=|&#x3D;)/.test(html),
			listUnsubscribe: sample.headerLines.some((h) => h.key === 'list-unsubscribe'),
			noTestHeader: !sample.headers.get('x-test-original-recipients'),
		};
		if (Object.values(checks).includes(false))
			throw new Error(`Campaign mail to ${recipient}: ${JSON.stringify(checks)}\n${html}`);

		const out = itemsOf(execution, 'Send Campaign');
		const skipped = out.filter((o) => o.skipped === true && o.reason === 'suppressed');
		if (out.length !== 300 || skipped.length !== 15)
			throw new Error(`Send Campaign gave ${out.length} items, ${skipped.length} suppressed`);
		if (
			JSON.stringify(skipped.map((s) => s.recipient).sort()) !==
			JSON.stringify([...suppressed].sort())
		)
			throw new Error(`Skipped ${skipped.map((s) => s.recipient).join(', ')}`);
		const logged = out.filter((o) => !o.skipped && o.campaignLog?.written !== true);
		if (logged.length) throw new Error(`Not logged: ${JSON.stringify(logged[0])}`);

		// the list: 285 rows sent (time, Message-ID), 15 suppressed, none left without a status
		const rows = await tableRows(env, 'mass_mail_list');
		const status = (s: string) => rows.filter((r: Json) => r.status === s);
		const sent = status('sent');
		const badSent = sent.filter((r: Json) => !r.sent_at || !/^<.+@.+>$/.test(String(r.message_id)));
		if (sent.length !== 285 || status('suppressed').length !== 15 || badSent.length)
			throw new Error(
				`Rows: ${sent.length} sent (${badSent.length} without time or Message-ID), ${status('suppressed').length} suppressed, ${rows.filter((r: Json) => !r.status).length} without status`,
			);
		if (status('suppressed').some((r: Json) => !suppressed.has(r.email)))
			throw new Error('A row not on the suppression list was marked suppressed');

		// the campaign log: one "sent" row per mail, with its Message-ID
		const log = await tableRows(env, 'crm_campaign_log', { column: 'campaign', value: CAMPAIGN });
		const sentLog = log.filter((r: Json) => r.event === 'sent');
		const byRecipient = new Map(sent.map((r: Json) => [r.email, r.message_id]));
		const mismatched = sentLog.filter((r: Json) => byRecipient.get(r.recipient) !== r.message_id);
		if (
			sentLog.length !== 285 ||
			new Set(sentLog.map((r: Json) => r.recipient)).size !== 285 ||
			mismatched.length
		)
			throw new Error(
				`Campaign log: ${sentLog.length} sent rows, ${mismatched.length} not matching the list's Message-IDs`,
			);
	},
};

export default check;
