import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { CrmBackend, EntityType, RecordInput } from '../../transport/types';

export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	i: number,
	entity: EntityType,
): Promise<INodeExecutionData[]> {
	const fields = ctx.getNodeParameter('fields', i, {}) as RecordInput;
	const id = ctx.getNodeParameter('recordId', i) as string;
	const record = await backend.update(entity, id, fields);
	return [{ json: { ...record } as unknown as IDataObject, pairedItem: { item: i } }];
}
