// Runs an operation item by item: one result (or a list) per item with its paired item, and with Continue On
// Fail the failure as the item's result instead of stopping.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import { UnisenderError } from '../transport/errors';

export const failure = (e: unknown, i: number): INodeExecutionData => ({
	json: {
		error: (e as Error).message,
		...(e instanceof UnisenderError ? { code: e.code, description: e.description } : {}),
	},
	pairedItem: { item: i },
});

export async function perItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (i: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const json = await run(i);
			for (const j of Array.isArray(json) ? json : [json])
				out.push({ json: j, pairedItem: { item: i } });
		} catch (e) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), e, i);
			out.push(failure(e, i));
		}
	}
	return out;
}
