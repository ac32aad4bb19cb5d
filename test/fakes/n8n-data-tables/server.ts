// A fake of n8n's public REST API for data tables, as documented in n8n 2.8.4's openapi.yml and implemented
// by its handlers: X-N8N-API-KEY auth (401 { message }), GET/POST /data-tables (filter {"name": [...]}, 409
// on a name conflict), rows with a JSON filter ({ type: and|or, filters: [{ columnName, condition = eq,
// value }]}), cursor pagination (base64 { limit, offset }, limit <= 250, nextCursor null at the end),
// insert (returnType count|id|all), PATCH rows/update, DELETE rows/delete?filter=, 404 for unknown tables,
// 400 for unknown columns. System columns id / createdAt / updatedAt.
// Columns of an existing table, as n8n 2.41.1 adds them (its openapi.yml and data-tables.columns.handler):
// GET / POST /data-tables/{id}/columns (201 { id, name, dataTableId, type, index }; 409 on a name conflict;
// 400 on a bad name or type), PATCH / DELETE /columns/{columnId}. As n8n 2.8.4 (`n8nVersion: '2.8'`, the
// default) the fake has no column endpoints and answers them as 2.8.4 answers a path it does not know.
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { FakeHttpServer } from '../../harness/fake-http';

interface Table {
	id: string;
	name: string;
	columns: Array<{ id: string; name: string; type: string; index: number }>;
	rows: Array<Record<string, unknown> & { id: number }>;
	nextId: number;
	createdAt: string;
	updatedAt: string;
}
interface Filter {
	columnName: string;
	condition?: string;
	value: unknown;
}

/** n8n 2.8.4's answer to a public-API path it does not know. */
const UNKNOWN_PATH_2_8 = { message: 'not found' };

export class FakeN8nDataTables extends FakeHttpServer {
	readonly tables = new Map<string, Table>();
	users = [{ id: 'u1', email: 'owner@example.com', firstName: 'Olga', lastName: 'Owner' }];
	private seq = 0;

	constructor(
		readonly apiKey = 'test-api-key',
		readonly n8nVersion: '2.8' | '2.41' = '2.8',
	) {
		super();
		const api = '/api/v1';
		const columns = /^\/api\/v1\/data-tables\/([^/]+)\/columns$/;
		const column = /^\/api\/v1\/data-tables\/([^/]+)\/columns\/([^/]+)$/;
		if (n8nVersion === '2.41') {
			this.route(
				'GET',
				columns,
				(req, res) =>
					this.auth(req, res) &&
					this.withTable(req, res, (t) =>
						res.json(t.columns.map((c) => ({ ...c, dataTableId: t.id }))),
					),
			);
			this.route(
				'POST',
				columns,
				(req, res) =>
					this.auth(req, res) && this.withTable(req, res, (t) => this.addColumn(t, req, res)),
			);
			this.route(
				'DELETE',
				column,
				(req, res) =>
					this.auth(req, res) && this.withTable(req, res, (t) => this.deleteColumn(t, req, res)),
			);
		} else {
			for (const method of ['GET', 'POST', 'PATCH', 'DELETE'] as const) {
				this.route(method, columns, (_req, res) => res.json(UNKNOWN_PATH_2_8, 404));
				this.route(method, column, (_req, res) => res.json(UNKNOWN_PATH_2_8, 404));
			}
		}
		this.route(
			'GET',
			`${api}/data-tables`,
			(req, res) => this.auth(req, res) && this.listTables(req, res),
		);
		this.route(
			'POST',
			`${api}/data-tables`,
			(req, res) => this.auth(req, res) && this.createTable(req, res),
		);
		this.route(
			'GET',
			/^\/api\/v1\/data-tables\/([^/]+)\/rows$/,
			(req, res) =>
				this.auth(req, res) && this.withTable(req, res, (t) => this.getRows(t, req, res)),
		);
		this.route(
			'POST',
			/^\/api\/v1\/data-tables\/([^/]+)\/rows$/,
			(req, res) =>
				this.auth(req, res) && this.withTable(req, res, (t) => this.insert(t, req, res)),
		);
		this.route(
			'PATCH',
			/^\/api\/v1\/data-tables\/([^/]+)\/rows\/update$/,
			(req, res) =>
				this.auth(req, res) && this.withTable(req, res, (t) => this.update(t, req, res)),
		);
		this.route(
			'DELETE',
			/^\/api\/v1\/data-tables\/([^/]+)\/rows\/delete$/,
			(req, res) =>
				this.auth(req, res) && this.withTable(req, res, (t) => this.remove(t, req, res)),
		);
		this.route(
			'GET',
			`${api}/users`,
			(req, res) => this.auth(req, res) && { data: this.users, nextCursor: null },
		);
	}

	/** Rows of a table by name (tests). */
	rowsOf(name: string): Array<Record<string, unknown>> {
		return [...this.tables.values()].find((t) => t.name === name)?.rows ?? [];
	}

	/** Creates a table directly (test setup), optionally with rows. */
	seed(
		name: string,
		columns: Array<{ name: string; type: string }>,
		rows: Array<Record<string, unknown>> = [],
	): Table {
		const t = this.newTable(name, columns);
		for (const r of rows) this.addRow(t, r);
		return t;
	}

	private auth(req: FakeRequest, res: FakeResponse): boolean {
		const key = req.headers['x-n8n-api-key'];
		if (!key) {
			res.json({ message: "'X-N8N-API-KEY' header required" }, 401);
			return false;
		}
		if (key !== this.apiKey) {
			res.json({ message: 'unauthorized' }, 401);
			return false;
		}
		return true;
	}

	private newTable(name: string, columns: Array<{ name: string; type: string }>): Table {
		const now = new Date().toISOString();
		const id = `dt${(++this.seq).toString(36).padStart(14, '0')}`;
		const t: Table = {
			id,
			name,
			columns: columns.map((c, index) => ({
				id: `${id}c${index}`,
				name: c.name,
				type: c.type,
				index,
			})),
			rows: [],
			nextId: 1,
			createdAt: now,
			updatedAt: now,
		};
		this.tables.set(id, t);
		return t;
	}

	private addRow(t: Table, data: Record<string, unknown>) {
		const now = new Date().toISOString();
		const row: Record<string, unknown> & { id: number } = {
			id: t.nextId++,
			createdAt: now,
			updatedAt: now,
		};
		for (const c of t.columns) row[c.name] = data[c.name] ?? null;
		t.rows.push(row);
		return row;
	}

	private page<T>(req: FakeRequest, res: FakeResponse, list: T[]): void {
		let offset = 0;
		let limit = Number(req.query.limit ?? 100);
		if (req.query.cursor) {
			try {
				const c = JSON.parse(Buffer.from(String(req.query.cursor), 'base64').toString('utf8'));
				offset = c.offset;
				limit = c.limit;
			} catch {
				return res.json({ message: 'An invalid cursor was provided' }, 400);
			}
		}
		if (!Number.isFinite(limit) || limit < 1 || limit > 250)
			return res.json({ message: 'request/query/limit must be <= 250' }, 400);
		const data = list.slice(offset, offset + limit);
		const nextCursor =
			offset + limit < list.length
				? Buffer.from(JSON.stringify({ limit, offset: offset + limit })).toString('base64')
				: null;
		res.json({ data, nextCursor });
	}

	private listTables(req: FakeRequest, res: FakeResponse) {
		let filter: { name?: string | string[]; id?: string | string[] } = {};
		if (req.query.filter) {
			try {
				filter = JSON.parse(String(req.query.filter));
			} catch {
				return res.json({ message: 'Invalid filter format' }, 400);
			}
		}
		// As n8n 2.8.4's DataTableRepository.applyFilters: ids are IN; every name is a case-insensitive substring
		// (LIKE %name%) and several names must ALL match (AND), so a list of names does not mean "any of".
		const idOk = (x: string) => filter.id === undefined || [filter.id].flat().includes(x);
		const nameOk = (x: string) =>
			[filter.name ?? []].flat().every((n) => x.toLowerCase().includes(String(n).toLowerCase()));
		const list = [...this.tables.values()]
			.filter((t) => nameOk(t.name) && idOk(t.id))
			.map(({ rows: _rows, nextId: _n, ...t }) => ({ ...t, projectId: 'p1' }));
		this.page(req, res, list);
	}

	private createTable(req: FakeRequest, res: FakeResponse) {
		const body = req.json as { name?: string; columns?: Array<{ name: string; type: string }> };
		if (!body?.name || !Array.isArray(body.columns))
			return res.json({ message: 'request/body must have required property name' }, 400);
		if ([...this.tables.values()].some((t) => t.name === body.name))
			return res.json(
				{ message: `Data table with name '${body.name}' already exists in this project` },
				409,
			);
		for (const c of body.columns) {
			if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(c.name))
				return res.json({ message: `Invalid column name '${c.name}'` }, 400);
			if (!['string', 'number', 'boolean', 'date'].includes(c.type))
				return res.json({ message: `Invalid column type '${c.type}'` }, 400);
		}
		const { rows: _r, nextId: _n, ...t } = this.newTable(body.name, body.columns);
		res.json({ ...t, projectId: 'p1' }, 201);
	}

	private addColumn(t: Table, req: FakeRequest, res: FakeResponse) {
		const body = req.json as { name?: string; type?: string; index?: number };
		if (!body?.name || !/^[a-zA-Z][a-zA-Z0-9_]*$/.test(body.name))
			return res.json({ message: `Invalid column name '${body?.name}'` }, 400);
		if (!['string', 'number', 'boolean', 'date'].includes(String(body.type)))
			return res.json(
				{
					message: `Invalid enum value. Expected 'string' | 'number' | 'boolean' | 'date', received '${body.type}'`,
				},
				400,
			);
		if (['id', 'createdAt', 'updatedAt'].includes(body.name))
			return res.json(
				{ message: `Column name "${body.name}" is reserved as a system column name.` },
				409,
			);
		if (t.columns.some((c) => c.name === body.name))
			return res.json(
				{
					message: `A column with the name '${body.name}' already exists in the data table '${t.name}'.`,
				},
				409,
			);
		const col = {
			id: `${t.id}c${t.columns.length}`,
			name: body.name,
			type: String(body.type),
			index: t.columns.length,
		};
		t.columns.push(col);
		for (const row of t.rows) row[col.name] = null;
		res.json({ ...col, dataTableId: t.id }, 201);
	}

	private deleteColumn(t: Table, req: FakeRequest, res: FakeResponse) {
		const at = t.columns.findIndex((c) => c.id === req.params['2']);
		if (at < 0) return res.json({ message: `Could not find the column '${req.params['2']}'` }, 404);
		const [col] = t.columns.splice(at, 1);
		for (const row of t.rows) delete row[col.name];
		res.send('', 204);
	}

	private withTable(req: FakeRequest, res: FakeResponse, fn: (t: Table) => unknown) {
		const t = this.tables.get(req.params['1']);
		if (!t)
			return res.json({ message: `Could not find the data table: '${req.params['1']}'` }, 404);
		return fn(t);
	}

	private parseFilter(
		t: Table,
		raw: unknown,
		res: FakeResponse,
	): { type: string; filters: Filter[] } | undefined {
		let f = raw as { type?: string; filters?: Filter[] };
		if (typeof raw === 'string') {
			try {
				f = JSON.parse(raw);
			} catch {
				res.json({ message: 'Invalid filter format' }, 400);
				return undefined;
			}
		}
		const names = new Set(['id', 'createdAt', 'updatedAt', ...t.columns.map((c) => c.name)]);
		for (const x of f.filters ?? []) {
			if (
				!['eq', 'neq', 'like', 'ilike', 'gt', 'gte', 'lt', 'lte', undefined].includes(x.condition)
			) {
				res.json({ message: 'Invalid filter fields' }, 400);
				return undefined;
			}
			if (!names.has(x.columnName)) {
				res.json(
					{ message: `Filter validation failed: Column '${x.columnName}' does not exist` },
					400,
				);
				return undefined;
			}
		}
		return { type: f.type ?? 'and', filters: f.filters ?? [] };
	}

	private matches(row: Record<string, unknown>, f: { type: string; filters: Filter[] }): boolean {
		if (!f.filters.length) return true;
		const test = (x: Filter) => {
			const v = row[x.columnName];
			const like = (ci: boolean) => {
				const re = new RegExp(
					`^${String(x.value)
						.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
						.replace(/%/g, '.*')}$`,
					ci ? 'is' : 's',
				);
				return v !== null && re.test(String(v));
			};
			switch (x.condition ?? 'eq') {
				case 'eq':
					return x.value === null ? v === null : v === x.value; // case-sensitive, like SQL `=`
				case 'neq':
					return x.value === null ? v !== null : v !== x.value;
				case 'like':
					return like(false);
				case 'ilike':
					return like(true);
				case 'gt':
					return (v as number) > (x.value as number);
				case 'gte':
					return (v as number) >= (x.value as number);
				case 'lt':
					return (v as number) < (x.value as number);
				default:
					return (v as number) <= (x.value as number);
			}
		};
		return f.type === 'or' ? f.filters.some(test) : f.filters.every(test);
	}

	private getRows(t: Table, req: FakeRequest, res: FakeResponse) {
		const f = this.parseFilter(t, req.query.filter ?? '{"filters":[]}', res) as
			{ type: string; filters: Filter[] } | undefined;
		if (!f) return;
		const rows = t.rows.filter((r) => this.matches(r, f));
		if (req.query.sortBy) {
			const [col, dir] = String(req.query.sortBy).split(':');
			rows.sort(
				(a, b) =>
					((a[col] as number) > (b[col] as number) ? 1 : -1) *
					(dir?.toLowerCase() === 'desc' ? -1 : 1),
			);
		}
		this.page(req, res, rows);
	}

	private insert(t: Table, req: FakeRequest, res: FakeResponse) {
		const body = req.json as { data?: Array<Record<string, unknown>>; returnType?: string };
		if (!Array.isArray(body?.data) || !body.data.length)
			return res.json({ message: 'request/body/data must NOT have fewer than 1 items' }, 400);
		const names = new Set(t.columns.map((c) => c.name));
		for (const r of body.data)
			for (const k of Object.keys(r))
				if (!names.has(k)) return res.json({ message: `unknown column name '${k}'` }, 400);
		const rows = body.data.map((r) => this.addRow(t, r));
		if (body.returnType === 'all') return res.json(rows);
		if (body.returnType === 'id') return res.json(rows.map((r) => r.id));
		res.json({ count: rows.length });
	}

	private update(t: Table, req: FakeRequest, res: FakeResponse) {
		const body = req.json as {
			filter?: unknown;
			data?: Record<string, unknown>;
			returnData?: boolean;
		};
		const f = body?.filter ? this.parseFilter(t, body.filter, res) : undefined;
		if (!f)
			return res.sent
				? undefined
				: res.json({ message: 'request/body must have required property filter' }, 400);
		const names = new Set(t.columns.map((c) => c.name));
		for (const k of Object.keys(body.data ?? {}))
			if (!names.has(k)) return res.json({ message: `unknown column name '${k}'` }, 400);
		const rows = t.rows.filter((r) => this.matches(r, f));
		for (const r of rows) Object.assign(r, body.data, { updatedAt: new Date().toISOString() });
		res.json(body.returnData ? rows : true);
	}

	private remove(t: Table, req: FakeRequest, res: FakeResponse) {
		if (!req.query.filter)
			return res.json({ message: "request/query must have required property 'filter'" }, 400);
		const f = this.parseFilter(t, req.query.filter, res);
		if (!f) return;
		if (!f.filters.length) return res.json({ message: 'Filter must not be empty' }, 400);
		const gone = t.rows.filter((r) => this.matches(r, f));
		t.rows = t.rows.filter((r) => !gone.includes(r));
		res.json(req.query.returnData === 'true' ? gone : true);
	}
}
