// List > Get Many: the account's lists (once, whatever the number of input items).
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items.slice(0, 1), async (i) => {
		const lists = (await client.getLists()) as unknown as IDataObject[];
		const returnAll = ctx.getNodeParameter('returnAll', i, true) as boolean;
		return returnAll ? lists : lists.slice(0, ctx.getNodeParameter('limit', i, 50) as number);
	});
}
