// Contact > Import: every item in batches of 500 through importContacts, its per-row answers mapped back to the
// items (one result per item); a rejected row fails only its item.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from '../../../shared/errors';
import type { UnisenderClient } from '../../transport/client';
import type { ImportRow } from '../../transport/import';
import { failure } from '../perItem';
import { contactFields, listIdsOf } from './contactFields';
import { importRows } from './importRows';

type Ctx = IExecuteFunctions;

export async function execute(
	ctx: Ctx,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = items.map(() => []);
	const rows: ImportRow[] = [];
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
	const opts = ctx.getNodeParameter('importOptions', 0, {}) as {
		overwriteTags?: boolean;
		overwriteLists?: boolean;
	};
	await importRows(ctx, client, rows, results, {
		...opts,
		toJson: (values, ok) => ({ email: values.email, phone: values.phone, imported: ok }),
	});
	return results.flat();
}
