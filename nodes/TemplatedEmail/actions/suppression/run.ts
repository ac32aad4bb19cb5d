// Runs a Suppression List or Campaign operation over every item of the execution at once: the items'
// parameters are read first, then ONE batched call to the data tables answers them all. A bad item fails
// alone (Continue On Fail: its own error item, else the run stops before anything is written); a failed
// batched call fails every item of the batch.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { failureJson, toNodeError } from '../../../shared/errors';
import type { CampaignTables } from '../../../shared/campaign/tables';
import * as report from '../campaign/report.operation';
import * as add from './add.operation';
import * as check from './check.operation';
import { CAMPAIGN, tablesOf } from './fields';
import * as remove from './remove.operation';

export type BatchedOperation = (
	ctx: IExecuteFunctions,
	tables: CampaignTables,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
) => Promise<Map<number, IDataObject | IDataObject[]>>;

class ItemFailed extends Error {
	constructor(readonly nodeError: Error) {
		super(nodeError.message);
	}
}

export async function runBatched(
	ctx: IExecuteFunctions,
	operation: BatchedOperation,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const results: INodeExecutionData[][] = items.map(() => []);
	const continueOnFail = ctx.continueOnFail();
	const failed = new Set<number>();
	const fail = (i: number, error: unknown) => {
		const nodeError = toNodeError(ctx.getNode(), error, i);
		if (!continueOnFail) throw new ItemFailed(nodeError);
		failed.add(i);
		results[i] = [{ json: failureJson(nodeError), pairedItem: { item: i } }];
	};
	const indexes = items.map((_, i) => i);
	try {
		const tables = await tablesOf(ctx);
		const answers = await operation(ctx, tables, indexes, fail);
		for (const [i, json] of answers)
			results[i] = [json].flat().map((j) => ({ json: j, pairedItem: { item: i } }));
	} catch (error) {
		if (error instanceof ItemFailed) throw error.nodeError;
		if (!continueOnFail) throw toNodeError(ctx.getNode(), error);
		for (const i of indexes) if (!failed.has(i)) fail(i, error);
	}
	return [results.flat()];
}

/** The operation of a Suppression List or Campaign item. */
export function operationOf(resource: string, operation: string): BatchedOperation {
	const found =
		resource === CAMPAIGN
			? { report: report.execute }[operation]
			: { add: add.execute, remove: remove.execute, check: check.execute }[operation];
	if (!found) throw new Error(`Unknown operation "${operation}" of resource "${resource}"`);
	return found;
}
