import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { matchEmails } from '../../matchItems';
import type { CrmBackend } from '../../transport/types';
import { matchOptionsOf, readEmailItems } from './emailBatch';

/** The records of every participant address; the item comes out with `crm` added. */
export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	items: INodeExecutionData[],
	options: IDataObject,
): Promise<INodeExecutionData[]> {
	const { emails, itemOf, outcomes } = readEmailItems(ctx, items);
	const results = await matchEmails(backend, emails, matchOptionsOf(options));
	itemOf.forEach((i, k) =>
		outcomes.succeed(i, { ...items[i].json, crm: results[k] as unknown as IDataObject }),
	);
	return outcomes.list();
}
