// CRM records in amoCRM / Kommo through the API v4 and a private integration's long-lived token.
//
// Lookup (decision): amoCRM has no batched search by address: `query` searches one term over every filled
// field, and the filter on custom fields is an alpha feature of selected accounts. So one
// `GET /contacts?query=<address>&with=leads` per address and one `GET /companies?query=<domain>&with=leads`
// per work domain run concurrently (paced at 7 a second), each answer post-filtered to EMAIL values equal
// to the address (`query` also finds substrings and other fields). Then the companies of the matched
// contacts by id, and their leads by id (250 a request), keeping the open ones (status not 142 / 143).
// Company by domain (what is matched): a company found by the domain whose WEB field has that domain or one
// of whose addresses is at it. Possible duplicates (plus-tags, Gmail dots) only among what the queries found.
//
// Races (decision): amoCRM has no unique constraint and the v4 API cannot delete contacts, companies or
// leads. A create re-reads what has the same address (or the open leads of the contact / company) right
// after: the OLDEST (created_at, then id) wins; a run whose record lost retires it: renamed
// "[duplicate of #<winner>] ...", tagged "duplicate", its EMAIL emptied (it no longer matches), and a lead
// is also closed as lost (143), so it no longer counts as open. What remains: those retired records, for
// an admin to delete in amoCRM.
// Rule 1 may instead ask for an entry of Incoming leads (unsorted): incomingLeads.ts, its own race guard.
import { domainOf } from '../../../shared/addresses';
import type { IncomingLeadRequest } from '../../rules';
import { INCOMING_LEAD_EXTRA } from '../../rules';
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
import { CrmError } from '../types';
import { AmoCrmClient } from './client';
import type { IncomingLead } from './incomingLeads';
import { addIncomingLead, incomingLeadOf } from './incomingLeads';
import { byIds, ids, lookup, search, withAddress } from './lookup';
import type { Entity } from './mapping';
import { KEY, LOST, PATH, compareAge, emailsOf, isOpen, oldest, toBody, toRecord } from './mapping';
import { linkEmails } from './notes';
import { listSources, listStages, listUsers } from './options';
import { markContacts } from './undeliverable';

export class AmoCrmBackend implements CrmBackend {
	readonly name = 'amoCRM';
	readonly client: AmoCrmClient;
	/** Incoming leads (unsorted) made or found in this execution, by the id of their lead. */
	readonly incomingLeads = new Map<string, IncomingLead>();

	constructor(http: Http, account: string) {
		this.client = new AmoCrmClient(http, account);
	}

	async lookup(req: LookupRequest): Promise<LookupResult> {
		return await lookup(this.client, req);
	}

	async get(type: EntityType, id: string): Promise<CrmRecord | undefined> {
		if (!/^\d+$/.test(id)) return undefined;
		const withWhat = type === 'deal' || type === 'lead' ? 'contacts' : 'leads';
		const e = await this.client
			.request<Entity>('GET', `${PATH[type]}/${id}`, `read ${type}`, undefined, [
				['with', withWhat],
			])
			.catch((err: unknown) => {
				if (err instanceof CrmError && err.status === 404) return undefined;
				throw err;
			});
		return e ? toRecord(type, e) : undefined;
	}

	/** Open leads of a contact (or company), oldest first. */
	private async openLeadsOf(input: RecordInput): Promise<Entity[]> {
		const [type, id] = input.contactId
			? (['contact', input.contactId] as const)
			: input.companyId
				? (['company', input.companyId] as const)
				: [];
		if (!type) return [];
		const owner = await this.client.request<Entity>(
			'GET',
			`${PATH[type]}/${id}`,
			`read ${type}`,
			undefined,
			[['with', 'leads']],
		);
		const leadIds = ids(owner?._embedded?.leads);
		return leadIds.length
			? (await byIds(this.client, 'deal', leadIds, 'contacts')).filter(isOpen)
			: [];
	}

	async find(
		type: EntityType,
		q: { email?: string; domain?: string; name?: string; limit: number },
	): Promise<CrmRecord[]> {
		const email = q.email?.trim().toLowerCase();
		const domain = q.domain?.trim().toLowerCase();
		const name = q.name?.trim().toLowerCase();
		let rows: Entity[];
		if (email && (type === 'contact' || type === 'company'))
			rows = await withAddress(this.client, type, email);
		else if (email) {
			const people = await withAddress(this.client, 'contact', email);
			const leadIds = people.flatMap((p) => ids(p._embedded?.leads));
			rows = leadIds.length ? await byIds(this.client, type, leadIds, 'contacts') : [];
		} else if (domain && type === 'company')
			rows = (await search(this.client, 'company', domain)).filter((c) => {
				const r = toRecord('company', c);
				return r.domain === domain || emailsOf(c).some((e) => domainOf(e) === domain);
			});
		else if (name)
			rows = await this.client.list<Entity>(
				PATH[type],
				KEY[type],
				[['query', name]],
				`find ${type}`,
			);
		else rows = await this.client.list<Entity>(PATH[type], KEY[type], [], `list ${type}`);
		if (name) rows = rows.filter((r) => toRecord(type, r).name.toLowerCase().includes(name));
		return rows
			.sort(compareAge)
			.slice(0, q.limit)
			.map((e) => toRecord(type, e));
	}

	/** Records with the same key: open leads of the contact / company, or records with the address. */
	private async rivals(type: EntityType, input: RecordInput): Promise<Entity[]> {
		if (type === 'deal' || type === 'lead') return await this.openLeadsOf(input);
		const email = input.email?.trim().toLowerCase();
		return email ? await withAddress(this.client, type, email) : [];
	}

	private async add(type: EntityType, input: RecordInput): Promise<number> {
		const body = await this.client.request<{ _embedded?: Record<string, Array<{ id: number }>> }>(
			'POST',
			PATH[type],
			`create ${type}`,
			[toBody(type, input, true)],
		);
		const id = body?._embedded?.[KEY[type]]?.[0]?.id;
		if (!id)
			throw new CrmError(`amoCRM did not return the new ${type}`, 'Run the workflow again.', 500);
		return id;
	}

	/** A record that lost a race: renamed, tagged, its address emptied, a lead closed as lost. */
	private async retire(type: EntityType, loser: number, winner: Entity): Promise<void> {
		const deal = type === 'deal' || type === 'lead';
		const mine = await this.client.request<Entity>('GET', `${PATH[type]}/${loser}`, `read ${type}`);
		await this.client.request('PATCH', `${PATH[type]}/${loser}`, `mark duplicate ${type}`, {
			name: `[duplicate of #${winner.id}] ${mine?.name ?? ''}`.trim(),
			_embedded: { tags: [{ name: 'duplicate' }] },
			...(deal
				? { status_id: LOST, pipeline_id: mine?.pipeline_id }
				: { custom_fields_values: [{ field_code: 'EMAIL', values: null }] }),
		});
	}

	private async createOne(
		type: EntityType,
		input: RecordInput,
		dedupe: boolean,
	): Promise<{ entity: Entity; created: boolean }> {
		if (dedupe) {
			const before = await this.rivals(type, input);
			if (before.length) return { entity: oldest(before), created: false };
		}
		const mine = await this.add(type, input);
		if (dedupe) {
			const after = await this.rivals(type, input);
			const winner = after.length ? oldest(after) : undefined;
			if (winner && winner.id !== mine) {
				await this.retire(type, mine, winner);
				return { entity: winner, created: false };
			}
			if (winner) return { entity: winner, created: true };
		}
		const e = (await this.get(type, String(mine)))?.raw as Entity | undefined;
		if (!e)
			throw new CrmError(`amoCRM lost the new ${type} ${mine}`, 'Run the workflow again.', 500);
		return { entity: e, created: true };
	}

	async create(
		type: EntityType,
		input: RecordInput,
		dedupeKey?: string,
	): Promise<{ record: CrmRecord; created: boolean }> {
		const incoming = input.extra?.[INCOMING_LEAD_EXTRA] as IncomingLeadRequest | undefined;
		if (type === 'lead' && incoming) return await this.createIncomingLead(input, incoming);
		if (type !== 'lead') {
			const { entity, created } = await this.createOne(type, input, !!dedupeKey);
			return { record: toRecord(type, entity), created };
		}
		// a new customer: the contact holds the address, the lead (deal) in the first stage points to it
		const email = input.email?.trim().toLowerCase();
		let contactId = input.contactId;
		if (email && !contactId) {
			const person = [input.firstName, input.lastName].filter(Boolean).join(' ');
			const { entity } = await this.createOne(
				'contact',
				{ ...input, name: person || email, stage: undefined, extra: undefined },
				!!dedupeKey,
			);
			contactId = String(entity.id);
		}
		const { entity, created } = await this.createOne(
			'lead',
			{ ...input, email: undefined, contactId },
			!!dedupeKey && !!contactId,
		);
		const record = toRecord('lead', entity);
		return { record: { ...record, email, emails: email ? [email] : [], contactId }, created };
	}

	/** Rule 1 as one entry of Incoming leads (see incomingLeads.ts); the record is the entry's lead. */
	private async createIncomingLead(
		input: RecordInput,
		request: IncomingLeadRequest,
	): Promise<{ record: CrmRecord; created: boolean }> {
		const { entry, created } = await addIncomingLead(this.client, input, request);
		const found = incomingLeadOf(entry);
		const id = found.leadId ?? found.uid;
		this.incomingLeads.set(id, found);
		// a lead made by an earlier email carries that email's subject
		const lead = !created && found.leadId ? await this.get('lead', found.leadId) : undefined;
		const email = input.email?.trim().toLowerCase();
		const record: CrmRecord = {
			type: 'lead',
			id,
			name: lead?.name ?? input.name ?? '',
			email,
			emails: email ? [email] : [],
			contactId: found.contactId,
			stage: lead?.stage,
			open: true,
			createdAt: lead?.createdAt,
			raw: entry as unknown as Record<string, unknown>,
		};
		return { record, created };
	}

	async update(type: EntityType, id: string, input: RecordInput): Promise<CrmRecord> {
		if (!/^\d+$/.test(id))
			throw new CrmError(`No ${type} with ID ${id} in amoCRM`, 'Check the record ID.', 404);
		await this.client.request(
			'PATCH',
			`${PATH[type]}/${id}`,
			`update ${type}`,
			toBody(type, input, false),
		);
		const record = await this.get(type, id);
		if (!record)
			throw new CrmError(`No ${type} with ID ${id} in amoCRM`, 'Check the record ID.', 404);
		return record;
	}

	async linkEmails(emails: EmailLinkInput[]): Promise<EmailLinkResult[]> {
		return await linkEmails(this.client, emails);
	}

	async markUndeliverable(marks: UndeliverableMark[]): Promise<MarkedRecord[][]> {
		return await markContacts(this.client, marks);
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
