// The records of the fake amoCRM account: how a POST / PATCH item is validated and written (validation-errors
// per item, as amoCRM answers them), and what `query` searches.
export type Row = Record<string, any> & { id: number };
export type Kind = 'contacts' | 'companies' | 'leads';
export interface Account {
	users: Row[];
	pipelines: Row[];
	store: Record<Kind, Row[]>;
}

export const ENUMS: Record<string, string[]> = {
	EMAIL: ['WORK', 'PRIV', 'OTHER'],
	PHONE: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'],
	WEB: [],
};

export class Problem extends Error {
	constructor(
		readonly status: number,
		readonly title: string,
		readonly detail: string,
		readonly extra: Record<string, unknown> = {},
	) {
		super(detail);
	}
}

export const email = (value: string, enum_code = 'WORK') => [
	{
		field_id: 1,
		field_name: 'Email',
		field_code: 'EMAIL',
		field_type: 'multitext',
		values: [{ value, enum_id: 11, enum_code }],
	},
];

export function invalid(i: number, path: string, detail: string, code = 'InvalidType'): Problem {
	return new Problem(400, 'Bad Request', 'Request validation failed', {
		'validation-errors': [{ request_id: String(i), errors: [{ code, path, detail }] }],
	});
}

/** Validates and writes the fields of one item onto a row. */
export function applyFields(account: Account, kind: Kind, row: Row, item: Row, i: number): void {
	for (const k of ['name', 'first_name', 'last_name'])
		if (item[k] !== undefined) {
			if (typeof item[k] !== 'string') throw invalid(i, k, 'This value should be of type string.');
			row[k] = item[k];
		}
	if (item.responsible_user_id !== undefined) {
		if (!account.users.some((u) => u.id === item.responsible_user_id))
			throw invalid(i, 'responsible_user_id', 'User not found', 'NotFound');
		row.responsible_user_id = item.responsible_user_id;
	}
	if (kind === 'leads') {
		if (item.price !== undefined) row.price = item.price;
		if (item.pipeline_id !== undefined || item.status_id !== undefined) {
			const p = account.pipelines.find((x) => x.id === (item.pipeline_id ?? row.pipeline_id));
			if (!p) throw invalid(i, 'pipeline_id', 'Pipeline not found', 'NotFound');
			const s = item.status_id ?? p._embedded.statuses[1].id;
			if (!p._embedded.statuses.some((x: Row) => x.id === s))
				throw invalid(i, 'status_id', 'Status not found in pipeline', 'NotFound');
			row.pipeline_id = p.id;
			row.status_id = s;
		}
	}
	for (const f of (item.custom_fields_values ?? []) as Row[]) {
		const code = String(f.field_code ?? '');
		if (!(code in ENUMS))
			throw invalid(
				i,
				'custom_fields_values.0.field_id',
				'The value you selected is not a valid choice.',
				'NotSupportedChoice',
			);
		const others = ((row.custom_fields_values ?? []) as Row[]).filter((x) => x.field_code !== code);
		if (f.values === null) {
			row.custom_fields_values = others.length ? others : null;
			continue;
		}
		for (const v of f.values as Row[])
			if (v.enum_code && !ENUMS[code].includes(v.enum_code))
				throw invalid(
					i,
					'custom_fields_values.0.values.0.enum_code',
					'The value you selected is not a valid choice.',
					'NotSupportedChoice',
				);
		row.custom_fields_values = [
			...others,
			{
				field_id: code === 'EMAIL' ? 1 : 2,
				field_name: code,
				field_code: code,
				field_type: 'multitext',
				values: f.values,
			},
		];
	}
	const e = (item._embedded ?? {}) as Row;
	if (e.tags) row.tags = (e.tags as Row[]).map((t) => String(t.name));
	if (e.companies) row.company_id = (e.companies as Row[])[0]?.id;
	if (kind === 'leads' && e.contacts) {
		const ids = (e.contacts as Row[]).map((c) => Number(c.id));
		if (ids.some((id) => !account.store.contacts.some((c) => c.id === id)))
			throw invalid(i, '_embedded.contacts.0.id', 'Contact not found', 'NotFound');
		row.contacts = ids;
	}
}

export function searchable(r: Row): string[] {
	const fields = ((r.custom_fields_values ?? []) as Row[]).flatMap((f) =>
		(f.values as Row[]).map((v) => String(v.value)),
	);
	return [r.name, r.first_name, r.last_name, ...fields]
		.filter(Boolean)
		.map((v) => String(v).toLowerCase());
}
