// The batched-as-far-as-amoCRM-allows lookup (see backend.ts for the decision) and the queries it is made of.
import { canonicalAddress, domainOf } from '../../../shared/addresses';
import type { CrmRecord, EntityType, LookupRequest, LookupResult } from '../types';
import { emptyLookup, finishLookup, pushTo } from '../types';
import type { AmoCrmClient } from './client';
import { PAGE } from './client';
import type { Entity } from './mapping';
import { KEY, PATH, compareAge, emailsOf, isOpen, toRecord } from './mapping';

export const ids = (list: Array<{ id: number }> | undefined) => (list ?? []).map((x) => x.id);

function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** `query` over contacts / companies, their leads embedded. */
export async function search(
	client: AmoCrmClient,
	type: 'contact' | 'company',
	term: string,
): Promise<Entity[]> {
	return await client.list<Entity>(
		PATH[type],
		KEY[type],
		[
			['query', term],
			['with', 'leads'],
		],
		`find ${type === 'contact' ? 'contacts' : 'companies'} by e-mail`,
	);
}

/** Records by id, 250 a request, concurrently. */
export async function byIds(
	client: AmoCrmClient,
	type: EntityType,
	list: number[],
	withWhat: string,
): Promise<Entity[]> {
	const pages = await Promise.all(
		chunks([...new Set(list)], PAGE).map(
			async (chunk) =>
				await client.list<Entity>(
					PATH[type],
					KEY[type],
					[['with', withWhat], ...chunk.map((id): [string, number] => ['filter[id][]', id])],
					`read ${KEY[type]}`,
				),
		),
	);
	return pages.flat();
}

/** Contacts / companies whose EMAIL is exactly the address (the query's answer, post-filtered). */
export async function withAddress(
	client: AmoCrmClient,
	type: 'contact' | 'company',
	email: string,
): Promise<Entity[]> {
	return (await search(client, type, email)).filter((e) => emailsOf(e).includes(email));
}

export async function lookup(client: AmoCrmClient, req: LookupRequest): Promise<LookupResult> {
	const result = emptyLookup();
	const wanted = new Set(req.addresses);
	const canon = new Set(req.canonical);
	if (!wanted.size) return result;
	const domains = new Set(req.domains);
	const [people, byDomain] = await Promise.all([
		Promise.all(req.addresses.map(async (a) => await search(client, 'contact', a))),
		Promise.all(req.domains.map(async (d) => await search(client, 'company', d))),
	]);
	const contacts = new Map<number, Entity>();
	const companies = new Map<number, Entity>();
	for (const c of people.flat()) contacts.set(c.id, c);
	// `query` finds substrings too (co1.com also finds co10.com): keep the companies of these domains
	for (const c of byDomain.flat())
		if (
			[toRecord('company', c).domain, ...emailsOf(c).map(domainOf)].some(
				(d) => d && domains.has(d),
			) ||
			emailsOf(c).some((e) => wanted.has(e))
		)
			companies.set(c.id, c);
	const matched: Entity[] = [];
	const index = (type: EntityType, e: Entity) => {
		let hit = false;
		for (const addr of emailsOf(e)) {
			if (wanted.has(addr)) {
				pushTo(result.byAddress, addr, toRecord(type, e));
				hit = true;
			}
			const c = canonicalAddress(addr);
			if (canon.has(c) && !wanted.has(addr)) pushTo(result.similar, c, toRecord(type, e));
		}
		return hit;
	};
	for (const c of contacts.values()) if (index('contact', c)) matched.push(c);
	for (const co of companies.values()) index('company', co);
	const missing = matched
		.flatMap((c) => ids(c._embedded?.companies))
		.filter((id) => !companies.has(id));
	if (missing.length)
		for (const co of await byIds(client, 'company', missing, 'leads')) companies.set(co.id, co);
	for (const co of companies.values()) {
		const rec = toRecord('company', co);
		result.companiesById.set(rec.id, rec);
		const seen = new Set<string>();
		for (const d of [rec.domain, ...emailsOf(co).map(domainOf)])
			if (d && domains.has(d) && !seen.has(d) && seen.add(d))
				pushTo(result.companiesByDomain, d, rec);
	}
	const owners = [
		...matched.map((c) => ['contact', c] as const),
		...[...companies.values()].map((c) => ['company', c] as const),
	];
	const leadIds = owners.flatMap(([, e]) => ids(e._embedded?.leads));
	const open = leadIds.length
		? (await byIds(client, 'deal', leadIds, 'contacts')).filter(isOpen).sort(compareAge)
		: [];
	const openById = new Map(open.map((l) => [l.id, l]));
	finishLookup(result, [], byAge);
	// a lead under every contact / company that lists it (amoCRM links a lead to several contacts)
	for (const [type, e] of owners)
		for (const l of ids(e._embedded?.leads)
			.map((id) => openById.get(id))
			.filter((l): l is Entity => !!l)
			.sort(compareAge)) {
			const rec = toRecord('deal', l);
			if (type === 'contact')
				pushTo(result.openDealsByContact, String(e.id), { ...rec, contactId: String(e.id) });
			else pushTo(result.openDealsByCompany, String(e.id), { ...rec, companyId: String(e.id) });
		}
	return result;
}

function byAge(a: CrmRecord, b: CrmRecord): number {
	return compareAge(a.raw as Entity, b.raw as Entity);
}
