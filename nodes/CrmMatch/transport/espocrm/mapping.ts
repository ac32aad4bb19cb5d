// Our record shape <-> EspoCRM attributes (entityDefs of Contact, Account, Lead, Opportunity, Email).
import type { CrmRecord, EntityType, RecordInput } from '../types';
import type { Attrs } from './client';

export const ENTITY: Record<EntityType, string> = {
	contact: 'Contact',
	company: 'Account',
	lead: 'Lead',
	deal: 'Opportunity',
};
export const TYPE_OF: Record<string, EntityType> = {
	Contact: 'contact',
	Account: 'company',
	Lead: 'lead',
	Opportunity: 'deal',
};

export const SELECT: Record<EntityType, string[]> = {
	contact: [
		'id',
		'name',
		'firstName',
		'lastName',
		'emailAddress',
		'accountId',
		'accountName',
		'assignedUserId',
		'createdAt',
	],
	company: ['id', 'name', 'emailAddress', 'website', 'assignedUserId', 'createdAt'],
	lead: [
		'id',
		'name',
		'firstName',
		'lastName',
		'emailAddress',
		'status',
		'source',
		'assignedUserId',
		'createdAt',
	],
	deal: [
		'id',
		'name',
		'stage',
		'amount',
		'closeDate',
		'accountId',
		'contactId',
		'leadSource',
		'assignedUserId',
		'createdAt',
	],
};

/** EspoCRM's default Opportunity stages are the common ones. */
export { DEFAULT_STAGES } from '../types';
export const CLOSED_STAGES = ['Closed Won', 'Closed Lost'];
/** EspoCRM's default Lead.source options. */
export const DEFAULT_SOURCES = [
	'Call',
	'Email',
	'Existing Customer',
	'Partner',
	'Public Relations',
	'Web Site',
	'Campaign',
	'Other',
];

const str = (v: unknown): string | undefined =>
	v === null || v === undefined || v === '' ? undefined : String(v);

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

/** Every address of a record: `emailAddressData` where EspoCRM returned it (detail reads), else the primary. */
export function addressesOf(a: Attrs): string[] {
	const data = a.emailAddressData as Array<{ emailAddress?: string }> | undefined;
	const list = Array.isArray(data)
		? data.map((d) => String(d.emailAddress ?? '').toLowerCase()).filter(Boolean)
		: [];
	const primary = str(a.emailAddress)?.toLowerCase();
	if (primary && !list.includes(primary)) list.unshift(primary);
	return list;
}

export function toRecord(type: EntityType, a: Attrs): CrmRecord {
	const emails = addressesOf(a);
	const stage = str(a.stage);
	return {
		type,
		id: String(a.id),
		name: str(a.name) ?? ([a.firstName, a.lastName].filter(Boolean).join(' ') || emails[0] || ''),
		email: emails[0],
		emails,
		domain: type === 'company' ? domainOfWebsite(str(a.website)) : undefined,
		companyId: str(a.accountId),
		contactId: str(a.contactId),
		ownerId: str(a.assignedUserId),
		source: str(a.source) ?? str(a.leadSource),
		stage,
		open: type === 'deal' ? !CLOSED_STAGES.includes(stage ?? '') : undefined,
		createdAt: str(a.createdAt),
		raw: a,
	};
}

/** Lead / Contact names are person names in EspoCRM (`name` = first + last, not writable). */
function person(i: RecordInput): { firstName?: string; lastName?: string } {
	if (i.firstName || i.lastName)
		return { firstName: i.firstName, lastName: i.lastName || i.firstName };
	if (i.name) return { lastName: i.name };
	if (i.email) return { lastName: i.email.split('@')[0] };
	return {};
}

/** `YYYY-MM-DD` N days from now (Opportunity.closeDate is required). */
export function dateInDays(days: number, now = new Date()): string {
	return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO / any Date-parsable string -> EspoCRM's UTC `YYYY-MM-DD HH:mm:ss`. */
export function espoDateTime(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Attributes for POST / PUT. `forCreate` fills what EspoCRM requires on create. */
export function toAttributes(
	type: EntityType,
	i: RecordInput,
	forCreate: boolean,
): Record<string, unknown> {
	const a: Record<string, unknown> = {};
	const set = (k: string, v: unknown) => v !== undefined && v !== '' && (a[k] = v);
	set('assignedUserId', i.ownerId);
	set('description', i.description);
	if (type !== 'deal') set('emailAddress', i.email?.trim().toLowerCase());
	if (type === 'contact' || type === 'lead') {
		const p = forCreate
			? person(i)
			: {
					firstName: i.firstName,
					lastName: i.lastName ?? (i.name && !i.firstName ? i.name : undefined),
				};
		set('firstName', p.firstName);
		set('lastName', p.lastName);
	}
	if (type === 'contact') {
		set('accountId', i.companyId);
		// Contact has no `source` field by default: keep it readable in the description.
		if (i.source && forCreate && !i.description) a.description = `Source: ${i.source}`;
	}
	if (type === 'lead') {
		set('source', i.source);
		if (forCreate) a.status = 'New';
		// A Lead's name is the person's name: the rules' title ("<subject> (<sender>)") goes to the description.
		if (forCreate && i.name && (i.firstName || i.lastName) && !i.description)
			a.description = i.name;
	}
	if (type === 'company') {
		set('name', i.name ?? (forCreate ? i.email : undefined));
		set('website', i.domain?.toLowerCase());
	}
	if (type === 'deal') {
		set('name', i.name);
		set('stage', i.stage);
		set('leadSource', i.source);
		set('accountId', i.companyId);
		set('contactId', i.contactId);
		if (i.amount !== undefined) a.amount = i.amount;
		if (forCreate) {
			a.amount ??= 0;
			a.closeDate ??= dateInDays(30);
			a.name ??= '(no subject)';
		}
	}
	return { ...a, ...(i.extra ?? {}) };
}
