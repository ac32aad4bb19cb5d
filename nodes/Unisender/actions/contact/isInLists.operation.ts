// Contact > Is in Lists: whether an address is in all (or any) of the chosen lists.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';
import { listIdsOf } from './contactFields';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items, async (i) => {
		const email = String(ctx.getNodeParameter('lookupEmail', i)).trim();
		const listIds = listIdsOf(ctx, 'listIds', i);
		const condition = ctx.getNodeParameter('condition', i, 'or') as 'and' | 'or';
		return {
			email,
			list_ids: listIds,
			condition,
			in_lists: await client.isContactInLists(email, listIds, condition),
		};
	});
}
