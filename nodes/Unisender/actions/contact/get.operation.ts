// Contact > Get: what Unisender knows about an address (lists, fields, details).
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items, async (i) => {
		const email = String(ctx.getNodeParameter('lookupEmail', i)).trim();
		const o = ctx.getNodeParameter('getOptions', i, {}) as {
			lists?: boolean;
			fields?: boolean;
			details?: boolean;
		};
		const answer = await client.getContact(email, {
			lists: o.lists ?? true,
			fields: o.fields ?? true,
			details: o.details ?? false,
		});
		return answer.result as IDataObject;
	});
}
