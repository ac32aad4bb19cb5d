// Parameters the Suppression List and Campaign resources share, and reading the tables they work on.
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { campaignTablesFor } from '../../../shared/campaign/connect';
import type { CampaignTables } from '../../../shared/campaign/tables';
import { CheckFailure } from '../../../shared/failure';
import { isValidAddress } from '../../../shared/addresses';
import { normalizeAddress } from '../../../shared/campaign/suppression';

export const SUPPRESSION = 'suppressionList';
export const CAMPAIGN = 'campaign';

export const emailField = (operation: string, description: string): INodeProperties => ({
	displayName: 'Email',
	name: 'email',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'name@example.com',
	description,
	hint: 'One address per item, bare or as Name <address>; case does not matter',
	displayOptions: { show: { resource: [SUPPRESSION], operation: [operation] } },
});

export const tablePrefixOption = (resources: string[]): INodeProperties => ({
	displayName: 'Options',
	name: 'campaignOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { resource: resources } },
	options: [
		{
			displayName: 'Table Prefix',
			name: 'tablePrefix',
			type: 'string',
			default: 'crm_',
			description:
				'Prefix of the two data tables, followed by suppression and campaign_log (crm_suppression, crm_campaign_log; created on first use); the same as in the Email Tracking Trigger',
		},
	],
});

/** The run's campaign tables (the prefix of the first item: one run, one set of tables). */
export async function tablesOf(ctx: IExecuteFunctions): Promise<CampaignTables> {
	const prefix = ctx.getNodeParameter('campaignOptions.tablePrefix', 0, 'crm_') as string;
	return await campaignTablesFor(ctx, prefix);
}

/** The item's address, normalized; a check failure that says what to fix when it is not one. */
export function addressOf(ctx: IExecuteFunctions, i: number): string {
	const raw = ctx.getNodeParameter('email', i, '') as string;
	const email = normalizeAddress(String(raw ?? ''));
	if (!email || !isValidAddress(email))
		throw new CheckFailure(
			`"${String(raw ?? '')}" is not an email address (item ${i})`,
			'Set Email to one address, e.g. {{ $json.email }}, or remove the item before this node.',
		);
	return email;
}

/** The address of each item, by item index; an item without a valid one fails alone through `fail`. */
export function addressesOf(
	ctx: IExecuteFunctions,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
): Map<number, string> {
	const wanted = new Map<number, string>();
	for (const i of indexes) {
		try {
			wanted.set(i, addressOf(ctx, i));
		} catch (error) {
			fail(i, error);
		}
	}
	return wanted;
}
