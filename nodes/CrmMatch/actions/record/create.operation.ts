import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { CrmBackend, EntityType, RecordInput } from '../../transport/types';

export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	i: number,
	entity: EntityType,
): Promise<INodeExecutionData[]> {
	const fields = ctx.getNodeParameter('fields', i, {}) as RecordInput;
	const { record } = await backend.create(entity, fields);
	return [{ json: { ...record } as unknown as IDataObject, pairedItem: { item: i } }];
}
