// CRM records in n8n data tables, through the public API. Race safety without unique constraints:
// every created row carries a `dedupe_key`; after inserting, the run reads back all rows with that key,
// the LOWEST id wins, and a run whose row lost deletes its own row and returns the winner. Readers also
// always take the lowest id, so a reader between insert and delete sees the same winner.
import { canonicalAddress } from '../../../shared/addresses';
import type {
	CrmBackend,
	CrmRecord,
	EmailLinkInput,
	EmailLinkResult,
	EntityType,
	LookupRequest,
	LookupResult,
	Option,
	RecordInput,
	SetupReport,
	Http,
	MarkedRecord,
	UndeliverableMark,
} from '../types';
import { CrmError, emptyLookup, finishLookup, pushTo } from '../types';
import type { Filter, Row } from './client';
import { DataTablesClient } from './client';
import type { TableKey } from './schema';
import { CLOSED_STAGES, DEFAULT_SOURCES, DEFAULT_STAGES, TABLE_KEYS, TABLES } from './schema';
import { markRows } from './undeliverable';

export class DataTablesBackend implements CrmBackend {
	readonly name = 'n8n Data Tables';
	readonly client: DataTablesClient;
	private ids?: Promise<Record<TableKey, string>>;
	/** The columns each table has (undefined where n8n's answer did not list them). */
	private columns = new Map<TableKey, Set<string> | undefined>();

	constructor(
		http: Http,
		private readonly prefix = 'crm_',
	) {
		this.client = new DataTablesClient(http);
	}

	tableName(key: TableKey): string {
		return `${this.prefix}${TABLES[key].suffix}`;
	}

	/** Table ids by key, one request per backend instance (i.e. per execution). */
	private tables(): Promise<Record<TableKey, string>> {
		this.ids ??= this.resolveTables().catch((e) => {
			this.ids = undefined;
			throw e;
		});
		return this.ids;
	}

	private async resolveTables(): Promise<Record<TableKey, string>> {
		const names = TABLE_KEYS.map((k) => this.tableName(k));
		const found = await this.client.listTables(names);
		const out = {} as Record<TableKey, string>;
		const missing: string[] = [];
		const badColumns: string[] = [];
		for (const key of TABLE_KEYS) {
			const t = found.find((f) => f.name === this.tableName(key));
			if (!t) {
				missing.push(this.tableName(key));
				continue;
			}
			out[key] = t.id;
			const have = new Set((t.columns ?? []).map((c) => c.name));
			this.columns.set(key, t.columns ? have : undefined);
			const lacking = t.columns
				? TABLES[key].columns.filter((c) => !c.optional && !have.has(c.name)).map((c) => c.name)
				: [];
			if (lacking.length) badColumns.push(`${t.name} (${lacking.join(', ')})`);
		}
		if (missing.length)
			throw new CrmError(
				`The CRM data tables ${missing.join(', ')} do not exist`,
				'Run the "Set Up Tables" operation of CRM Match & Create once with this credential; it creates them.',
			);
		if (badColumns.length)
			throw new CrmError(
				`These CRM data tables lack columns: ${badColumns.join('; ')}`,
				'Run the "Set Up Tables" operation: on n8n 2.41 and newer it adds the missing columns. Older n8n cannot add columns through its API: add them in the Data tables tab (type string, ids type number), or delete the tables and run "Set Up Tables".',
			);
		return out;
	}

	async setup(): Promise<SetupReport> {
		const found = await this.client.listTables(TABLE_KEYS.map((k) => this.tableName(k)));
		const columnsAdded: string[] = [];
		const report: SetupReport = { created: [], existing: [], columnsAdded };
		for (const key of TABLE_KEYS) {
			const name = this.tableName(key);
			const table = found.find((t) => t.name === name);
			if (!table) {
				await this.client.createTable(
					name,
					TABLES[key].columns.map((c) => ({ name: c.name, type: c.type })),
				);
				report.created.push(name);
				continue;
			}
			report.existing.push(name);
			const have = new Set((table.columns ?? []).map((c) => c.name));
			for (const column of table.columns
				? TABLES[key].columns.filter((c) => !have.has(c.name))
				: []) {
				// n8n before 2.41 has no column endpoint: the check below names what is missing and what to do
				const added = await this.client.addColumn(table.id, name, {
					name: column.name,
					type: column.type,
				});
				if (!added) break;
				columnsAdded.push(`${name}.${column.name}`);
			}
		}
		this.ids = undefined;
		await this.tables(); // verifies the columns of every table
		return report;
	}

	async lookup(req: LookupRequest): Promise<LookupResult> {
		const t = await this.tables();
		const result = emptyLookup();
		const wanted = new Set(req.addresses);
		const canon = new Set(req.canonical);
		const personFilters: Filter[] = [
			...req.addresses.map((a) => ({ columnName: 'email', value: a })),
			...req.canonical.map((c) => ({ columnName: 'email_canonical', value: c })),
		];
		const [contacts, leads] = await Promise.all([
			this.client.rows(t.contact, 'or', personFilters),
			this.client.rows(t.lead, 'or', personFilters),
		]);
		const people = [
			...contacts.map((r) => toRecord('contact', r)),
			...leads.map((r) => toRecord('lead', r)),
		];
		for (const rec of people) {
			if (rec.email && wanted.has(rec.email)) pushTo(result.byAddress, rec.email, rec);
			const c = rec.email ? canonicalAddress(rec.email) : '';
			if (c && canon.has(c)) pushTo(result.similar, c, rec);
		}
		const companyIds = [
			...new Set(
				people.filter((p) => p.type === 'contact' && p.companyId).map((p) => p.companyId!),
			),
		];
		const companyFilters: Filter[] = [
			...companyIds.map((id) => ({ columnName: 'id', value: Number(id) })),
			...req.domains.map((d) => ({ columnName: 'domain', value: d })),
			...req.addresses.map((a) => ({ columnName: 'email', value: a })),
		];
		const companies = companyFilters.length
			? (await this.client.rows(t.company, 'or', companyFilters)).map((r) => toRecord('company', r))
			: [];
		for (const co of companies) {
			result.companiesById.set(co.id, co);
			if (co.domain) pushTo(result.companiesByDomain, co.domain, co);
			if (co.email && wanted.has(co.email)) pushTo(result.byAddress, co.email, co);
		}
		const contactIds = people.filter((p) => p.type === 'contact').map((p) => p.id);
		const dealFilters: Filter[] = [
			...contactIds.map((id) => ({ columnName: 'contact_id', value: Number(id) })),
			...companies.map((c) => ({ columnName: 'company_id', value: Number(c.id) })),
		];
		const deals = dealFilters.length
			? (await this.client.rows(t.deal, 'or', dealFilters)).map((r) => toRecord('deal', r))
			: [];
		return finishLookup(
			result,
			sortById(deals).filter((d) => d.open),
			byId,
		);
	}

	async get(type: EntityType, id: string): Promise<CrmRecord | undefined> {
		const t = await this.tables();
		const rows = await this.client.rows(t[type], 'and', [{ columnName: 'id', value: Number(id) }]);
		return rows[0] ? toRecord(type, rows[0]) : undefined;
	}

	async find(
		type: EntityType,
		q: { email?: string; domain?: string; name?: string; limit: number },
	): Promise<CrmRecord[]> {
		const t = await this.tables();
		const filters: Filter[] = [];
		if (q.email) filters.push({ columnName: 'email', value: q.email.trim().toLowerCase() });
		if (q.domain) filters.push({ columnName: 'domain', value: q.domain.trim().toLowerCase() });
		if (q.name) filters.push({ columnName: 'name', condition: 'ilike', value: `%${q.name}%` });
		const rows = await this.client.rows(t[type], 'and', filters);
		return sortById(rows.map((r) => toRecord(type, r))).slice(0, q.limit);
	}

	async create(
		type: EntityType,
		input: RecordInput,
		dedupeKey?: string,
	): Promise<{ record: CrmRecord; created: boolean }> {
		const t = await this.tables();
		const table = t[type];
		// A deal closed in the Data Tables UI keeps its key: only open deals hold it.
		const holders = (rows: Row[]) =>
			type === 'deal' ? rows.filter((r) => toRecord('deal', r).open) : rows;
		if (dedupeKey) {
			const existing = holders(
				await this.client.rows(table, 'and', [{ columnName: 'dedupe_key', value: dedupeKey }]),
			);
			if (existing.length) return { record: toRecord(type, lowest(existing)), created: false };
		}
		const row = toRow(type, input);
		if (type === 'lead' && row.status === undefined) row.status = 'New';
		if (type === 'deal' && row.status === undefined) row.status = 'open';
		const [mine] = await this.client.insert(table, [
			{ ...row, ...(dedupeKey ? { dedupe_key: dedupeKey } : {}) },
		]);
		if (!dedupeKey) return { record: toRecord(type, mine), created: true };
		const all = holders(
			await this.client.rows(table, 'and', [{ columnName: 'dedupe_key', value: dedupeKey }]),
		);
		const winner = lowest(all.length ? all : [mine]);
		if (winner.id === mine.id) return { record: toRecord(type, mine), created: true };
		await this.client.deleteIds(table, [mine.id]);
		return { record: toRecord(type, winner), created: false };
	}

	async update(type: EntityType, id: string, input: RecordInput): Promise<CrmRecord> {
		const t = await this.tables();
		const data = toRow(type, input);
		// A closed deal frees its "one open deal per contact" key so the next email may open a new one.
		if (type === 'deal' && typeof data.status === 'string' && data.status !== 'open')
			data.dedupe_key = `closed:${id}`;
		const rows = await this.client.update(t[type], [{ columnName: 'id', value: Number(id) }], data);
		if (!rows.length)
			throw new CrmError(
				`No ${type} with id ${id} in ${this.tableName(type)}`,
				'Check the record id (the "id" column of the data table).',
				404,
			);
		return toRecord(type, rows[0]);
	}

	async linkEmails(emails: EmailLinkInput[]): Promise<EmailLinkResult[]> {
		const t = await this.tables();
		const keyOf = (m: string, type: string, id: string) => `${m}|${type}|${id}`;
		const messageIds = [...new Set(emails.filter((e) => e.targets.length).map((e) => e.messageId))];
		const byKey = new Map<string, Row[]>();
		const read = async () => {
			byKey.clear();
			const rows = await this.client.rows(
				t.emailLink,
				'or',
				messageIds.map((m) => ({ columnName: 'message_id', value: m })),
			);
			for (const r of rows) pushTo(byKey, String(r.dedupe_key), r);
		};
		if (messageIds.length) await read();
		const toInsert: Array<Record<string, unknown>> = [];
		const queued = new Set<string>();
		for (const e of emails)
			for (const target of e.targets) {
				const key = keyOf(e.messageId, target.type, target.id);
				if (byKey.has(key) || queued.has(key)) continue;
				queued.add(key);
				toInsert.push({
					message_id: e.messageId,
					subject: e.subject,
					direction: e.direction,
					sent_at: e.date ?? '',
					entity_type: target.type,
					entity_id: Number(target.id),
					from_address: e.from,
					to_addresses: [...e.to, ...e.cc].join(', '),
					dedupe_key: key,
				});
			}
		const mine = new Set((await this.client.insert(t.emailLink, toInsert)).map((r) => r.id));
		if (mine.size) {
			await read();
			const losers = [...byKey.values()].flatMap((rows) =>
				rows.filter((r) => r.id !== lowest(rows).id && mine.has(r.id)).map((r) => r.id),
			);
			await this.client.deleteIds(t.emailLink, losers);
		}
		return emails.map((e) => ({
			links: e.targets.map((target) => {
				const winner = lowest(byKey.get(keyOf(e.messageId, target.type, target.id)) ?? []);
				return {
					...target,
					linkId: String(winner?.id ?? ''),
					created: winner ? mine.has(winner.id) : false,
				};
			}),
		}));
	}

	async markUndeliverable(marks: UndeliverableMark[]): Promise<MarkedRecord[][]> {
		const t = await this.tables();
		return await markRows(
			this.client,
			{ ids: t, columns: this.columns, nameOf: (k) => this.tableName(k) },
			marks,
		);
	}

	async listUsers(): Promise<Option[]> {
		// n8n users (owner / admin keys may list them); a member key falls back to no list.
		const res = await this.client.call<{
			data: Array<{ email: string; firstName?: string; lastName?: string }>;
		}>({ method: 'GET', path: '/users', query: { limit: '250' } }, 'list users');
		return res.data.map((u) => ({
			name: [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email,
			value: u.email,
		}));
	}

	async listSources(): Promise<Option[]> {
		return DEFAULT_SOURCES.map((s) => ({ name: s, value: s }));
	}

	async listStages(): Promise<Option[]> {
		const stages = new Set(DEFAULT_STAGES);
		let t: Record<TableKey, string>;
		try {
			t = await this.tables();
		} catch (e) {
			// before "Set Up Tables" ran (or with tables that lack columns) the usual stages still fill the
			// dropdown; running the node says what to set up
			if (e instanceof CrmError && e.status === undefined)
				return [...stages].map((s) => ({ name: s, value: s }));
			throw e;
		}
		const rows = await this.client.rows(t.deal, 'and', []);
		for (const r of rows) if (typeof r.stage === 'string' && r.stage) stages.add(r.stage);
		return [...stages].map((s) => ({ name: s, value: s }));
	}
}

function lowest(rows: Row[]): Row {
	return rows.reduce((a, b) => (b.id < a.id ? b : a), rows[0]);
}
function byId(a: CrmRecord, b: CrmRecord): number {
	return Number(a.id) - Number(b.id);
}
function sortById(list: CrmRecord[]): CrmRecord[] {
	return list.sort(byId);
}
function str(v: unknown): string | undefined {
	return v === null || v === undefined || v === '' ? undefined : String(v);
}

export function toRecord(type: EntityType, row: Row): CrmRecord {
	const email = str(row.email)?.toLowerCase();
	const stage = str(row.stage);
	const status = str(row.status)?.toLowerCase();
	return {
		type,
		id: String(row.id),
		name: str(row.name) ?? email ?? '',
		email,
		emails: email ? [email] : [],
		domain: str(row.domain)?.toLowerCase(),
		companyId: str(row.company_id),
		contactId: str(row.contact_id),
		ownerId: str(row.owner),
		source: str(row.source),
		stage,
		open:
			type === 'deal'
				? !(status === 'won' || status === 'lost' || CLOSED_STAGES.has((stage ?? '').toLowerCase()))
				: undefined,
		createdAt: str(row.createdAt),
		raw: row,
	};
}

function toRow(type: EntityType, i: RecordInput): Record<string, unknown> {
	const row: Record<string, unknown> = {};
	const set = (k: string, v: unknown) => v !== undefined && (row[k] = v);
	set('name', i.name ?? ([i.firstName, i.lastName].filter(Boolean).join(' ') || undefined));
	set('owner', i.ownerId);
	set('source', i.source);
	if (i.email !== undefined && type !== 'deal') {
		const email = i.email.trim().toLowerCase();
		set('email', email);
		if (type !== 'company') set('email_canonical', email ? canonicalAddress(email) : '');
	}
	if (type === 'contact') {
		set('first_name', i.firstName);
		set('last_name', i.lastName);
		set('company_id', i.companyId === undefined ? undefined : Number(i.companyId));
	}
	if (type === 'company') set('domain', i.domain?.toLowerCase());
	if (type === 'lead')
		set('contact_name', [i.firstName, i.lastName].filter(Boolean).join(' ') || undefined);
	if (type === 'deal') {
		set('stage', i.stage);
		if (i.stage !== undefined)
			set(
				'status',
				CLOSED_STAGES.has(i.stage.toLowerCase())
					? /lost/i.test(i.stage)
						? 'lost'
						: 'won'
					: 'open',
			);
		set('amount', i.amount);
		set('contact_id', i.contactId === undefined ? undefined : Number(i.contactId));
		set('company_id', i.companyId === undefined ? undefined : Number(i.companyId));
	}
	return { ...row, ...(i.extra ?? {}) };
}
