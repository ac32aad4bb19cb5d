// Add: puts each item's address on the suppression list with a reason. All items: one lookup and one POST.
// An address already listed keeps its first row (reported as alreadySuppressed). "From the Item" reads the
// reason from a bounce / complaint event of the IMAP Sync Trigger or IMAP Mailbox: a complaint and a hard
// bounce are added, a soft bounce or a delay is not (the address works; the item says so); an event of a
// campaign email also goes into the campaign log as "bounced" / "complained" (eventLog.ts, one more POST).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import {
	SuppressionList,
	type SuppressionInput,
	type SuppressionReason,
} from '../../../shared/campaign/suppression';
import type { CampaignLogRow } from '../../../shared/campaign/log';
import type { CampaignTables } from '../../../shared/campaign/tables';
import { CheckFailure } from '../../../shared/failure';
import { entryJson } from './check.operation';
import { campaignOfEvent, eventLogRow, writeEventRows } from './eventLog';
import { addressOf, emailField, SUPPRESSION } from './fields';

const show = { show: { resource: [SUPPRESSION], operation: ['add'] } };

export const description: INodeProperties[] = [
	emailField('add', 'The address no campaign email may go to any more'),
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'options',
		default: 'manual',
		description: 'Why the address is suppressed (stored with it)',
		displayOptions: show,
		options: [
			{ name: 'Complaint', value: 'complaint', description: 'The recipient reported spam' },
			{
				name: 'From the Item (Bounce or Complaint Event)',
				value: 'fromEvent',
				description:
					'A complaint or hard bounce event of the IMAP Sync Trigger: complaint or hardBounce; soft bounces are not added',
			},
			{ name: 'Hard Bounce', value: 'hardBounce', description: 'The address does not exist' },
			{ name: 'Manual', value: 'manual', description: 'Added by hand or by a rule of yours' },
			{ name: 'Unsubscribed', value: 'unsubscribed', description: 'The recipient opted out' },
		],
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		default: '',
		placeholder: 'spring-sale-2026',
		description:
			'The campaign (name or ID) that caused it, if any. Empty with "From the Item": the campaign the bounced or reported email was sent with (Send as Campaign, with Tracking on).',
		displayOptions: show,
	},
	{
		displayName: 'Message-ID',
		name: 'messageId',
		type: 'string',
		default: '',
		placeholder: '<20260301.1234@example.com>',
		description:
			'The email that caused it, if known. Empty with "From the Item": the Message-ID of the bounced or reported email.',
		displayOptions: show,
	},
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		default: '',
		description: 'Free text stored with the entry',
		displayOptions: show,
	},
];

/** The reason of a bounce / complaint event item, or why it is not one to suppress. */
export function reasonOfEvent(json: IDataObject): SuppressionReason | { skip: string } {
	if (json.event === 'complaint') return 'complaint';
	if (json.event === 'bounce')
		return json.kind === 'hard'
			? 'hardBounce'
			: { skip: `a ${String(json.kind ?? 'soft')} bounce: the address still works` };
	throw new CheckFailure(
		'The item is not a bounce or complaint event (its "event" field is neither "bounce" nor "complaint")',
		'Pick a fixed Reason, or connect this node to the bounce output of the IMAP Sync Trigger (Match Bounces to Sent Emails) or IMAP Mailbox.',
	);
}

export async function execute(
	ctx: IExecuteFunctions,
	tables: CampaignTables,
	indexes: number[],
	fail: (i: number, error: unknown) => void,
): Promise<Map<number, IDataObject>> {
	const out = new Map<number, IDataObject>();
	const wanted = new Map<number, SuppressionInput>();
	const logRows = new Map<number, CampaignLogRow>();
	const items = ctx.getInputData();
	for (const i of indexes) {
		try {
			const email = addressOf(ctx, i);
			let reason = ctx.getNodeParameter('reason', i) as SuppressionReason | 'fromEvent';
			let messageId = ctx.getNodeParameter('messageId', i, '') as string;
			let campaign = (ctx.getNodeParameter('campaign', i, '') as string).trim();
			if (reason === 'fromEvent') {
				const json = items[i].json;
				const found = reasonOfEvent(json);
				const row = eventLogRow(json);
				if (row) logRows.set(i, row);
				if (typeof found !== 'string') {
					out.set(i, { email, added: false, skipped: found.skip });
					continue;
				}
				reason = found;
				messageId ||= String((json.original as IDataObject | undefined)?.messageId ?? '');
				campaign ||= campaignOfEvent(json) ?? '';
			}
			wanted.set(i, {
				email,
				reason,
				campaign,
				messageId: messageId.trim(),
				note: ctx.getNodeParameter('note', i, '') as string,
				source: 'flow',
			});
		} catch (error) {
			fail(i, error);
		}
	}
	const results = await new SuppressionList(tables).add([...wanted.values()]);
	[...wanted.keys()].forEach((i, at) => {
		const r = results[at];
		out.set(i, {
			email: r.email,
			added: r.added,
			...(r.added ? {} : { alreadySuppressed: true }),
			...entryJson(r.entry),
		});
	});
	await writeEventRows(tables, logRows, out, (message) => ctx.logger.warn(message));
	return out;
}
