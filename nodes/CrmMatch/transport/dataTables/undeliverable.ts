// Mark Undeliverable on Data Tables: the record's row gets `undeliverable` = true, the reason and the time.
// A row already marked keeps its first reason and time (`changed: false`): the address is dead either way,
// and the first report is the one worth keeping. Contacts, leads and companies carry the columns.
import type { EntityType, MarkedRecord, UndeliverableMark } from '../types';
import { CrmError, REASON_TEXT } from '../types';
import type { DataTablesClient } from './client';
import type { TableKey } from './schema';
import { UNDELIVERABLE_COLUMNS } from './schema';

export interface TablesInfo {
	ids: Record<TableKey, string>;
	/** The columns of each table as n8n listed them (undefined: not listed, assumed present). */
	columns: Map<TableKey, Set<string> | undefined>;
	nameOf: (key: TableKey) => string;
}

/** Names the tables of `types` that lack the undeliverable columns, and what to do. */
function checkColumns(info: TablesInfo, types: EntityType[]): void {
	const lacking: string[] = [];
	for (const type of new Set(types)) {
		const have = info.columns.get(type);
		const missing = have ? UNDELIVERABLE_COLUMNS.filter((c) => !have.has(c.name)) : [];
		if (missing.length)
			lacking.push(`${info.nameOf(type)} (${missing.map((c) => c.name).join(', ')})`);
	}
	if (lacking.length)
		throw new CrmError(
			`These CRM data tables lack the columns Mark Undeliverable writes: ${lacking.join('; ')}`,
			'Run the "Set Up Tables" operation: on n8n 2.41 and newer it adds them. On older n8n add them in the Data tables tab: undeliverable (type boolean), undeliverable_reason and undeliverable_at (type string).',
		);
}

export async function markRows(
	client: DataTablesClient,
	info: TablesInfo,
	marks: UndeliverableMark[],
): Promise<MarkedRecord[][]> {
	checkColumns(
		info,
		marks.flatMap((m) => m.records.map((r) => r.type)),
	);
	return await Promise.all(
		marks.map(
			async (mark) =>
				await Promise.all(
					mark.records.map(async (record) => {
						const done = record.raw.undeliverable === true;
						if (!done)
							await client.update(
								info.ids[record.type],
								[{ columnName: 'id', value: Number(record.id) }],
								{
									undeliverable: true,
									undeliverable_reason: REASON_TEXT[mark.reason],
									undeliverable_at: mark.at,
								},
							);
						return { type: record.type, id: record.id, name: record.name, changed: !done };
					}),
				),
		),
	);
}
