// Contact > Stop Mailing: the way Unisender's documentation gives to stop all mailing to an address, e.g. after
// a hard bounce: importContacts with the `email` and `email_status` fields, all items in batches of 500 like
// Import. Documented statuses: `inactive` (deactivated; can be re-enabled in Unisender) and `unsubscribed`
// (from all current and future campaigns; only the contact can undo it).
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { toNodeError } from '../../../shared/errors';
import type { UnisenderClient } from '../../transport/client';
import type { ImportRow } from '../../transport/import';
import { failure } from '../perItem';
import { importRows } from './importRows';
import { on } from './listPicker';

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'stopEmail',
		type: 'string',
		// a bounce event of the IMAP Sync Trigger names the dead address in `recipient`
		default: '={{ $json.recipient }}',
		required: true,
		placeholder: 'name@email.com',
		displayOptions: on('contact', ['stopMailing']),
		description:
			'The address to stop mailing. The default takes the recipient of a bounce event from the IMAP Sync Trigger.',
	},
	{
		displayName: 'New Email Status',
		name: 'emailStatus',
		type: 'options',
		default: 'inactive',
		displayOptions: on('contact', ['stopMailing']),
		options: [
			{
				name: 'Deactivated',
				value: 'inactive',
				description:
					'Unisender sends nothing more to it; you can enable it again in Unisender. Right for a dead address (hard bounce).',
			},
			{
				name: 'Unsubscribed From All',
				value: 'unsubscribed',
				description:
					'Unsubscribed from all current and future campaigns; only the contact can undo it. Right for a spam complaint.',
			},
		],
		description: "The address's status in Unisender (importContacts' email_status field)",
	},
	{
		displayName:
			'Use it in a bounce flow: IMAP Sync Trigger (Bounces and Complaints) -> If kind is "hard" -> this. All items go in batches of 500. Unisender keeps an address that is already unsubscribed as it is.',
		name: 'stopMailingNotice',
		type: 'notice',
		default: '',
		displayOptions: on('contact', ['stopMailing']),
	},
];

export async function execute(
	ctx: IExecuteFunctions,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = items.map(() => []);
	const rows: ImportRow[] = [];
	const status = ctx.getNodeParameter('emailStatus', 0, 'inactive') as string;
	for (let i = 0; i < items.length; i++) {
		try {
			const email = String(ctx.getNodeParameter('stopEmail', i, '') ?? '').trim();
			if (!email)
				throw new Error(
					`Item ${i} has no email to stop mailing: set "Email" (for bounce events: {{ $json.recipient }})`,
				);
			rows.push({ item: i, values: { email, email_status: status } });
		} catch (e) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), e, i);
			results[i].push(failure(e, i));
		}
	}
	await importRows(ctx, client, rows, results, {
		toJson: (values, ok) => ({
			email: values.email,
			emailStatus: values.email_status,
			updated: ok,
		}),
	});
	return results.flat();
}
