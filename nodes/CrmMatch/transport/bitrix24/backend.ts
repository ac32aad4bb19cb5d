// CRM records in Bitrix24 through an inbound webhook. Lookup = three rounds of `batch` for every address of
// an execution: (1) crm.duplicate.findbycomm per entity type (type EMAIL, 20 values a command), (2) the
// records by ID (crm.*.list, `@ID`, 50 a command) and companies whose web site is one of the work domains,
// (3) the companies of the matched contacts and their open deals (crm.deal.list, CLOSED = N).
//
// Company by domain (what is matched): a company whose WEB multi-field is exactly the domain, `www.` +
// domain, or either with `https://` (Bitrix24 filters multi-fields only by an exact value), or one of whose
// e-mail addresses is at the domain among the companies the lookup found.
//
// Races (decision): Bitrix24 has no unique constraint. A create re-reads what has the same address (or the
// open deals of the contact / company) right after: the OLDEST (DATE_CREATE, then ID, an ever-growing
// number) wins and a run whose record lost deletes its own. What remains: a record found by the lookup of
// a parallel run in the moment between its create and its delete.
import { canonicalAddress } from '../../../shared/addresses';
import type {
	CrmBackend,
	CrmRecord,
	EmailLinkInput,
	EmailLinkResult,
	EntityType,
	Http,
	LookupRequest,
	LookupResult,
	MarkOptions,
	MarkedRecord,
	Option,
	RecordInput,
	UndeliverableMark,
} from '../types';
import { CrmError, emptyLookup, finishLookup, pushTo } from '../types';
import { linkEmails } from './activities';
import type { Command } from './client';
import { Bitrix24Client, PAGE } from './client';
import type { Fields } from './mapping';
import { ENTITY, SELECT, compareAge, oldest, toFields, toRecord, websiteForms } from './mapping';
import { listSources, listStages, listUsers } from './options';
import { markRecords } from './undeliverable';

/** findbycomm takes at most 20 values a call. */
const FIND_VALUES = 20;
const PEOPLE: Array<{ type: EntityType; code: string }> = [
	{ type: 'contact', code: 'CONTACT' },
	{ type: 'lead', code: 'LEAD' },
	{ type: 'company', code: 'COMPANY' },
];

function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

export class Bitrix24Backend implements CrmBackend {
	readonly name = 'Bitrix24';
	readonly client: Bitrix24Client;

	constructor(http: Http, portal: string) {
		this.client = new Bitrix24Client(http, portal);
	}

	/** Ids per entity type of records with any of these addresses (one batch round). */
	private async idsByAddress(
		addresses: string[],
		types = PEOPLE,
	): Promise<Map<EntityType, string[]>> {
		const commands: Command[] = [];
		for (const { type, code } of types)
			chunks(addresses, FIND_VALUES).forEach((values, n) =>
				commands.push({
					key: `${type}${n}`,
					method: 'crm.duplicate.findbycomm',
					params: { entity_type: code, type: 'EMAIL', values },
				}),
			);
		const results = await this.client.all(commands, 'find records by e-mail');
		const out = new Map<EntityType, string[]>();
		for (const { type, code } of types) {
			const ids = new Set<string>();
			for (const c of commands.filter((c) => c.key.startsWith(type))) {
				const r = results.get(c.key) as Record<string, number[]> | unknown[] | undefined;
				if (r && !Array.isArray(r)) for (const id of r[code] ?? []) ids.add(String(id));
			}
			out.set(type, [...ids]);
		}
		return out;
	}

	private byIds(key: string, type: EntityType, ids: string[], extra: Fields = {}): Command[] {
		return chunks(ids, PAGE).map((chunk, n) => ({
			key: `${key}${n}`,
			method: `crm.${ENTITY[type]}.list`,
			params: {
				filter: { '@ID': chunk, ...extra },
				select: SELECT[type],
				order: { ID: 'ASC' },
			},
		}));
	}

	private static collect(
		lists: Map<string, Fields[]>,
		prefix: string,
		type: EntityType,
	): CrmRecord[] {
		const seen = new Set<string>();
		const out: CrmRecord[] = [];
		for (const [key, rows] of lists)
			if (key.startsWith(prefix))
				for (const f of rows)
					if (!seen.has(String(f.ID)) && seen.add(String(f.ID))) out.push(toRecord(type, f));
		return out;
	}

	async lookup(req: LookupRequest): Promise<LookupResult> {
		const result = emptyLookup();
		const wanted = new Set(req.addresses);
		const canon = new Set(req.canonical);
		const asked = [...new Set([...req.addresses, ...req.canonical])];
		if (!asked.length) return result;
		const domains = new Set(req.domains);
		const ids = await this.idsByAddress(asked);
		const round2: Command[] = [
			...this.byIds('contact', 'contact', ids.get('contact')!),
			// a converted lead is the contact / deal it became
			...this.byIds('lead', 'lead', ids.get('lead')!, { '!STATUS_ID': 'CONVERTED' }),
			...this.byIds('company', 'company', ids.get('company')!),
			...req.domains.map((d, n) => ({
				key: `web${n}`,
				method: 'crm.company.list',
				params: { filter: { WEB: websiteForms(d) }, select: SELECT.company, order: { ID: 'ASC' } },
			})),
		];
		const lists = await this.client.lists<Fields>(round2, 'read the matched records');
		const people = [
			...Bitrix24Backend.collect(lists, 'contact', 'contact'),
			...Bitrix24Backend.collect(lists, 'lead', 'lead'),
		];
		const companies = [
			...Bitrix24Backend.collect(lists, 'company', 'company'),
			...Bitrix24Backend.collect(lists, 'web', 'company'),
		];
		for (const rec of [...people, ...companies])
			for (const e of rec.emails ?? []) {
				if (wanted.has(e)) pushTo(result.byAddress, e, rec);
				const c = canonicalAddress(e);
				if (canon.has(c) && !wanted.has(e)) pushTo(result.similar, c, rec);
			}
		const contacts = people.filter((p) => p.type === 'contact');
		const missing = [
			...new Set(contacts.map((p) => p.companyId).filter((id): id is string => !!id)),
		].filter((id) => !companies.some((c) => c.id === id));
		const companyIds = [...new Set([...companies.map((c) => c.id), ...missing])];
		const open = { CLOSED: 'N' };
		const dealOrder = { DATE_CREATE: 'ASC', ID: 'ASC' };
		const round3: Command[] = [
			...this.byIds('company', 'company', missing),
			...chunks(
				contacts.map((c) => c.id),
				PAGE,
			).map((chunk, n) => ({
				key: `dealc${n}`,
				method: 'crm.deal.list',
				params: {
					filter: { '@CONTACT_ID': chunk, ...open },
					select: SELECT.deal,
					order: dealOrder,
				},
			})),
			...chunks(companyIds, PAGE).map((chunk, n) => ({
				key: `dealo${n}`,
				method: 'crm.deal.list',
				params: {
					filter: { '@COMPANY_ID': chunk, ...open },
					select: SELECT.deal,
					order: dealOrder,
				},
			})),
		];
		const more = round3.length
			? await this.client.lists<Fields>(round3, 'read companies and open deals')
			: new Map<string, Fields[]>();
		for (const co of [...companies, ...Bitrix24Backend.collect(more, 'company', 'company')]) {
			result.companiesById.set(co.id, co);
			const seen = new Set<string>();
			for (const d of [co.domain, ...(co.emails ?? []).map((e) => e.split('@')[1])])
				if (d && domains.has(d) && !seen.has(d)) {
					seen.add(d);
					pushTo(result.companiesByDomain, d, co);
				}
		}
		const deals = Bitrix24Backend.collect(more, 'deal', 'deal').sort(byAge);
		return finishLookup(result, deals, byAge);
	}

	async get(type: EntityType, id: string): Promise<CrmRecord | undefined> {
		const lists = await this.client.lists<Fields>(this.byIds('r', type, [id]), `read ${type}`);
		const f = lists.get('r0')?.[0];
		return f ? toRecord(type, f) : undefined;
	}

	private async withAddress(type: EntityType, email: string): Promise<Fields[]> {
		const code = PEOPLE.find((p) => p.type === type)!;
		const ids = (await this.idsByAddress([email], [code])).get(type)!;
		if (!ids.length) return [];
		const lists = await this.client.lists<Fields>(this.byIds('r', type, ids), `read ${type}`);
		return [...lists.values()].flat();
	}

	async find(
		type: EntityType,
		q: { email?: string; domain?: string; name?: string; limit: number },
	): Promise<CrmRecord[]> {
		let rows: Fields[] | undefined;
		if (q.email && type !== 'deal')
			rows = await this.withAddress(type, q.email.trim().toLowerCase());
		const filter: Fields = {};
		if (q.domain && type === 'company') filter.WEB = websiteForms(q.domain.trim().toLowerCase());
		const nameFields = q.name ? (type === 'contact' ? ['%NAME', '%LAST_NAME'] : ['%TITLE']) : [];
		if (rows === undefined || Object.keys(filter).length || nameFields.length) {
			if (rows) filter['@ID'] = rows.map((r) => r.ID);
			if (rows?.length === 0) return [];
			const variants = nameFields.length ? nameFields.map((k) => ({ [k]: q.name })) : [{}];
			const lists = await this.client.lists<Fields>(
				variants.map((v, n) => ({
					key: `f${n}`,
					method: `crm.${ENTITY[type]}.list`,
					params: { filter: { ...filter, ...v }, select: SELECT[type], order: { ID: 'ASC' } },
				})),
				`find ${type}`,
			);
			const seen = new Set<string>();
			rows = [...lists.values()]
				.flat()
				.filter((f) => !seen.has(String(f.ID)) && seen.add(String(f.ID)));
		}
		return rows
			.sort(compareAge)
			.slice(0, q.limit)
			.map((f) => toRecord(type, f));
	}

	private async openDealsFor(input: RecordInput): Promise<Fields[]> {
		const filter: Fields = { CLOSED: 'N' };
		if (input.contactId) filter.CONTACT_ID = input.contactId;
		else if (input.companyId) filter.COMPANY_ID = input.companyId;
		else return [];
		const lists = await this.client.lists<Fields>(
			[{ key: 'd', method: 'crm.deal.list', params: { filter, select: SELECT.deal } }],
			'read open deals',
		);
		return lists.get('d') ?? [];
	}

	/** Records with the same key: open deals of the contact / company, or records with the address. */
	private async rivals(type: EntityType, input: RecordInput): Promise<Fields[]> {
		if (type === 'deal') return await this.openDealsFor(input);
		const email = input.email?.trim().toLowerCase();
		return email ? await this.withAddress(type, email) : [];
	}

	async create(
		type: EntityType,
		input: RecordInput,
		dedupeKey?: string,
	): Promise<{ record: CrmRecord; created: boolean }> {
		if (dedupeKey) {
			const before = await this.rivals(type, input);
			if (before.length) return { record: toRecord(type, oldest(before)), created: false };
		}
		const entity = ENTITY[type];
		const { result: id } = await this.client.call<number>(
			`crm.${entity}.add`,
			{ fields: toFields(type, input, true), params: { REGISTER_SONET_EVENT: 'N' } },
			`create ${type}`,
		);
		const mine = String(id);
		if (dedupeKey) {
			const after = await this.rivals(type, input);
			const winner = after.length ? oldest(after) : undefined;
			if (winner && String(winner.ID) !== mine) {
				await this.client.call(`crm.${entity}.delete`, { id: mine }, `delete duplicate ${type}`);
				return { record: toRecord(type, winner), created: false };
			}
			if (winner) return { record: toRecord(type, winner), created: true };
		}
		const record = await this.get(type, mine);
		if (!record)
			throw new CrmError(`Bitrix24 lost the new ${type} ${mine}`, 'Run the workflow again.', 500);
		return { record, created: true };
	}

	async update(type: EntityType, id: string, input: RecordInput): Promise<CrmRecord> {
		await this.client.call(
			`crm.${ENTITY[type]}.update`,
			{ id, fields: toFields(type, input, false), params: { REGISTER_SONET_EVENT: 'N' } },
			`update ${type}`,
		);
		const record = await this.get(type, id);
		if (!record)
			throw new CrmError(`No ${type} with ID ${id} in Bitrix24`, 'Check the record ID.', 404);
		return record;
	}

	async linkEmails(emails: EmailLinkInput[]): Promise<EmailLinkResult[]> {
		return await linkEmails(this.client, emails);
	}

	async markUndeliverable(
		marks: UndeliverableMark[],
		options: MarkOptions,
	): Promise<MarkedRecord[][]> {
		return await markRecords(this.client, marks, options.flagField);
	}

	async listUsers(): Promise<Option[]> {
		return await listUsers(this.client);
	}

	async listSources(): Promise<Option[]> {
		return await listSources(this.client);
	}

	async listStages(): Promise<Option[]> {
		return await listStages(this.client);
	}
}

function byAge(a: CrmRecord, b: CrmRecord): number {
	return compareAge(a.raw as Fields, b.raw as Fields);
}
