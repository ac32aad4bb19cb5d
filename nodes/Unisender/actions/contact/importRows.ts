// The batch part of Import and Stop Mailing: rows -> importContacts calls of 500, each row's answer mapped
// back to its item (one result per item); a rejected row fails only its item, with Continue On Fail.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../../shared/errors';
import type { UnisenderClient } from '../../transport/client';
import type { ImportRow } from '../../transport/import';
import { buildBatches, mapImportLog } from '../../transport/import';
import { failure } from '../perItem';

export interface ImportRowsOptions {
	overwriteTags?: boolean;
	overwriteLists?: boolean;
	/** The item's output for its row: `ok` is whether Unisender took the row as given. */
	toJson(values: Record<string, string>, ok: boolean): IDataObject;
}

/** Sends rows in batches; pushes each item's result into results[item]. */
export async function importRows(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	rows: ImportRow[],
	results: INodeExecutionData[][],
	opts: ImportRowsOptions,
): Promise<void> {
	const rejected: Array<{ item: number; message: string }> = [];
	const valuesOf = new Map(rows.map((r) => [r.item, r.values]));
	for (const batch of buildBatches(rows)) {
		let answer;
		try {
			answer = await client.importContacts(batch.fieldNames, batch.data, opts);
		} catch (e) {
			if (!ctx.continueOnFail()) {
				const err = toNodeError(ctx.getNode(), e, batch.items[0]);
				if (batch.items[0] > 0) {
					err.description =
						`${err.description ?? ''} Items before item ${batch.items[0]} were already imported; importing them again is harmless.`.trim();
				}
				throw err;
			}
			for (const item of batch.items) results[item].push(failure(e, item));
			continue;
		}
		mapImportLog(batch, answer.result).forEach((o, row) => {
			const base = opts.toJson(valuesOf.get(o.item) ?? {}, o.ok);
			if (o.log.length) base.log = o.log;
			if (!o.ok) {
				base.error = `Unisender did not import row ${row} of its batch: ${o.error}`;
				rejected.push({ item: o.item, message: o.error ?? '' });
				if (!ctx.continueOnFail()) return;
			}
			results[o.item].push({ json: base, pairedItem: { item: o.item } });
		});
	}
	if (rejected.length && !ctx.continueOnFail()) {
		const first = rejected[0];
		throw new NodeOperationError(
			ctx.getNode(),
			`Unisender rejected ${rejected.length} of ${rows.length} contacts; first: item ${first.item}: ${first.message}`,
			{
				itemIndex: first.item,
				description:
					'All other contacts were imported. Fix the rejected addresses in the source data, or enable "Continue On Fail" (Settings) to get one result per item with the error on the rejected ones.',
			},
		);
	}
}
