// Check: whether each item's address is on the suppression list, and why. All items: one batched lookup.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { SuppressionList } from '../../../shared/campaign/suppression';
import type { CampaignTables } from '../../../shared/campaign/tables';
import { addressesOf, emailField } from './fields';

export const description: INodeProperties[] = [emailField('check', 'The address to look up')];

export async function execute(
	ctx: IExecuteFunctions,
	tables: CampaignTables,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
): Promise<Map<number, IDataObject>> {
	const wanted = addressesOf(ctx, indexes, fail);
	const found = await new SuppressionList(tables).lookup([...wanted.values()]);
	const out = new Map<number, IDataObject>();
	for (const [i, email] of wanted) {
		const entry = found.get(email);
		out.set(
			i,
			entry ? { email, suppressed: true, ...entryJson(entry) } : { email, suppressed: false },
		);
	}
	return out;
}

export function entryJson(entry: {
	reason: string;
	campaign: string | null;
	messageId: string | null;
	source: string | null;
	note: string | null;
	suppressedAt: string;
}): IDataObject {
	return {
		reason: entry.reason,
		campaign: entry.campaign,
		messageId: entry.messageId,
		source: entry.source,
		note: entry.note,
		suppressedAt: entry.suppressedAt,
	};
}
