// n8n's public REST API for data tables (n8n >= 2.7; checked against the openapi.yml of 2.8.4 and 2.41.1): list /
// create tables, read rows with a JSON filter (`and` | `or` of `{ columnName, condition, value }`, condition
// defaults to `eq`), cursor pagination (limit <= 250), insert, update, delete by filter. Columns of an existing
// table can be added from n8n 2.41 on (POST /data-tables/{id}/columns); 2.8 has no column endpoints (404).
import type { Http, HttpRequest } from '../types';
import { CrmError } from '../types';

export interface Row {
	id: number;
	[column: string]: unknown;
}
export interface Filter {
	columnName: string;
	condition?: 'eq' | 'neq' | 'like' | 'ilike' | 'gt' | 'gte' | 'lt' | 'lte';
	value: string | number | boolean | null;
}
export interface TableInfo {
	id: string;
	name: string;
	columns?: Array<{ name: string; type: string }>;
}

/** Budget for the URL-encoded filter of one GET: n8n (Node's http) refuses request heads over 16 KB. */
export const FILTER_URL_BUDGET = 12_000;
const PAGE = 250;

export function filterCost(f: Filter): number {
	return encodeURIComponent(JSON.stringify(f)).length + 3;
}

export class DataTablesClient {
	/** Requests sent (the benchmark and tests read it). */
	requests = 0;

	constructor(private readonly http: Http) {}

	async call<T>(req: HttpRequest, what: string): Promise<T> {
		this.requests++;
		let res;
		try {
			res = await this.http(req);
		} catch (e) {
			throw new CrmError(
				`Cannot reach the n8n API (${what}): ${(e as Error).message}`,
				'Check the n8n base URL in the credential (e.g. http://localhost:5678) and that n8n is running and reachable from here.',
				undefined,
				true,
			);
		}
		if (res.status >= 200 && res.status < 300) return res.body as T;
		const message =
			(res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body ?? '');
		if (res.status === 401)
			throw new CrmError(
				`The n8n API refused the API key (401): ${message}`,
				'Create an API key in n8n under Settings > n8n API and put it in the credential.',
				401,
			);
		if (res.status === 403)
			throw new CrmError(
				`The n8n API key may not ${what} (403): ${message}`,
				'Give the API key the data table scopes (dataTable:*, dataTableRow:*).',
				403,
			);
		if (res.status === 404 && !/data ?table/i.test(message))
			throw new CrmError(
				`The n8n API answered 404 to ${what}`,
				'n8n 2.7 or newer is needed, with the public API enabled (N8N_PUBLIC_API_DISABLED unset).',
				404,
			);
		if (res.status === 404)
			throw new CrmError(
				`A CRM data table is gone (${what}): ${message}`,
				'Run the "Set Up Tables" operation of CRM Match & Create to create the missing tables.',
				404,
			);
		throw new CrmError(
			`The n8n API could not ${what} (${res.status}): ${message}`,
			'Check the data tables in n8n; run "Set Up Tables" if they are missing.',
			res.status,
		);
	}

	async listTables(names: string[]): Promise<TableInfo[]> {
		// n8n's `filter.name` is a case-insensitive substring match, and a list of names means ALL of them; so
		// list every table and keep exact name matches here.
		const wanted = new Set(names);
		const out: TableInfo[] = [];
		let cursor: string | undefined;
		do {
			const query: Record<string, string> = { limit: String(PAGE) };
			if (cursor) query.cursor = cursor;
			const page = await this.call<{ data: TableInfo[]; nextCursor?: string | null }>(
				{ method: 'GET', path: '/data-tables', query },
				'list data tables',
			);
			out.push(...page.data.filter((t) => wanted.has(t.name)));
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return out;
	}

	async createTable(
		name: string,
		columns: Array<{ name: string; type: string }>,
	): Promise<TableInfo | undefined> {
		try {
			return await this.call<TableInfo>(
				{ method: 'POST', path: '/data-tables', body: { name, columns } },
				`create data table ${name}`,
			);
		} catch (e) {
			if (e instanceof CrmError && e.status === 409) return undefined; // created meanwhile by a parallel run
			throw e;
		}
	}

	/**
	 * Adds a column to an existing table. Undefined when this n8n has no column endpoints (n8n before 2.41
	 * answers such a path with a plain 404); a column that exists meanwhile (409) counts as added.
	 */
	async addColumn(
		tableId: string,
		tableName: string,
		column: { name: string; type: string },
	): Promise<boolean | undefined> {
		try {
			await this.call(
				{ method: 'POST', path: `/data-tables/${tableId}/columns`, body: column },
				`add the column ${column.name} to data table ${tableName}`,
			);
			return true;
		} catch (e) {
			if (e instanceof CrmError && e.status === 409) return true;
			if (e instanceof CrmError && e.status === 404 && !/gone/.test(e.message)) return undefined;
			throw e;
		}
	}

	/** Every row matching `type` over `filters`, split into several GETs when the filter is long. */
	async rows(tableId: string, type: 'and' | 'or', filters: Filter[]): Promise<Row[]> {
		if (type === 'and' || filters.length <= 1)
			return await this.rowsOnce(tableId, { type, filters });
		const chunks: Filter[][] = [];
		let current: Filter[] = [];
		let used = 0;
		for (const f of filters) {
			const c = filterCost(f);
			if (current.length && used + c > FILTER_URL_BUDGET) {
				chunks.push(current);
				current = [];
				used = 0;
			}
			current.push(f);
			used += c;
		}
		if (current.length) chunks.push(current);
		const pages = await Promise.all(
			chunks.map((c) => this.rowsOnce(tableId, { type: 'or', filters: c })),
		);
		const seen = new Set<number>();
		return pages.flat().filter((r) => !seen.has(r.id) && seen.add(r.id));
	}

	private async rowsOnce(
		tableId: string,
		filter: { type: string; filters: Filter[] },
	): Promise<Row[]> {
		const out: Row[] = [];
		let cursor: string | undefined;
		do {
			const query: Record<string, string> = { limit: String(PAGE) };
			if (filter.filters.length) query.filter = JSON.stringify(filter);
			if (cursor) query.cursor = cursor;
			const page = await this.call<{ data: Row[]; nextCursor?: string | null }>(
				{ method: 'GET', path: `/data-tables/${tableId}/rows`, query },
				'read rows',
			);
			out.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return out;
	}

	async insert(tableId: string, data: Array<Record<string, unknown>>): Promise<Row[]> {
		if (!data.length) return [];
		return await this.call<Row[]>(
			{ method: 'POST', path: `/data-tables/${tableId}/rows`, body: { data, returnType: 'all' } },
			'insert rows',
		);
	}

	async update(tableId: string, filters: Filter[], data: Record<string, unknown>): Promise<Row[]> {
		const filter = { type: 'and', filters: filters.map((f) => ({ condition: 'eq', ...f })) };
		return await this.call<Row[]>(
			{
				method: 'PATCH',
				path: `/data-tables/${tableId}/rows/update`,
				body: { filter, data, returnData: true },
			},
			'update rows',
		);
	}

	async deleteIds(tableId: string, ids: number[]): Promise<void> {
		if (!ids.length) return;
		const filter = {
			type: 'or',
			filters: ids.map((id) => ({ columnName: 'id', condition: 'eq', value: id })),
		};
		await this.call(
			{
				method: 'DELETE',
				path: `/data-tables/${tableId}/rows/delete`,
				query: { filter: JSON.stringify(filter) },
			},
			'delete rows',
		);
	}
}
