// Dispatch by operation. Email operations take all items at once (one batched lookup); record operations run
// per item; Set Up Tables runs once.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import { backendFor } from '../transport/http';
import type { CrmBackend, EntityType } from '../transport/types';
import * as linkEmail from './email/linkEmail.operation';
import * as markUndeliverable from './email/markUndeliverable.operation';
import * as match from './email/match.operation';
import * as matchAndCreate from './email/matchAndCreate.operation';
import * as create from './record/create.operation';
import * as find from './record/find.operation';
import * as get from './record/get.operation';
import * as update from './record/update.operation';
import * as setupTables from './tables/setup.operation';

type EmailOperation = (
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	items: INodeExecutionData[],
	options: IDataObject,
) => Promise<INodeExecutionData[]>;

type RecordOperation = (
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	i: number,
	entity: EntityType,
) => Promise<INodeExecutionData[]>;

const emailOperations: Record<string, EmailOperation> = {
	match: match.execute,
	matchAndCreate: matchAndCreate.execute,
	linkEmail: linkEmail.execute,
	markUndeliverable: markUndeliverable.execute,
};

const recordOperations: Record<string, RecordOperation> = {
	find: find.execute,
	get: get.execute,
	create: create.execute,
	update: update.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	let backend: CrmBackend;
	try {
		backend = await backendFor(this, options.tablePrefix as string);
	} catch (e) {
		throw toNodeError(this.getNode(), e);
	}
	const runEmails = emailOperations[operation];
	if (operation === 'setupTables' || runEmails) {
		try {
			if (runEmails) return [await runEmails(this, backend, items, options)];
			return [await setupTables.execute(this, backend)];
		} catch (e) {
			throw toNodeError(this.getNode(), e);
		}
	}
	const runRecord = recordOperations[operation];
	if (!runRecord) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const entity = this.getNodeParameter('entity', i) as EntityType;
			out.push(...(await runRecord(this, backend, i, entity)));
		} catch (e) {
			const nodeError = toNodeError(this.getNode(), e, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: { error: nodeError.message }, pairedItem: { item: i } });
		}
	}
	return [out];
}
