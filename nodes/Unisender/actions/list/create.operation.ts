// List > Create: a new list, optionally with the pages a subscriber sees before / after confirming.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { UnisenderClient } from '../../transport/client';
import { perItem } from '../perItem';

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await perItem(ctx, items, async (i) => {
		const title = String(ctx.getNodeParameter('title', i)).trim();
		const o = ctx.getNodeParameter('listOptions', i, {}) as {
			beforeSubscribeUrl?: string;
			afterSubscribeUrl?: string;
		};
		const { id } = await client.createList(title, o);
		return { id, title };
	});
}
