// n8n's public API and webhooks as the campaign benchmark reads them: data table rows (by campaign and event),
// a table's id by name, the executions of a workflow by status, and a workflow run through its Webhook node.
import * as path from 'node:path';

// Loaded at run time from the repository (not bundled): it locates the repository from its own path.
const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..', '..');
const rest = require(path.join(ROOT, 'scripts', 'lib', 'n8n-rest.js'));

/** Counts rows of a data table (filtered by campaign when given) straight through n8n's public API. */
export async function countRows(
	baseUrl: string,
	apiKey: string,
	tableId: string,
	campaign?: string,
): Promise<{ total: number; byEvent: Record<string, number> }> {
	const byEvent: Record<string, number> = {};
	let total = 0;
	let cursor: string | undefined;
	const filter = campaign
		? `&filter=${encodeURIComponent(JSON.stringify({ type: 'and', filters: [{ columnName: 'campaign', condition: 'eq', value: campaign }] }))}`
		: '';
	do {
		const page = await rest.publicApi(
			baseUrl,
			apiKey,
			'GET',
			`/data-tables/${tableId}/rows?limit=250${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		for (const row of page.data as Array<{ event?: string }>) {
			total++;
			const e = String(row.event ?? '-');
			byEvent[e] = (byEvent[e] ?? 0) + 1;
		}
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return { total, byEvent };
}

/** The executions of a workflow: how many, how many not finished, and "status/mode n" for the log. */
export async function executionStatuses(baseUrl: string, apiKey: string, workflowId: string) {
	const counts = new Map<string, number>();
	let total = 0;
	let pending = 0;
	let errorId: string | undefined;
	let cursor: string | undefined;
	do {
		const page = await rest.publicApi(
			baseUrl,
			apiKey,
			'GET',
			`/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${cursor}` : ''}`,
		);
		for (const e of page.data as Array<{ id: string; status?: string; mode?: string }>) {
			if (e.status === 'error') errorId ??= e.id;
			const key = `${e.status}/${e.mode}`;
			counts.set(key, (counts.get(key) ?? 0) + 1);
			total++;
			if (['new', 'running', 'waiting'].includes(String(e.status))) pending++;
		}
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	let firstError: string | undefined;
	if (errorId) {
		const e = await rest.publicApi(
			baseUrl,
			apiKey,
			'GET',
			`/executions/${errorId}?includeData=true`,
		);
		const error = e?.data?.resultData?.error;
		firstError = `${errorId}: ${error?.message ?? JSON.stringify(error ?? e?.data?.resultData ?? null).slice(0, 300)}`;
	}
	return {
		total,
		pending,
		firstError,
		text: [...counts].map(([k, n]) => `${k} ${n}`).join(', ') || 'none',
	};
}

/** Waits until the workflow has `expected` finished executions, or nothing moved for 20 s. */
export async function finishedExecutions(
	baseUrl: string,
	apiKey: string,
	workflowId: string,
	expected: number,
) {
	let last = '';
	let still = Date.now();
	for (;;) {
		const now = await executionStatuses(baseUrl, apiKey, workflowId);
		if ((now.total >= expected && !now.pending) || Date.now() - still > 20_000) return now;
		if (now.text !== last) [last, still] = [now.text, Date.now()];
		await new Promise((r) => setTimeout(r, 2000));
	}
}

export async function tableId(
	baseUrl: string,
	apiKey: string,
	name: string,
): Promise<string | undefined> {
	const page = await rest.publicApi(baseUrl, apiKey, 'GET', '/data-tables?limit=250');
	return (page.data as Array<{ id: string; name: string }>).find((t) => t.name === name)?.id;
}

export async function callWebhook(baseUrl: string, webhookPath: string, body: object) {
	const res = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30 * 60_000),
	});
	const text = await res.text();
	if (!res.ok)
		throw new Error(`webhook ${webhookPath} answered ${res.status}: ${text.slice(0, 800)}`);
	return JSON.parse(text);
}
