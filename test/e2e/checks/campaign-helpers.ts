// Helpers of the campaign example checks (mass-mail, campaign-report-page): n8n's public Data Tables API, the
// sandbox SMTP's record of every message it accepted, helper-workflow nodes and an Email Tracking Trigger
// workflow that writes the campaign log (the CRM Mail Data Tables API credential selected).
import { randomUUID } from 'node:crypto';
import { DomUtils, parseDocument } from 'htmlparser2';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { E2eEnv, Execution, Json } from '../harness';
import { publicApi } from '../harness';

const rt = require('../../../scripts/lib/n8n-runtime');

export const THUNDERBIRD =
	'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0';

/** A credential of examples/credentials.json as a workflow references it. */
export function credential(env: E2eEnv, id: string): { id: string; name: string } {
	const saved = env.credentialIds.get(id);
	if (!saved) throw new Error(`The e2e has no credential "${id}" from examples/credentials.json`);
	return { id, name: saved.name };
}

/** A node of a helper workflow. */
export function node(name: string, type: string, parameters: Json, extra: Json = {}): Json {
	return {
		id: randomUUID(),
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...extra,
	};
}

/** Connections of a chain of nodes, each into the next. */
export function chain(...names: string[]): Json {
	return Object.fromEntries(
		names
			.slice(0, -1)
			.map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);
}

/** The output items (json) of a node in an execution. */
export function itemsOf(execution: Execution, nodeName: string, output = 0): Json[] {
	return (execution.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[output] ?? []).map(
		(i: Json) => i.json,
	);
}

export function mustSucceed(execution: Execution, what: string): void {
	if (execution.status !== 'success')
		throw new Error(
			`${what} ended with status ${execution.status}: ${execution.data?.resultData?.error?.message ?? 'no error message'}`,
		);
}

export async function tableId(env: E2eEnv, name: string): Promise<string> {
	const list = await publicApi(env, 'GET', '/data-tables?limit=100');
	const table = (list.data as Json[]).find((t) => t.name === name);
	if (!table)
		throw new Error(
			`No data table "${name}"; tables: ${(list.data as Json[]).map((t) => t.name).join(', ') || 'none'}`,
		);
	return table.id;
}

/** Every row of a data table (optionally those whose column equals value), page by page. */
export async function tableRows(
	env: E2eEnv,
	name: string,
	where?: { column: string; value: string },
): Promise<Json[]> {
	const id = await tableId(env, name);
	const filter = where
		? `&filter=${encodeURIComponent(JSON.stringify({ type: 'and', filters: [{ columnName: where.column, condition: 'eq', value: where.value }] }))}`
		: '';
	const rows: Json[] = [];
	let cursor: string | undefined;
	do {
		const page = await publicApi(
			env,
			'GET',
			`/data-tables/${id}/rows?limit=250${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		rows.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return rows;
}

/** Creates a data table of text columns and fills it; returns its id. */
export async function createTable(
	env: E2eEnv,
	name: string,
	columns: string[],
	rows: Array<Record<string, string>>,
): Promise<string> {
	const table = await publicApi(env, 'POST', '/data-tables', {
		name,
		columns: columns.map((c) => ({ name: c, type: 'string' })),
	});
	for (let i = 0; i < rows.length; i += 100)
		await publicApi(env, 'POST', `/data-tables/${table.id}/rows`, {
			data: rows.slice(i, i + 100),
			returnType: 'count',
		});
	return table.id;
}

/** What the sandbox SMTP accepted (and relayed into the mailboxes), in the order it accepted them. */
export interface SinkMessage {
	envelope: { mailFrom: string; rcptTo: string[] };
	raw: Buffer;
	receivedAt: Date;
}

export function sinkMessages(env: E2eEnv): SinkMessage[] {
	const smtp = (env.sandbox as unknown as { smtp?: { messages: SinkMessage[] } } | null)?.smtp;
	if (!smtp) throw new Error('The mail sandbox (and its SMTP endpoint) is not running');
	return smtp.messages;
}

export const parse = (m: SinkMessage): Promise<ParsedMail> => simpleParser(m.raw);

/**
 * Imports and activates an Email Tracking Trigger workflow on the path of the "Sandbox Email Tracking"
 * credential (the trigger of examples/opened-to-unisender, which is inactive meanwhile) with the CRM Mail Data
 * Tables API credential: it writes opens, clicks and unsubscribes of campaign emails into the campaign log and
 * puts unsubscribes on the suppression list. Bots are kept (the report splits people from machines).
 */
export async function activateCampaignTracking(env: E2eEnv): Promise<string> {
	const workflow = {
		name: 'e2e: campaign tracking events',
		nodes: [
			node(
				'Tracking Event',
				`${env.packageName}.emailTrackingTrigger`,
				{
					path: 'email-tracking',
					events: ['opened', 'clicked', 'unsubscribed'],
					options: { dropBots: false, replay: 'everyHit' },
				},
				{
					webhookId: randomUUID(),
					credentials: {
						emailTracking: credential(env, 'sandbox-tracking'),
						crmMailN8nApi: credential(env, 'sandbox-n8n-api'),
					},
				},
			),
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
	const [saved] = await rt.importWorkflows(
		env.session,
		[{ file: 'e2e-campaign-tracking', workflow }],
		{ credentialMap: env.credentialIds, activate: true },
	);
	if (!saved.active)
		throw new Error(
			`The tracking workflow was not activated: ${JSON.stringify(saved).slice(0, 300)}`,
		);
	return saved.id;
}

export async function deactivate(env: E2eEnv, workflowId: string): Promise<void> {
	await rt.deactivateWorkflow(env.session, workflowId).catch(() => undefined);
}

/** Polls until `done` holds for what `read` returns; throws with `what` and the last value on timeout. */
export async function waitFor<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	what: string,
	timeoutMs = 30000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline)
			throw new Error(
				`${what} within ${timeoutMs / 1000} s; last: ${JSON.stringify(value).slice(0, 800)}`,
			);
		await new Promise((r) => setTimeout(r, 300));
	}
}

/** The tracking URLs of the campaign mail to `recipient`, as a browser reads them from its HTML. */
export async function trackingUrlsOf(env: E2eEnv, recipient: string) {
	const message = sinkMessages(env).find((m) => m.envelope.rcptTo.includes(recipient));
	if (!message) throw new Error(`The sandbox SMTP got no mail to ${recipient}`);
	const mail = await parse(message);
	const doc = parseDocument(String(mail.html || ''));
	const attr = (tag: string, name: string, part: string) => {
		const el = DomUtils.findOne(
			(e) => e.name === tag && (e.attribs[name] ?? '').includes(part),
			doc.children,
			true,
		);
		if (!el) throw new Error(`No ${part} link in the mail to ${recipient}:\n${mail.html}`);
		return el.attribs[name];
	};
	const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
	const oneClick = /<(https?:[^>]+)>/.exec(header.replace(/\r?\n[ \t]+/g, ' '))?.[1];
	if (!oneClick) throw new Error(`No one-click List-Unsubscribe in the mail to ${recipient}`);
	return { open: attr('img', 'src', '/open?t='), click: attr('a', 'href', '/click?t='), oneClick };
}

/** Fetches a tracking URL as a mail client does (Thunderbird unless `ua`), without following the redirect. */
export async function hit(url: string, init: RequestInit & { ua?: string } = {}): Promise<void> {
	const res = await fetch(url, {
		redirect: 'manual',
		...init,
		headers: { 'user-agent': init.ua ?? THUNDERBIRD, ...(init.headers ?? {}) },
	});
	await res.arrayBuffer();
	if (res.status >= 400) throw new Error(`${url} answered ${res.status}`);
}
