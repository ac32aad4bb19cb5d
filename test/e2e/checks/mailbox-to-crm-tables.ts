// examples/mailbox-to-crm-tables.json in a real n8n: first the CRM tables are created once with CRM Match's
// "Set Up Tables" (a small helper workflow run as the editor does), then a mail from an unknown sender is
// delivered into sales@crm.local's INBOX; the IMAP Sync Trigger starts the flow, CRM Match creates a lead for
// the sender and Link Email records the mail. Both are read back through n8n's public Data Tables API.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { publicApi, runHelperWorkflow } from '../harness';
import { deliverMail } from '../mail';

const tag = randomUUID().slice(0, 8);
const sender = `clara-${tag}@newcomer.example`;
const subject = `Request for a quote ${tag}`;

function itemsOf(execution: Execution, node: string): Json[] {
	return (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map(
		(i: Json) => i.json,
	);
}

async function tableId(env: E2eEnv, name: string): Promise<string> {
	const list = await publicApi(env, 'GET', '/data-tables?limit=100');
	const table = (list.data as Json[]).find((t) => t.name === name);
	if (!table)
		throw new Error(
			`No data table "${name}"; tables: ${(list.data as Json[]).map((t) => t.name).join(', ') || 'none'}`,
		);
	return table.id;
}

async function rows(env: E2eEnv, table: string, column: string, value: string): Promise<Json[]> {
	const filter = JSON.stringify({
		type: 'and',
		filters: [{ columnName: column, condition: 'eq', value }],
	});
	const page = await publicApi(
		env,
		'GET',
		`/data-tables/${await tableId(env, table)}/rows?limit=100&filter=${encodeURIComponent(filter)}`,
	);
	return page.data;
}

const check: ExampleCheck = {
	async prepare(env: E2eEnv) {
		const setup = await runHelperWorkflow(env, {
			name: 'Set up the CRM tables',
			nodes: [
				{
					id: 'e2e-setup-1',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'e2e-setup-2',
					name: 'Set Up Tables',
					type: `${env.packageName}.crmMatch`,
					typeVersion: 1,
					position: [240, 0],
					parameters: { backend: 'dataTables', operation: 'setupTables', options: {} },
					credentials: { crmMailN8nApi: { id: 'sandbox-n8n-api', name: 'Sandbox n8n API' } },
				},
			],
			connections: { Start: { main: [[{ node: 'Set Up Tables', type: 'main', index: 0 }]] } },
		});
		if (setup.status !== 'success')
			throw new Error(`"Set Up Tables" failed: ${setup.data?.resultData?.error?.message}`);
		await tableId(env, 'crm_leads');
	},
	async trigger(env: E2eEnv) {
		await deliverMail(env, 'sales', {
			from: sender,
			fromName: 'Clara Newcomer',
			subject,
			text: `We would like a quote for 20 seats. (${tag})`,
		});
	},
	pick: (execution) => itemsOf(execution, 'IMAP Sync Trigger').some((m) => m.subject === subject),
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const leads = await rows(env, 'crm_leads', 'email', sender);
		if (leads.length !== 1)
			throw new Error(
				`Expected one lead for ${sender} in crm_leads, found ${JSON.stringify(leads)}`,
			);
		if (!String(leads[0].contact_name ?? leads[0].name ?? '').length)
			throw new Error(`The lead has no name: ${JSON.stringify(leads[0])}`);
		const links = await rows(env, 'crm_email_links', 'entity_type', 'lead');
		const link = links.find((l) => String(l.subject) === subject);
		if (!link)
			throw new Error(
				`Link Email recorded no row for "${subject}" in crm_email_links: ${JSON.stringify(links)}`,
			);
		if (Number(link.entity_id) !== Number(leads[0].id))
			throw new Error(`The email is linked to ${link.entity_id}, not to the lead ${leads[0].id}`);
	},
	timeoutMs: 90000,
};

export default check;
