import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { CrmBackend, EntityType } from '../../transport/types';

/** The records with an address, a web domain or a name; one output item per record. */
export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	i: number,
	entity: EntityType,
): Promise<INodeExecutionData[]> {
	const found = await backend.find(entity, {
		email: ctx.getNodeParameter('findEmail', i, '') as string,
		domain: ctx.getNodeParameter('findDomain', i, '') as string,
		name: ctx.getNodeParameter('findName', i, '') as string,
		limit: ctx.getNodeParameter('limit', i, 50) as number,
	});
	return found.map((r) => ({ json: { ...r } as unknown as IDataObject, pairedItem: { item: i } }));
}
