// Import: input items -> batches of at most 500 rows (Unisender's limit per importContacts call), and the
// per-row `log` of each answer mapped back to the items the rows came from. No n8n imports.
import type { ImportResult } from './client';

export const MAX_ROWS_PER_IMPORT = 500;

export interface ImportRow {
	/** Index of the input item the row came from. */
	item: number;
	/** Unisender field name -> value (email, phone, email_list_ids, tags, custom fields ...). */
	values: Record<string, string>;
}

export interface ImportBatch {
	fieldNames: string[];
	data: string[][];
	items: number[];
}

/** Splits rows into batches; each batch's `field_names` is the union of its rows' keys (email first). */
export function buildBatches(rows: ImportRow[], size = MAX_ROWS_PER_IMPORT): ImportBatch[] {
	const batches: ImportBatch[] = [];
	for (let start = 0; start < rows.length; start += size) {
		const chunk = rows.slice(start, start + size);
		const names = new Set<string>();
		for (const r of chunk) for (const k of Object.keys(r.values)) names.add(k);
		const order = ['email', 'phone'];
		const fieldNames = [
			...order.filter((n) => names.has(n)),
			...[...names].filter((n) => !order.includes(n)),
		];
		batches.push({
			fieldNames,
			data: chunk.map((r) => fieldNames.map((n) => r.values[n] ?? '')),
			items: chunk.map((r) => r.item),
		});
	}
	return batches;
}

export interface RowOutcome {
	item: number;
	ok: boolean;
	/** Log entries of this row (errors and warnings), as Unisender gave them. */
	log: Array<{ code: string; message: string }>;
	/** The first error's message when !ok. */
	error?: string;
}

/** Warnings don't fail a row; every other log entry means the row was not imported as given. */
const isWarning = (code: string) => /warn/i.test(code);

export function mapImportLog(batch: ImportBatch, result: ImportResult): RowOutcome[] {
	const byRow = new Map<number, Array<{ code: string; message: string }>>();
	for (const entry of result.log ?? []) {
		const idx = Number(entry.index);
		if (!Number.isInteger(idx) || idx < 0 || idx >= batch.items.length) continue;
		const list = byRow.get(idx) ?? [];
		list.push({ code: String(entry.code ?? ''), message: String(entry.message ?? '') });
		byRow.set(idx, list);
	}
	return batch.items.map((item, row) => {
		const log = byRow.get(row) ?? [];
		const failure = log.find((e) => !isWarning(e.code));
		return {
			item,
			ok: !failure,
			log,
			...(failure ? { error: failure.message || failure.code } : {}),
		};
	});
}
