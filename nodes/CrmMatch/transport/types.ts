// The one interface every CRM backend implements (Data Tables, EspoCRM; later Bitrix24, HubSpot, Pipedrive,
// amoCRM, Twenty). Plain TypeScript, no n8n imports: the node hands a backend an `Http` function that
// already carries the base URL and the credential, so a backend is only "which requests, which mapping".
//
// Contract:
// - `lookup` is the hot path and MUST be batched: it receives every address of every input item of an
//   execution at once and answers with as few requests as the API allows (never one per address).
// - `create` with a `dedupeKey` is race-safe: two executions creating the same key concurrently end with
//   ONE record, and both get it back (`created` tells which one made it).
// - `linkEmail` is idempotent by Message-ID + target record.
// - Ids are strings whatever the backend uses.
import type { DescribedFailure, Describable } from '../../shared/failure';

export type EntityType = 'contact' | 'company' | 'lead' | 'deal';
export const ENTITY_TYPES: EntityType[] = ['contact', 'company', 'lead', 'deal'];

export interface CrmRecord {
	type: EntityType;
	id: string;
	name: string;
	/** Primary address, lower-cased (contacts, leads, companies). */
	email?: string;
	/** Every address of the record, lower-cased (EspoCRM records may have several). */
	emails?: string[];
	/** Company web domain (companies). */
	domain?: string;
	companyId?: string;
	contactId?: string;
	ownerId?: string;
	source?: string;
	stage?: string;
	/** Deals: false once won / lost. */
	open?: boolean;
	createdAt?: string;
	/** The backend's own record, as returned. */
	raw: Record<string, unknown>;
}

/** Fields for create / update; backends map them to their own names and keep `extra` as given. */
export interface RecordInput {
	name?: string;
	firstName?: string;
	lastName?: string;
	email?: string;
	domain?: string;
	companyId?: string;
	contactId?: string;
	ownerId?: string;
	source?: string;
	stage?: string;
	amount?: number;
	description?: string;
	/** Backend-specific fields, passed through unchanged. */
	extra?: Record<string, unknown>;
}

/** What one batched lookup found. Keys are lower-cased addresses / domains / record ids. */
export interface LookupResult {
	/** Contacts, leads and companies whose address equals the key exactly. */
	byAddress: Map<string, CrmRecord[]>;
	/** Records whose canonical address (plus-tag / Gmail dots removed) equals the key's but not the address. */
	similar: Map<string, CrmRecord[]>;
	/** Companies by web domain (only work domains are asked for). */
	companiesByDomain: Map<string, CrmRecord[]>;
	/** Companies by id (those the matched contacts belong to). */
	companiesById: Map<string, CrmRecord>;
	/** Open deals by contact id and by company id. */
	openDealsByContact: Map<string, CrmRecord[]>;
	openDealsByCompany: Map<string, CrmRecord[]>;
}

export interface LookupRequest {
	addresses: string[];
	/** Canonical forms to look up as "possible duplicate" hints (only where they can differ). */
	canonical: string[];
	/** Work domains (free-mail already removed). */
	domains: string[];
}

export interface EmailLinkInput {
	messageId: string;
	subject: string;
	direction: 'incoming' | 'outgoing';
	from: string;
	to: string[];
	cc: string[];
	date?: string;
	text?: string;
	/** Records to link; the first is the email's parent where a backend allows only one. */
	targets: Array<{ type: EntityType; id: string }>;
	ownerId?: string;
}

export interface EmailLinkResult {
	/** One entry per target: the link record id and whether this call made it. */
	links: Array<{ type: EntityType; id: string; linkId: string; created: boolean }>;
}

export interface Option {
	name: string;
	value: string;
	/** Users: their address, to resolve "the sender" to a user. */
	email?: string;
}

export interface SetupReport {
	created: string[];
	existing: string[];
	/** Columns added to tables that existed without them (`table.column`). */
	columnsAdded?: string[];
}

/** Why an address is undeliverable: a hard bounce, a spam complaint, or an admin's decision. */
export type UndeliverableReason = 'hardBounce' | 'complaint' | 'manual';
export const REASON_TEXT: Record<UndeliverableReason, string> = {
	hardBounce: 'hard bounce',
	complaint: 'spam complaint',
	manual: 'marked by hand',
};

/** One address to mark, with the records that hold it (what the lookup found for it). */
export interface UndeliverableMark {
	address: string;
	reason: UndeliverableReason;
	/** ISO time of the bounce / complaint (or of the run). */
	at: string;
	records: CrmRecord[];
}

export interface MarkOptions {
	/** Bitrix24: a user field (e.g. UF_CRM_UNDELIVERABLE) set to "Y" on every marked record. */
	flagField?: string;
}

/** What marking did to one record: `changed` is false when the record carried the mark already. */
export interface MarkedRecord {
	type: EntityType;
	id: string;
	name: string;
	changed: boolean;
}

export interface CrmBackend {
	readonly name: string;
	lookup(request: LookupRequest): Promise<LookupResult>;
	get(type: EntityType, id: string): Promise<CrmRecord | undefined>;
	find(
		type: EntityType,
		query: { email?: string; domain?: string; name?: string; limit: number },
	): Promise<CrmRecord[]>;
	create(
		type: EntityType,
		input: RecordInput,
		dedupeKey?: string,
	): Promise<{ record: CrmRecord; created: boolean }>;
	update(type: EntityType, id: string, input: RecordInput): Promise<CrmRecord>;
	/** Batched over every email of an execution. */
	linkEmails(emails: EmailLinkInput[]): Promise<EmailLinkResult[]>;
	listUsers(): Promise<Option[]>;
	listSources(): Promise<Option[]>;
	listStages(): Promise<Option[]>;
	/**
	 * Marks each address undeliverable on its records, idempotently: a record that already carries the mark
	 * is left alone (`changed: false`). One list of MarkedRecord per mark, in the order of its records.
	 */
	markUndeliverable(marks: UndeliverableMark[], options: MarkOptions): Promise<MarkedRecord[][]>;
	/** Creates what the backend needs (Data Tables: the tables); optional. */
	setup?(): Promise<SetupReport>;
}

// ---- transport ------------------------------------------------------------------------------------

export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	/** Path below the API root, e.g. `/data-tables` or `/Contact`. */
	path: string;
	query?: Record<string, string>;
	body?: unknown;
	/** Extra request headers (e.g. EspoCRM's X-No-Total). */
	headers?: Record<string, string>;
}

export interface HttpResponse {
	status: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/** Sends a request with base URL and credential applied; rejects only when the server cannot be reached. */
export type Http = (request: HttpRequest) => Promise<HttpResponse>;

/** An error a user can act on: `message` says what is wrong, `hint` what to do. */
export class CrmError extends Error implements Describable {
	constructor(
		message: string,
		readonly hint: string,
		/** The CRM's HTTP status: a failure of the CRM (without one: what our own checks found). */
		readonly status?: number,
		/** The CRM failed without an HTTP status (it could not be reached): still the CRM's failure. */
		readonly unreachable = false,
	) {
		super(message);
		this.name = 'CrmError';
	}

	describe(): DescribedFailure {
		return {
			message: this.message,
			description: this.hint,
			service: this.status !== undefined || this.unreachable,
			httpCode: this.status,
		};
	}
}

export function chunkByLength<T>(values: T[], cost: (v: T) => number, budget: number): T[][] {
	const chunks: T[][] = [];
	let current: T[] = [];
	let used = 0;
	for (const v of values) {
		const c = cost(v);
		if (current.length && used + c > budget) {
			chunks.push(current);
			current = [];
			used = 0;
		}
		current.push(v);
		used += c;
	}
	if (current.length) chunks.push(current);
	return chunks;
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

export function emptyLookup(): LookupResult {
	return {
		byAddress: new Map(),
		similar: new Map(),
		companiesByDomain: new Map(),
		companiesById: new Map(),
		openDealsByContact: new Map(),
		openDealsByCompany: new Map(),
	};
}

/** The deal stages both backends start with; "Closed Won" / "Closed Lost" close a deal. */
export const DEFAULT_STAGES = [
	'Prospecting',
	'Qualification',
	'Proposal',
	'Negotiation',
	'Closed Won',
	'Closed Lost',
];

/** Completes a lookup: open deals indexed by contact and company, every list in the backend's order. */
export function finishLookup(
	result: LookupResult,
	openDeals: CrmRecord[],
	order: (a: CrmRecord, b: CrmRecord) => number,
): LookupResult {
	for (const d of openDeals) {
		if (d.contactId) pushTo(result.openDealsByContact, d.contactId, d);
		if (d.companyId) pushTo(result.openDealsByCompany, d.companyId, d);
	}
	for (const list of [
		...result.byAddress.values(),
		...result.similar.values(),
		...result.companiesByDomain.values(),
	])
		list.sort(order);
	return result;
}
