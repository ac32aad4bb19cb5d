// CRM records in EspoCRM through its REST API. Lookup = a handful of batched `where` searches for every
// address of an execution (`emailAddress in [...]` matches ANY address of a record, case-insensitively).
//
// Duplicates and races (decision): we never send X-Skip-Duplicate-Check for records the rules create. A 409
// "Duplicate" means the record exists (e.g. a parallel execution just made it): we re-read the duplicates
// and return the one with the same address (`created: false`). A duplicate by NAME only (another person
// called "John Smith") is not ours: then we create deliberately with X-Skip-Duplicate-Check. Because
// EspoCRM's check and insert are not atomic, after a create we re-read by address: the OLDEST record wins
// and a run whose record lost deletes its own (the same rule Data Tables uses).
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
	MarkedRecord,
	Option,
	RecordInput,
	UndeliverableMark,
} from '../types';
import { CrmError, emptyLookup, finishLookup, pushTo } from '../types';
import type { Attrs, Where } from './client';
import { DuplicateError, EspoClient } from './client';
import { linkEmails } from './emails';
import {
	CLOSED_STAGES,
	DEFAULT_SOURCES,
	DEFAULT_STAGES,
	ENTITY,
	SELECT,
	addressesOf,
	toAttributes,
	toRecord,
} from './mapping';
import { markAddresses } from './undeliverable';
import { inClauses, likeLiteral, oldest } from './where';

export class EspoCrmBackend implements CrmBackend {
	readonly name = 'EspoCRM';
	readonly client: EspoClient;

	constructor(http: Http) {
		this.client = new EspoClient(http);
	}

	async lookup(req: LookupRequest): Promise<LookupResult> {
		const result = emptyLookup();
		const wanted = new Set(req.addresses);
		const canon = new Set(req.canonical);
		const asked = [...new Set([...req.addresses, ...req.canonical])];
		if (!asked.length) return result;
		const domains = new Set(req.domains);
		// Companies: EspoCRM's own rule (an Account with an address @domain) plus the website; exact
		// addresses only for domains not covered that way (free mail).
		const companyClauses: Where[] = [
			...inClauses(
				'emailAddress',
				asked.filter((a) => !domains.has(a.split('@')[1])),
			),
			...inClauses(
				'website',
				req.domains.flatMap((d) => [d, `www.${d}`, `https://${d}`, `https://www.${d}`]),
			),
			...req.domains.map((d) => ({
				type: 'like',
				attribute: 'emailAddress',
				value: `%@${likeLiteral(d)}`,
			})),
		];
		const [contacts, leads, accounts] = await Promise.all([
			this.people('Contact', asked, SELECT.contact),
			this.people('Lead', asked, SELECT.lead, [
				{ type: 'notEquals', attribute: 'status', value: 'Converted' },
			]),
			this.client.search('Account', companyClauses, SELECT.company),
		]);
		const full = [...contacts, ...leads, ...accounts];
		const records = full.map((a, i) =>
			toRecord(
				i < contacts.length ? 'contact' : i < contacts.length + leads.length ? 'lead' : 'company',
				a,
			),
		);
		for (const rec of records) {
			for (const e of rec.emails ?? []) {
				if (wanted.has(e)) pushTo(result.byAddress, e, rec);
				const c = canonicalAddress(e);
				if (canon.has(c) && !wanted.has(e)) pushTo(result.similar, c, rec);
			}
			if (rec.type === 'company') {
				result.companiesById.set(rec.id, rec);
				const seen = new Set<string>();
				for (const d of [rec.domain, ...(rec.emails ?? []).map((e) => e.split('@')[1])])
					if (d && domains.has(d) && !seen.has(d)) {
						seen.add(d);
						pushTo(result.companiesByDomain, d, rec);
					}
			}
		}
		const people = records.filter((r) => r.type === 'contact');
		const missing = [
			...new Set(
				people
					.map((p) => p.companyId)
					.filter((id): id is string => !!id && !result.companiesById.has(id)),
			),
		];
		if (missing.length)
			for (const a of await this.client.search('Account', inClauses('id', missing), SELECT.company))
				result.companiesById.set(a.id, toRecord('company', a));
		const dealClauses = [
			...inClauses(
				'contactId',
				people.map((p) => p.id),
			),
			...inClauses('accountId', [...result.companiesById.keys()]),
		];
		const deals = dealClauses.length
			? await this.client.search('Opportunity', dealClauses, SELECT.deal, [
					{ type: 'notIn', attribute: 'stage', value: CLOSED_STAGES },
				])
			: [];
		return finishLookup(result, deals.map((a) => toRecord('deal', a)).sort(byAge), byAge);
	}

	/**
	 * People with any of `asked` as one of their addresses. A list answer carries only the primary address,
	 * so the asked addresses that are nobody's primary are searched once more: what that finds has them as
	 * a secondary address and is read in full (rare) to learn its addresses.
	 */
	private async people(
		entity: string,
		asked: string[],
		select: string[],
		fixed: Where[] = [],
	): Promise<Attrs[]> {
		const first = await this.client.search(entity, inClauses('emailAddress', asked), select, fixed);
		const primaries = new Set(first.map((a) => String(a.emailAddress ?? '').toLowerCase()));
		const rest = asked.filter((a) => !primaries.has(a));
		if (!first.length || !rest.length) return first;
		const secondary = new Set(
			(await this.client.search(entity, inClauses('emailAddress', rest), ['id'], fixed)).map(
				(a) => a.id,
			),
		);
		if (!secondary.size) return first;
		return await Promise.all(
			first.map(async (a) =>
				secondary.has(a.id) ? ((await this.client.get(entity, a.id)) ?? a) : a,
			),
		);
	}

	async get(type: EntityType, id: string): Promise<CrmRecord | undefined> {
		const a = await this.client.get(ENTITY[type], id);
		return a ? toRecord(type, a) : undefined;
	}

	async find(
		type: EntityType,
		q: { email?: string; domain?: string; name?: string; limit: number },
	): Promise<CrmRecord[]> {
		const where: Where[] = [];
		if (q.email)
			where.push({
				type: 'equals',
				attribute: 'emailAddress',
				value: q.email.trim().toLowerCase(),
			});
		if (q.domain && type === 'company') {
			const d = q.domain.trim().toLowerCase();
			where.push({
				type: 'or',
				value: [
					{
						type: 'in',
						attribute: 'website',
						value: [d, `www.${d}`, `https://${d}`, `https://www.${d}`],
					},
					{ type: 'like', attribute: 'emailAddress', value: `%@${likeLiteral(d)}` },
				],
			});
		}
		if (q.name) where.push({ type: 'contains', attribute: 'name', value: q.name });
		return (await this.client.list(ENTITY[type], where, SELECT[type], q.limit)).map((a) =>
			toRecord(type, a),
		);
	}

	async create(
		type: EntityType,
		input: RecordInput,
		dedupeKey?: string,
	): Promise<{ record: CrmRecord; created: boolean }> {
		const entity = ENTITY[type];
		const data = toAttributes(type, input, true);
		const email = typeof data.emailAddress === 'string' ? data.emailAddress : undefined;
		if (type === 'deal' && dedupeKey) {
			const mine = await this.openDealFor(input);
			if (mine) return { record: mine, created: false };
		}
		let made: Attrs;
		try {
			made = await this.client.create(entity, data);
		} catch (e) {
			if (!(e instanceof DuplicateError)) throw e;
			if (!dedupeKey)
				throw new CrmError(
					`EspoCRM already has a ${type} like this (${e.duplicates.map((d) => d.name ?? d.id).join(', ')})`,
					'Use Find / Update on the existing record, or change the name / email address.',
					409,
				);
			const same = email ? await this.sameAddress(type, e.duplicates, email) : undefined;
			if (same) return { record: same, created: false };
			made = await this.client.create(entity, data, true); // same name, different person: deliberate
		}
		const record = toRecord(type, made);
		if (!dedupeKey) return { record, created: true };
		// The race guard: the oldest record for this key wins; ours goes if it lost.
		const rivals =
			type === 'deal'
				? await this.openDealsFor(input)
				: email
					? await this.client.list(
							entity,
							[{ type: 'equals', attribute: 'emailAddress', value: email }],
							SELECT[type],
						)
					: [];
		const winner = oldest(rivals.length ? rivals : [made]);
		if (winner.id === made.id) return { record, created: true };
		await this.client.remove(entity, made.id);
		return { record: toRecord(type, winner), created: false };
	}

	/** The duplicate with this exact address (read in full: a 409 body may not list every address). */
	private async sameAddress(
		type: EntityType,
		duplicates: Attrs[],
		email: string,
	): Promise<CrmRecord | undefined> {
		const full = await Promise.all(
			duplicates.map(async (d) => (await this.client.get(ENTITY[type], d.id)) ?? d),
		);
		const same = full.filter((d) => addressesOf(d).includes(email));
		return same.length ? toRecord(type, oldest(same)) : undefined;
	}

	private async openDealsFor(input: RecordInput): Promise<Attrs[]> {
		const where: Where[] = [{ type: 'notIn', attribute: 'stage', value: CLOSED_STAGES }];
		if (input.contactId)
			where.push({ type: 'equals', attribute: 'contactId', value: input.contactId });
		else if (input.companyId)
			where.push({ type: 'equals', attribute: 'accountId', value: input.companyId });
		else return [];
		return await this.client.list('Opportunity', where, SELECT.deal);
	}

	private async openDealFor(input: RecordInput): Promise<CrmRecord | undefined> {
		const list = await this.openDealsFor(input);
		return list.length ? toRecord('deal', oldest(list)) : undefined;
	}

	async update(type: EntityType, id: string, input: RecordInput): Promise<CrmRecord> {
		return toRecord(
			type,
			await this.client.update(ENTITY[type], id, toAttributes(type, input, false)),
		);
	}

	async linkEmails(emails: EmailLinkInput[]): Promise<EmailLinkResult[]> {
		return await linkEmails(this.client, emails);
	}

	async markUndeliverable(marks: UndeliverableMark[]): Promise<MarkedRecord[][]> {
		return await markAddresses(this.client, marks);
	}

	async listUsers(): Promise<Option[]> {
		const where: Where[] = [
			{ type: 'isTrue', attribute: 'isActive' },
			{ type: 'in', attribute: 'type', value: ['regular', 'admin'] },
		];
		const users = await this.client.list('User', where, ['id', 'name', 'userName', 'emailAddress']);
		return users.map((u) => ({
			name: String(u.name || u.userName || u.id),
			value: u.id,
			email: (u.emailAddress as string | undefined)?.toLowerCase(),
		}));
	}

	private async options(entity: string, field: string, fallback: string[]): Promise<Option[]> {
		const meta = await this.client.call<{
			entityDefs?: Record<string, { fields?: Record<string, { options?: string[] }> }>;
		}>({ method: 'GET', path: '/Metadata' }, 'read metadata');
		const list = meta?.entityDefs?.[entity]?.fields?.[field]?.options ?? fallback;
		return list.filter((o) => o !== '').map((o) => ({ name: o, value: o }));
	}

	async listSources(): Promise<Option[]> {
		return await this.options('Lead', 'source', DEFAULT_SOURCES);
	}

	async listStages(): Promise<Option[]> {
		return await this.options('Opportunity', 'stage', DEFAULT_STAGES);
	}
}

function byAge(a: CrmRecord, b: CrmRecord): number {
	return (
		(a.createdAt ?? '').localeCompare(b.createdAt ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
}
