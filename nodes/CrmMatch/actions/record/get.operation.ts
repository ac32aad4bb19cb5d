import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { CrmBackend, EntityType } from '../../transport/types';

export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	i: number,
	entity: EntityType,
): Promise<INodeExecutionData[]> {
	const id = ctx.getNodeParameter('recordId', i) as string;
	const r = await backend.get(entity, id);
	if (!r)
		throw new NodeOperationError(ctx.getNode(), `No ${entity} with ID ${id}`, {
			itemIndex: i,
			description: 'Check the record ID.',
		});
	return [{ json: { ...r } as unknown as IDataObject, pairedItem: { item: i } }];
}
