// Dispatch by resource and operation; one Unisender client (with its pacer) for the whole run.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { UnisenderClient } from '../transport/client';
import { clientFor } from '../transport/http';
import * as exclude from './contact/exclude.operation';
import * as get from './contact/get.operation';
import * as importContacts from './contact/import.operation';
import * as isInLists from './contact/isInLists.operation';
import * as stopMailing from './contact/stopMailing.operation';
import * as subscribe from './contact/subscribe.operation';
import * as unsubscribe from './contact/unsubscribe.operation';
import * as create from './list/create.operation';
import * as getAll from './list/getAll.operation';

type Operation = (
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	contact: {
		subscribe: subscribe.execute,
		importContacts: importContacts.execute,
		exclude: exclude.execute,
		unsubscribe: unsubscribe.execute,
		stopMailing: stopMailing.execute,
		getContact: get.execute,
		isContactInLists: isInLists.execute,
	},
	list: { getAll: getAll.execute, create: create.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run)
		throw new NodeOperationError(
			this.getNode(),
			`Unknown operation "${operation}" of "${resource}"`,
		);
	return [await run(this, await clientFor(this), this.getInputData())];
}
