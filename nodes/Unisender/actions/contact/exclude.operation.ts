// Contact > Exclude: out of the lists, without unsubscribing (it can be added again).
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { removeFromLists } from './removeFromLists';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await removeFromLists('exclude', ctx, client, items);
}
