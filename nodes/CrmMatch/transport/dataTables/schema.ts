// The tables "Set Up Tables" creates, with their columns. Addresses are stored lower-cased in `email` and
// matched with `eq` (n8n's `eq` is case-sensitive); `email_canonical` holds the plus-tag / Gmail-dot free
// form for "possible duplicate" hints; `dedupe_key` is what makes creation race-safe (see client.ts).
// The undeliverable columns (Mark Undeliverable) are optional: tables made before them keep working for
// every other operation, since n8n before 2.41 cannot add a column through its API.
import type { EntityType } from '../types';

export type ColumnType = 'string' | 'number' | 'boolean' | 'date';
export type TableKey = EntityType | 'emailLink';

export interface Column {
	name: string;
	type: ColumnType;
	/** Only Mark Undeliverable needs it; the other operations run on tables without it. */
	optional?: boolean;
}

/** Mark Undeliverable's columns on every table whose records hold an address. */
export const UNDELIVERABLE_COLUMNS: Column[] = [
	{ name: 'undeliverable', type: 'boolean', optional: true },
	{ name: 'undeliverable_reason', type: 'string', optional: true },
	{ name: 'undeliverable_at', type: 'string', optional: true },
];

export const TABLES: Record<TableKey, { suffix: string; columns: Column[] }> = {
	contact: {
		suffix: 'contacts',
		columns: cols(
			'name',
			'first_name',
			'last_name',
			'email',
			'email_canonical',
			['company_id', 'number'],
			'owner',
			'source',
			'dedupe_key',
		).concat(UNDELIVERABLE_COLUMNS),
	},
	company: {
		suffix: 'companies',
		columns: cols('name', 'domain', 'email', 'owner', 'source', 'dedupe_key').concat(
			UNDELIVERABLE_COLUMNS,
		),
	},
	lead: {
		suffix: 'leads',
		columns: cols(
			'name',
			'contact_name',
			'email',
			'email_canonical',
			'status',
			'owner',
			'source',
			'dedupe_key',
		).concat(UNDELIVERABLE_COLUMNS),
	},
	deal: {
		suffix: 'deals',
		columns: cols(
			'name',
			'stage',
			'status',
			['amount', 'number'],
			['contact_id', 'number'],
			['company_id', 'number'],
			'owner',
			'source',
			'dedupe_key',
		),
	},
	emailLink: {
		suffix: 'email_links',
		columns: cols(
			'message_id',
			'subject',
			'direction',
			'sent_at',
			'entity_type',
			['entity_id', 'number'],
			'from_address',
			'to_addresses',
			'dedupe_key',
		),
	},
};

function cols(...list: Array<string | [string, ColumnType]>): Column[] {
	return list.map((c) =>
		typeof c === 'string' ? { name: c, type: 'string' as ColumnType } : { name: c[0], type: c[1] },
	);
}

export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];

export { DEFAULT_STAGES } from '../types';
export const CLOSED_STAGES = new Set(['closed won', 'closed lost', 'won', 'lost']);
export const DEFAULT_SOURCES = [
	'Email',
	'Call',
	'Web Site',
	'Partner',
	'Campaign',
	'Existing Customer',
	'Other',
];
