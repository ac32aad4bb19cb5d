import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { CrmBackend } from '../../transport/types';

/** Creates the CRM data tables and columns that are missing; one output item. */
export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
): Promise<INodeExecutionData[]> {
	if (!backend.setup)
		throw new NodeOperationError(
			ctx.getNode(),
			'Set Up Tables is only for the n8n Data Tables backend',
		);
	return [{ json: { ...(await backend.setup()) }, pairedItem: { item: 0 } }];
}
