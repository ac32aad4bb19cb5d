// Contact > Add to Lists (Unisender's subscribe): the contact with its fields and tags into the chosen lists.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';
import { contactFields, listIdsOf } from './contactFields';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items, async (i) => {
		const listIds = listIdsOf(ctx, 'listIds', i);
		if (!listIds) {
			throw new NodeOperationError(ctx.getNode(), 'No list chosen', {
				itemIndex: i,
				description: 'Choose at least one list under "List Names or IDs".',
			});
		}
		const { fields, tags } = contactFields(ctx, i);
		const answer = await client.subscribe({
			listIds,
			fields,
			tags: tags || undefined,
			doubleOptin: ctx.getNodeParameter('doubleOptin', i, 4) as 0 | 3 | 4,
			overwrite: ctx.getNodeParameter('overwrite', i, 0) as 0 | 1 | 2,
		});
		const out: IDataObject = {
			person_id: answer.result?.person_id,
			email: fields.email,
			phone: fields.phone,
			list_ids: listIds,
		};
		if (answer.warnings?.length) out.warnings = answer.warnings as IDataObject[];
		return out;
	});
}
