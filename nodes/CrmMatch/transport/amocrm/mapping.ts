// Our record shape <-> amoCRM's entities. amoCRM has contacts, companies and leads, where a lead (сделка) is
// a deal in a pipeline; addresses live only on contacts and companies, in the EMAIL multi-field
// (`custom_fields_values: [{ field_code: 'EMAIL', values: [{ value, enum_code }] }]`), web sites in WEB.
// Our "deal" is an amoCRM lead; our "lead" (a new customer) is an amoCRM lead plus the contact that holds
// the address (see backend.ts). The rules' source becomes a tag; a stage is `<pipeline_id>:<status_id>`.
import type { CrmRecord, EntityType, RecordInput } from '../types';

export interface Entity {
	id: number;
	name?: string;
	first_name?: string;
	last_name?: string;
	responsible_user_id?: number;
	pipeline_id?: number;
	status_id?: number;
	price?: number;
	created_at?: number;
	custom_fields_values?: Array<{
		field_code?: string | null;
		values?: Array<{ value?: unknown; enum_code?: string }> | null;
	}> | null;
	_embedded?: {
		leads?: Array<{ id: number }>;
		contacts?: Array<{ id: number; is_main?: boolean }>;
		companies?: Array<{ id: number }>;
		tags?: Array<{ name?: string }>;
	};
	[key: string]: unknown;
}

export const PATH: Record<EntityType, string> = {
	contact: '/contacts',
	company: '/companies',
	lead: '/leads',
	deal: '/leads',
};
/** The `_embedded` key of each list. */
export const KEY: Record<EntityType, string> = {
	contact: 'contacts',
	company: 'companies',
	lead: 'leads',
	deal: 'leads',
};

/** System statuses of every pipeline: 142 "Closed - won", 143 "Closed - lost". */
export const WON = 142;
export const LOST = 143;
export const isOpen = (l: Entity): boolean => l.status_id !== WON && l.status_id !== LOST;

function fieldValues(e: Entity, code: string): string[] {
	return (e.custom_fields_values ?? [])
		.filter((f) => f.field_code === code)
		.flatMap((f) => f.values ?? [])
		.map((v) =>
			String(v.value ?? '')
				.trim()
				.toLowerCase(),
		)
		.filter(Boolean);
}

export const emailsOf = (e: Entity): string[] => fieldValues(e, 'EMAIL');

/** `https://www.acme.com/about` -> `acme.com`. */
export function domainOfWebsite(website: string | undefined): string | undefined {
	if (!website) return undefined;
	const host = website
		.replace(/^[a-z]+:\/\//, '')
		.split(/[/?#:]/)[0]
		.replace(/^www\./, '');
	return host || undefined;
}

const id = (v: unknown) => (v === undefined || v === null || v === 0 ? undefined : String(v));

export function toRecord(type: EntityType, e: Entity): CrmRecord {
	const emails = emailsOf(e);
	const contacts = e._embedded?.contacts ?? [];
	const main = contacts.find((c) => c.is_main) ?? contacts[0];
	const deal = type === 'deal' || type === 'lead';
	return {
		type,
		id: String(e.id),
		name: e.name || [e.first_name, e.last_name].filter(Boolean).join(' ') || emails[0] || '',
		email: emails[0],
		emails,
		domain: type === 'company' ? domainOfWebsite(fieldValues(e, 'WEB')[0]) : undefined,
		companyId: id(e._embedded?.companies?.[0]?.id),
		contactId: deal ? id(main?.id) : undefined,
		ownerId: id(e.responsible_user_id),
		source: e._embedded?.tags?.[0]?.name,
		stage: deal && e.status_id ? `${e.pipeline_id ?? ''}:${e.status_id}` : undefined,
		open: deal ? isOpen(e) : undefined,
		createdAt: e.created_at ? new Date(e.created_at * 1000).toISOString() : undefined,
		raw: e,
	};
}

/** `12:345` (pipeline:status, the dropdown's value) or a bare status id; a stage NAME is no stage here. */
export function parseStage(
	stage: string | undefined,
): { pipeline_id?: number; status_id: number } | undefined {
	const m = /^\s*(?:(\d+):)?(\d+)\s*$/.exec(stage ?? '');
	if (!m) return undefined;
	return { ...(m[1] ? { pipeline_id: Number(m[1]) } : {}), status_id: Number(m[2]) };
}

const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);

/** The body of one entity for POST (create) / PATCH (update). */
export function toBody(
	type: EntityType,
	i: RecordInput,
	forCreate: boolean,
): Record<string, unknown> {
	const b: Record<string, unknown> = {};
	const set = (k: string, v: unknown) => v !== undefined && v !== '' && (b[k] = v);
	const embedded: Record<string, unknown> = {};
	set('responsible_user_id', num(i.ownerId));
	const email = i.email?.trim().toLowerCase();
	const fields: unknown[] = [];
	if (email && (type === 'contact' || type === 'company'))
		fields.push({ field_code: 'EMAIL', values: [{ value: email, enum_code: 'WORK' }] });
	if (type === 'contact') {
		const person = [i.firstName, i.lastName].filter(Boolean).join(' ');
		set('name', i.name || person || (forCreate ? email : undefined));
		set('first_name', i.firstName);
		set('last_name', i.lastName);
		if (i.companyId) embedded.companies = [{ id: Number(i.companyId) }];
	}
	if (type === 'company') {
		set('name', i.name ?? (forCreate ? email : undefined));
		if (i.domain) fields.push({ field_code: 'WEB', values: [{ value: i.domain.toLowerCase() }] });
	}
	if (type === 'deal' || type === 'lead') {
		set('name', i.name ?? (forCreate ? '(no subject)' : undefined));
		Object.assign(b, parseStage(i.stage) ?? {});
		if (i.amount !== undefined) b.price = i.amount;
		if (i.contactId) embedded.contacts = [{ id: Number(i.contactId), is_main: true }];
		if (i.companyId) embedded.companies = [{ id: Number(i.companyId) }];
	}
	if (fields.length) b.custom_fields_values = fields;
	if (i.source && forCreate) embedded.tags = [{ name: i.source }];
	if (Object.keys(embedded).length) b._embedded = embedded;
	return { ...b, ...(i.extra ?? {}) };
}

/** Oldest first: created_at (seconds), then the id amoCRM hands out in order. */
export function compareAge(a: Entity, b: Entity): number {
	return (a.created_at ?? 0) - (b.created_at ?? 0) || a.id - b.id;
}

export function oldest(list: Entity[]): Entity {
	return [...list].sort(compareAge)[0];
}
