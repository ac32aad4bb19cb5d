// Participants of an email and what the CRM knows about each of them. Pure: the lookup result comes from
// one batched backend call for all items of an execution (see engine.ts).
import { canonicalAddress, domainOf } from '../shared/addresses';
import type { CrmRecord, EntityType, LookupRequest, LookupResult } from './transport/types';
import type { EmailInput } from './email';
import { isFreeMail } from './freemail';

export interface MatchOptions {
	ownAddresses: Set<string>;
	internalDomains: Set<string>;
	extraFreeMail: Set<string>;
}

export type Role = 'from' | 'to' | 'cc' | 'replyTo';

export interface Participant {
	address: string;
	name: string;
	roles: Role[];
}

export interface RecordRef {
	type: EntityType;
	id: string;
	name: string;
}

export interface MatchEntry extends RecordRef {
	email?: string;
	ownerId?: string;
	/** exact: the record has this address; contactCompany: company of a matched contact; domain: company by email domain. */
	matchType: 'exact' | 'contactCompany' | 'domain';
	company: RecordRef | null;
	openDeals: Array<RecordRef & { stage?: string }>;
}

export interface AddressMatch {
	address: string;
	name: string;
	roles: Role[];
	matches: MatchEntry[];
	primary: MatchEntry | null;
	/** More than one record has exactly this address. */
	ambiguous: boolean;
	/** Records whose address differs only by a plus-tag or Gmail dots: a hint, never used to match. */
	possibleDuplicates: Array<RecordRef & { email?: string }>;
}

export function participants(email: EmailInput, opts: MatchOptions): Participant[] {
	const byAddress = new Map<string, Participant>();
	const add = (role: Role, list: EmailInput['from']) => {
		for (const a of list) {
			if (opts.ownAddresses.has(a.address) || opts.internalDomains.has(domainOf(a.address)))
				continue;
			const p = byAddress.get(a.address);
			if (p) {
				if (!p.roles.includes(role)) p.roles.push(role);
				if (!p.name && a.name) p.name = a.name;
			} else byAddress.set(a.address, { address: a.address, name: a.name, roles: [role] });
		}
	};
	add('from', email.from);
	add('replyTo', email.replyTo);
	add('to', email.to);
	add('cc', email.cc);
	return [...byAddress.values()];
}

/** Canonical forms are only worth asking for where they may differ: plus-tags and free-mail mailboxes. */
function wantsCanonical(address: string, opts: MatchOptions): boolean {
	return (
		canonicalAddress(address) !== address ||
		address.includes('+') ||
		isFreeMail(domainOf(address), opts.extraFreeMail)
	);
}

/** The one batched lookup for every participant of every email. */
export function lookupRequest(all: Participant[][], opts: MatchOptions): LookupRequest {
	const addresses = new Set<string>();
	const canonical = new Set<string>();
	const domains = new Set<string>();
	for (const list of all)
		for (const p of list) {
			addresses.add(p.address);
			if (wantsCanonical(p.address, opts)) canonical.add(canonicalAddress(p.address));
			const d = domainOf(p.address);
			if (!isFreeMail(d, opts.extraFreeMail)) domains.add(d);
		}
	return {
		addresses: [...addresses].sort(),
		canonical: [...canonical].sort(),
		domains: [...domains].sort(),
	};
}

const ref = (r: CrmRecord): RecordRef => ({ type: r.type, id: r.id, name: r.name });

function deals(lookup: LookupResult, contactId?: string, companyId?: string) {
	const list = [
		...(contactId ? (lookup.openDealsByContact.get(contactId) ?? []) : []),
		...(companyId ? (lookup.openDealsByCompany.get(companyId) ?? []) : []),
	];
	const seen = new Set<string>();
	return list
		.filter((d) => !seen.has(d.id) && seen.add(d.id))
		.map((d) => ({ ...ref(d), stage: d.stage }));
}

// Deterministic primary: contact with an open deal, contact, company by address, lead, contact's company,
// company by domain; ties go to the oldest record (lowest id / earliest created).
const RANK: Record<string, number> = { contact: 1, company: 2, lead: 3 };
function rank(m: MatchEntry): number {
	if (m.matchType === 'exact')
		return m.type === 'contact' && m.openDeals.length ? 0 : (RANK[m.type] ?? 4);
	return m.matchType === 'contactCompany' ? 5 : 6;
}
function compareIds(a: string, b: string): number {
	const na = Number(a);
	const nb = Number(b);
	return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

export function matchParticipant(
	p: Participant,
	lookup: LookupResult,
	opts: MatchOptions,
): AddressMatch {
	const exact = lookup.byAddress.get(p.address) ?? [];
	const matches: MatchEntry[] = [];
	const seen = new Set<string>();
	const push = (m: MatchEntry) => {
		const key = `${m.type}:${m.id}`;
		if (!seen.has(key)) {
			seen.add(key);
			matches.push(m);
		}
	};
	for (const r of exact) {
		const company =
			r.type === 'contact' && r.companyId
				? lookup.companiesById.get(r.companyId)
				: r.type === 'company'
					? undefined
					: undefined;
		push({
			...ref(r),
			email: r.email,
			ownerId: r.ownerId,
			matchType: 'exact',
			company: company ? ref(company) : null,
			openDeals:
				r.type === 'contact'
					? deals(lookup, r.id, r.companyId)
					: r.type === 'company'
						? deals(lookup, undefined, r.id)
						: [],
		});
	}
	for (const r of exact) {
		const company =
			r.type === 'contact' && r.companyId ? lookup.companiesById.get(r.companyId) : undefined;
		if (company)
			push({
				...ref(company),
				email: company.email,
				ownerId: company.ownerId,
				matchType: 'contactCompany',
				company: null,
				openDeals: deals(lookup, undefined, company.id),
			});
	}
	const domain = domainOf(p.address);
	if (!isFreeMail(domain, opts.extraFreeMail))
		for (const company of lookup.companiesByDomain.get(domain) ?? [])
			push({
				...ref(company),
				email: company.email,
				ownerId: company.ownerId,
				matchType: 'domain',
				company: null,
				openDeals: deals(lookup, undefined, company.id),
			});
	matches.sort((a, b) => rank(a) - rank(b) || compareIds(a.id, b.id));
	const canonical = canonicalAddress(p.address);
	const possibleDuplicates = (lookup.similar.get(canonical) ?? [])
		.filter((r) => r.email !== p.address)
		.map((r) => ({ ...ref(r), email: r.email }));
	return {
		address: p.address,
		name: p.name,
		roles: p.roles,
		matches,
		primary: matches[0] ?? null,
		ambiguous: exact.length > 1,
		possibleDuplicates,
	};
}

/** The records an email should be linked to: each participant's primary record, its company and open deals. */
export function linkTargets(list: AddressMatch[]): RecordRef[] {
	const out: RecordRef[] = [];
	const seen = new Set<string>();
	const add = (r: RecordRef | null | undefined) => {
		if (!r) return;
		const key = `${r.type}:${r.id}`;
		if (!seen.has(key)) {
			seen.add(key);
			out.push({ type: r.type, id: r.id, name: r.name });
		}
	};
	for (const m of list) {
		add(m.primary);
		add(m.primary?.company);
		for (const d of m.primary?.openDeals ?? []) add(d);
	}
	return out;
}
