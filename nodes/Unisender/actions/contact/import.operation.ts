// Contact > Import: every item in batches of 500 through importContacts, its per-row answers mapped back to the
// items (one result per item); a rejected row fails only its item.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../../shared/errors';
import type { UnisenderClient } from '../../transport/client';
import type { ImportRow } from '../../transport/import';
import { buildBatches, mapImportLog } from '../../transport/import';
import { failure } from '../perItem';
import { contactFields, listIdsOf } from './contactFields';

type Ctx = IExecuteFunctions;

export async function execute(
	ctx: Ctx,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = items.map(() => []);
	const rows: ImportRow[] = [];
	const rejected: Array<{ item: number; message: string }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const { fields, tags } = contactFields(ctx, i);
			const lists = listIdsOf(ctx, 'listIds', i);
			const values: Record<string, string> = { ...fields };
			if (tags) values.tags = tags;
			if (lists && fields.email) values.email_list_ids = lists;
			if (lists && fields.phone) values.phone_list_ids = lists;
			rows.push({ item: i, values });
		} catch (e) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), e, i);
			results[i].push(failure(e, i));
		}
	}
	const valuesOf = new Map(rows.map((r) => [r.item, r.values]));
	const opts = ctx.getNodeParameter('importOptions', 0, {}) as {
		overwriteTags?: boolean;
		overwriteLists?: boolean;
	};
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
			const values = valuesOf.get(o.item) ?? {};
			const base: IDataObject = { email: values.email, phone: values.phone, imported: o.ok };
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
	return results.flat();
}
