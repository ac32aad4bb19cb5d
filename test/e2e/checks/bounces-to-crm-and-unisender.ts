// examples/bounces-to-crm-and-unisender.json in a real n8n: the CRM tables are set up and hold a contact whose
// address is dead; a real Postfix delivery status notification (test/fixtures/bounces, "unknown user") for
// that address is delivered into sales@crm.local's INBOX with the null sender, as an MTA returns it. The IMAP
// Sync Trigger turns it into a hard bounce event, CRM Match marks the contact's row undeliverable, and
// Unisender's Stop Mailing deactivates the address in the Unisender stand-in.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { REPO, publicApi, runHelperWorkflow } from '../harness';

const { deliverToLmtp } = require('../../../scripts/lib/smtp');

const tag = randomUUID().slice(0, 8);
const dead = `gone-${tag}@shop.example`;
const FIXTURE = path.join(REPO, 'test/fixtures/bounces/postfix-local-unknown-user.eml');

function itemsOf(execution: Execution, node: string): Json[] {
	return (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main ?? [])
		.flat()
		.map((i: Json) => i?.json);
}

async function contactsTable(env: E2eEnv): Promise<string> {
	const list = await publicApi(env, 'GET', '/data-tables?limit=100');
	const table = (list.data as Json[]).find((t) => t.name === 'crm_contacts');
	if (!table) throw new Error('"Set Up Tables" made no crm_contacts table');
	return table.id;
}

async function contactRows(env: E2eEnv): Promise<Json[]> {
	const filter = JSON.stringify({
		type: 'and',
		filters: [{ columnName: 'email', condition: 'eq', value: dead }],
	});
	const page = await publicApi(
		env,
		'GET',
		`/data-tables/${await contactsTable(env)}/rows?limit=10&filter=${encodeURIComponent(filter)}`,
	);
	return page.data;
}

/**
 * Deletes the report from the shared sandbox INBOX once checked: the other mail examples watch it too, and
 * their flows are for ordinary mail.
 */
async function removeReport(env: E2eEnv): Promise<void> {
	const sandbox = env.sandbox!;
	const client = new ImapFlow({
		host: sandbox.host,
		port: sandbox.imapPort,
		secure: false,
		doSTARTTLS: false,
		auth: { user: sandbox.users.sales.user, pass: sandbox.users.sales.pass },
		logger: false,
	});
	client.on('error', () => undefined);
	await client.connect();
	try {
		await client.mailboxOpen('INBOX');
		const uids = await client.search(
			{ header: { 'message-id': `<report-${tag}@reports.example>` } },
			{ uid: true },
		);
		if (uids && uids.length) await client.messageDelete(uids, { uid: true });
	} finally {
		await client.logout().catch(() => undefined);
	}
}

const check: ExampleCheck = {
	async prepare(env: E2eEnv) {
		const setup = await runHelperWorkflow(env, {
			name: 'Set up the CRM tables (bounces)',
			nodes: [
				{
					id: 'e2e-bounce-setup-1',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'e2e-bounce-setup-2',
					name: 'Set Up Tables',
					type: `${env.packageName}.crmMatch`,
					typeVersion: 2,
					position: [240, 0],
					parameters: { backend: 'dataTables', operation: 'setupTables', options: {} },
					credentials: { crmMailN8nApi: { id: 'sandbox-n8n-api', name: 'Sandbox n8n API' } },
				},
			],
			connections: { Start: { main: [[{ node: 'Set Up Tables', type: 'main', index: 0 }]] } },
		});
		if (setup.status !== 'success')
			throw new Error(`"Set Up Tables" failed: ${setup.data?.resultData?.error?.message}`);
		await publicApi(env, 'POST', `/data-tables/${await contactsTable(env)}/rows`, {
			data: [{ name: 'Gone Customer', email: dead, email_canonical: dead }],
			returnType: 'all',
		});
	},
	async trigger(env: E2eEnv) {
		if (!env.sandbox) throw new Error('The mail sandbox is not running (Dovecot missing?)');
		const sales = env.sandbox.users.sales.user;
		const raw = fs
			.readFileSync(FIXTURE, 'utf8')
			.replace(/nobody@shop\.example/g, dead)
			.replace(/"nobody"/g, `"gone-${tag}"`)
			.replace(/<report-5@reports\.example>/, `<report-${tag}@reports.example>`)
			.replace(/^To: Anna Sales <sales@shop\.example>/m, `To: ${sales}`)
			.replace(/\r?\n/g, '\r\n');
		await deliverToLmtp({
			host: env.sandbox.host,
			port: env.sandbox.lmtpPort,
			envelope: { mailFrom: '', rcptTo: [sales] },
			raw,
		});
	},
	pick: (execution) =>
		itemsOf(execution, 'Bounces and Complaints').some((e) => e.recipient === dead),
	async check(execution: Execution, env: E2eEnv) {
		await removeReport(env);
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const [event] = itemsOf(execution, 'Bounces and Complaints').filter(
			(e) => e.recipient === dead,
		);
		if (event.event !== 'bounce' || event.kind !== 'hard')
			throw new Error(`The DSN was not read as a hard bounce: ${JSON.stringify(event)}`);
		const marked = itemsOf(execution, 'Mark Undeliverable in CRM').find(
			(i) => i.recipient === dead,
		);
		if (!marked?.crm?.changed || marked.crm.records?.[0]?.entity !== 'contact')
			throw new Error(`Mark Undeliverable did not mark the contact: ${JSON.stringify(marked)}`);
		const rows = await contactRows(env);
		if (rows.length !== 1 || rows[0].undeliverable !== true)
			throw new Error(`The contact row is not marked undeliverable: ${JSON.stringify(rows)}`);
		if (rows[0].undeliverable_reason !== 'hard bounce')
			throw new Error(`Unexpected reason on the row: ${JSON.stringify(rows[0])}`);
		const contact = env.unisender.fake.contact(dead);
		if (contact?.emailStatus !== 'inactive')
			throw new Error(
				`Unisender did not deactivate ${dead}: ${contact ? `status ${contact.emailStatus}` : 'no such contact'}`,
			);
		if (itemsOf(execution, 'Unsubscribe in Unisender').length)
			throw new Error('A hard bounce went down the complaint branch');
	},
	timeoutMs: 90000,
};

export default check;
