// Contact > Unsubscribe: the contact says no (cannot be undone through the API).
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { removeFromLists } from './removeFromLists';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await removeFromLists('unsubscribe', ctx, client, items);
}
