// Campaign Report: per campaign sent, delivered, unique opens (human / machine), clicks per link,
// unsubscribes, bounces, complaints and rates, from the campaign log; per recipient on request. The log
// rows of every campaign the items ask for are read once (one filtered GET, a page per 250 rows).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { readCampaignLog } from '../../../shared/campaign/log';
import { campaignReport, type LogRow } from '../../../shared/campaign/report';
import type { CampaignTables } from '../../../shared/campaign/tables';
import { CAMPAIGN } from '../suppression/fields';

const show = { show: { resource: [CAMPAIGN], operation: ['report'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Campaigns',
		name: 'campaigns',
		type: 'string',
		default: '',
		placeholder: 'spring-sale-2026, newsletter-12',
		description:
			'The campaigns (names or IDs) to report on, separated by commas; empty: every campaign in the log. One output item per campaign.',
		displayOptions: show,
	},
	{
		displayName: 'Per Recipient',
		name: 'perRecipient',
		type: 'boolean',
		default: false,
		description:
			'Whether to add a "recipients" list: per address sent, bounced, opened (by a human), clicks and links, unsubscribed, complained',
		displayOptions: show,
	},
];

const listOf = (value: unknown) =>
	String(value ?? '')
		.split(',')
		.map((c) => c.trim())
		.filter(Boolean);

export async function execute(
	ctx: IExecuteFunctions,
	tables: CampaignTables,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
): Promise<Map<number, IDataObject[]>> {
	const asked = new Map<number, string[]>();
	for (const i of indexes) {
		try {
			asked.set(i, listOf(ctx.getNodeParameter('campaigns', i, '')));
		} catch (error) {
			fail(i, error);
		}
	}
	const lists = [...asked.values()];
	// one read for all items: every campaign when one item asks for all
	const rows = (await readCampaignLog(
		tables,
		lists.some((l) => !l.length) ? [] : lists.flat(),
	)) as LogRow[];
	const out = new Map<number, IDataObject[]>();
	for (const [i, campaigns] of asked) {
		const perRecipient = ctx.getNodeParameter('perRecipient', i, false) as boolean;
		const report = campaignReport(rows, { campaigns, perRecipient });
		// an item that asked for every campaign of an empty log still gets an answer
		out.set(
			i,
			report.length
				? (report as unknown as IDataObject[])
				: [{ campaign: null, note: 'The campaign log has no campaign yet' }],
		);
	}
	return out;
}
