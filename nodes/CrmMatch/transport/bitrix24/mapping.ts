// Our record shape <-> Bitrix24's CRM fields (crm.lead / contact / company / deal.fields): upper-case names,
// ids and numbers as strings, e-mail addresses and web sites as multi-fields `[{ ID, VALUE, VALUE_TYPE }]`.
import type { CrmRecord, EntityType, RecordInput } from '../types';

export type Fields = Record<string, unknown> & { ID?: string | number };

export const ENTITY: Record<EntityType, string> = {
	contact: 'contact',
	company: 'company',
	lead: 'lead',
	deal: 'deal',
};
/** CRM object type ids (OWNER_TYPE_ID, entityTypeId): lead 1, deal 2, contact 3, company 4. */
export const TYPE_ID: Record<EntityType, number> = { lead: 1, deal: 2, contact: 3, company: 4 };
export const TYPE_OF_ID: Record<number, EntityType> = {
	1: 'lead',
	2: 'deal',
	3: 'contact',
	4: 'company',
};

export const SELECT: Record<EntityType, string[]> = {
	contact: [
		'ID',
		'NAME',
		'LAST_NAME',
		'EMAIL',
		'COMPANY_ID',
		'ASSIGNED_BY_ID',
		'SOURCE_ID',
		'DATE_CREATE',
	],
	company: ['ID', 'TITLE', 'EMAIL', 'WEB', 'ASSIGNED_BY_ID', 'DATE_CREATE'],
	lead: [
		'ID',
		'TITLE',
		'NAME',
		'LAST_NAME',
		'EMAIL',
		'STATUS_ID',
		'SOURCE_ID',
		'ASSIGNED_BY_ID',
		'DATE_CREATE',
	],
	deal: [
		'ID',
		'TITLE',
		'STAGE_ID',
		'CATEGORY_ID',
		'CLOSED',
		'OPPORTUNITY',
		'CONTACT_ID',
		'COMPANY_ID',
		'SOURCE_ID',
		'ASSIGNED_BY_ID',
		'DATE_CREATE',
	],
};

const str = (v: unknown): string | undefined =>
	v === null || v === undefined || v === '' || v === '0' || v === 0 ? undefined : String(v);

type Multi = Array<{ VALUE?: string }>;
const values = (v: unknown): string[] =>
	Array.isArray(v)
		? (v as Multi)
				.map((m) =>
					String(m?.VALUE ?? '')
						.trim()
						.toLowerCase(),
				)
				.filter(Boolean)
		: [];

/** `https://www.acme.com/about` -> `acme.com`. */
export function domainOfWebsite(website: string | undefined): string | undefined {
	if (!website) return undefined;
	const host = website
		.trim()
		.toLowerCase()
		.replace(/^[a-z]+:\/\//, '')
		.split(/[/?#:]/)[0]
		.replace(/^www\./, '');
	return host || undefined;
}

/** The web site forms a company's WEB field is searched with (multi-fields match exactly). */
export function websiteForms(domain: string): string[] {
	return [domain, `www.${domain}`, `https://${domain}`, `https://www.${domain}`];
}

export function toRecord(type: EntityType, f: Fields): CrmRecord {
	const emails = values(f.EMAIL);
	const person = [f.NAME, f.LAST_NAME].filter(Boolean).join(' ');
	return {
		type,
		id: String(f.ID),
		name: (type === 'contact' ? person : str(f.TITLE)) || person || emails[0] || '',
		email: emails[0],
		emails,
		domain: type === 'company' ? domainOfWebsite(values(f.WEB)[0]) : undefined,
		companyId: str(f.COMPANY_ID),
		contactId: str(f.CONTACT_ID),
		ownerId: str(f.ASSIGNED_BY_ID),
		source: str(f.SOURCE_ID),
		stage: str(f.STAGE_ID) ?? str(f.STATUS_ID),
		open: type === 'deal' ? f.CLOSED !== 'Y' : undefined,
		createdAt: str(f.DATE_CREATE),
		raw: f,
	};
}

/** "Email" (the rules' default) is the source Bitrix24 calls EMAIL; other values are status ids. */
export function sourceId(source: string | undefined): string | undefined {
	if (!source) return undefined;
	return /^e-?mail$/i.test(source.trim()) ? 'EMAIL' : source;
}

/** A stage id (`NEW`, `C3:PREPARATION`); a stage NAME of another backend (`Prospecting`) is not one. */
export function stageId(stage: string | undefined): string | undefined {
	return stage && /^(C\d+:)?[A-Z0-9_]+$/.test(stage) ? stage : undefined;
}

/** The pipeline of a stage id: `C3:NEW` -> 3, `NEW` -> 0. */
export function categoryOf(stage: string): number {
	return Number(/^C(\d+):/.exec(stage)?.[1] ?? 0);
}

/** Fields for crm.*.add / update. */
export function toFields(type: EntityType, i: RecordInput, forCreate: boolean): Fields {
	const f: Fields = {};
	const set = (k: string, v: unknown) => v !== undefined && v !== '' && (f[k] = v);
	set('ASSIGNED_BY_ID', i.ownerId);
	set('COMMENTS', i.description);
	const email = i.email?.trim().toLowerCase();
	if (email && type !== 'deal') f.EMAIL = [{ VALUE: email, VALUE_TYPE: 'WORK' }];
	if (type === 'contact' || type === 'lead') {
		const first = i.firstName ?? (type === 'contact' && !i.lastName ? i.name : undefined);
		set('NAME', first ?? (forCreate && !i.lastName && email ? email.split('@')[0] : undefined));
		set('LAST_NAME', i.lastName);
		set('SOURCE_ID', sourceId(i.source));
		set('COMPANY_ID', i.companyId);
	}
	if (type === 'lead') {
		set('TITLE', i.name ?? (forCreate ? email : undefined));
		if (forCreate) f.STATUS_ID = 'NEW';
	}
	if (type === 'company') {
		set('TITLE', i.name ?? (forCreate ? email : undefined));
		if (i.domain) f.WEB = [{ VALUE: i.domain.toLowerCase(), VALUE_TYPE: 'WORK' }];
	}
	if (type === 'deal') {
		set('TITLE', i.name ?? (forCreate ? '(no subject)' : undefined));
		const stage = stageId(i.stage);
		if (stage) {
			f.STAGE_ID = stage;
			f.CATEGORY_ID = categoryOf(stage);
		}
		set('SOURCE_ID', sourceId(i.source));
		set('CONTACT_ID', i.contactId);
		if (i.contactId) f.CONTACT_IDS = [i.contactId];
		set('COMPANY_ID', i.companyId);
		if (i.amount !== undefined) f.OPPORTUNITY = i.amount;
	}
	return { ...f, ...(i.extra ?? {}) };
}

/** The oldest record (DATE_CREATE, then the numeric ID, which Bitrix24 hands out in order). */
export function oldest<T extends Fields>(list: T[]): T {
	return list.reduce((a, b) => (compareAge(b, a) < 0 ? b : a), list[0]);
}

export function compareAge(a: Fields, b: Fields): number {
	const ta = Date.parse(String(a.DATE_CREATE ?? '')) || 0;
	const tb = Date.parse(String(b.DATE_CREATE ?? '')) || 0;
	return ta - tb || Number(a.ID) - Number(b.ID);
}
