// Contact > Exclude and Contact > Unsubscribe: the contact out of lists (all of them when none is chosen).
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';
import { listIdsOf } from './contactFields';

export async function removeFromLists(
	operation: 'exclude' | 'unsubscribe',
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items, async (i) => {
		const contactType = ctx.getNodeParameter('contactType', i, 'email') as 'email' | 'phone';
		const contact = String(ctx.getNodeParameter('contact', i, '')).trim();
		if (!contact) {
			throw new NodeOperationError(ctx.getNode(), 'No contact given', {
				itemIndex: i,
				description: 'Set "Contact" to the email or phone to remove.',
			});
		}
		const listIds = listIdsOf(ctx, 'removeListIds', i);
		await client.removeFromLists(operation, contactType, contact, listIds);
		const result: IDataObject = { contact, contact_type: contactType, list_ids: listIds || 'all' };
		result[operation === 'exclude' ? 'excluded' : 'unsubscribed'] = true;
		return result;
	});
}
