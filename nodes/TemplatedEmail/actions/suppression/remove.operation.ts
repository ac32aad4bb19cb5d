// Remove: takes each item's address off the suppression list (every row of it). One lookup, one DELETE per
// 200 rows found, whatever the number of items.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { SuppressionList } from '../../../shared/campaign/suppression';
import type { CampaignTables } from '../../../shared/campaign/tables';
import { addressesOf, emailField } from './fields';

export const description: INodeProperties[] = [
	emailField(
		'remove',
		'The address to take off the list (for example after the recipient subscribed again)',
	),
];

export async function execute(
	ctx: IExecuteFunctions,
	tables: CampaignTables,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
): Promise<Map<number, IDataObject>> {
	const wanted = addressesOf(ctx, indexes, fail);
	const removed = await new SuppressionList(tables).remove([...wanted.values()]);
	const out = new Map<number, IDataObject>();
	// an address on two items was removed once: the second item reports it gone already
	const reported = new Set<string>();
	for (const [i, email] of wanted) {
		const rows = reported.has(email) ? 0 : (removed.get(email) ?? 0);
		reported.add(email);
		out.set(i, { email, removed: rows > 0, wasSuppressed: (removed.get(email) ?? 0) > 0 });
	}
	return out;
}
