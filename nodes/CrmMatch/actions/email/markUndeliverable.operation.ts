// Mark Undeliverable: act on bounces and complaints. Every item names an address (by default the recipient
// of the IMAP Sync Trigger's bounce / complaint event) and a reason; the records holding the address are
// looked up in one batch and marked the way the chosen CRM allows (see each backend's undeliverable.ts).
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { CrmBackend } from '../../transport/types';
import type { MarkRequest, ReasonChoice } from '../../undeliverable';
import { markUndeliverable, requestOf } from '../../undeliverable';
import { ItemOutcomes } from './emailBatch';

const op = ['markUndeliverable'];
const onBackend = (backend: string) => ({ show: { operation: op, backend: [backend] } });

export const description: INodeProperties[] = [
	{
		displayName: 'Address',
		name: 'undeliverableAddress',
		type: 'string',
		// a bounce or complaint event of the IMAP Sync Trigger names the address in `recipient`
		default: '={{ $json.recipient }}',
		required: true,
		placeholder: 'name@example.com',
		description:
			'The address that cannot be mailed. The default takes the recipient of a bounce or complaint event from the IMAP Sync Trigger.',
		displayOptions: { show: { operation: op } },
	},
	{
		displayName: 'Reason',
		name: 'undeliverableReason',
		type: 'options',
		default: 'fromEvent',
		description: 'Why the address is undeliverable; it is written on the records',
		hint: 'From the event: a hard bounce (kind "hard") or a complaint is marked; a soft bounce or a delay is passed on unmarked, saying so',
		options: [
			{
				name: 'From the Bounce or Complaint Event',
				value: 'fromEvent',
				description: "Read from the item's event and kind (IMAP Sync Trigger events)",
			},
			{ name: 'Hard Bounce', value: 'hardBounce', description: 'The address does not exist' },
			{
				name: 'Spam Complaint',
				value: 'complaint',
				description: 'The recipient reported the mail as spam',
			},
			{ name: 'Manual', value: 'manual', description: 'Marked by a decision of yours' },
		],
		displayOptions: { show: { operation: op } },
	},
	{
		displayName:
			'Sets the columns undeliverable (true), undeliverable_reason and undeliverable_at of every contact, lead and company with the address. Tables made before this operation existed need the columns: run "Set Up Tables" (n8n 2.41+), or add them in the Data tables tab.',
		name: 'undeliverableNoticeTables',
		type: 'notice',
		default: '',
		displayOptions: onBackend('dataTables'),
	},
	{
		displayName:
			'Sets the flag of the address itself, shared by every contact, lead and account with it: "Invalid" for a hard bounce or a manual mark, "Opted Out" for a spam complaint. EspoCRM then sends it nothing (Invalid) or no mass email (Opted Out).',
		name: 'undeliverableNoticeEspo',
		type: 'notice',
		default: '',
		displayOptions: onBackend('espoCrm'),
	},
	{
		displayName:
			'Bitrix24 has no "invalid" flag on e-mail addresses: a timeline comment saying the address is undeliverable and why is added to every contact, lead and company with it, and the field below (if set) is set to "Y".',
		name: 'undeliverableNoticeBitrix24',
		type: 'notice',
		default: '',
		displayOptions: onBackend('bitrix24'),
	},
	{
		displayName: 'Flag Field',
		name: 'undeliverableField',
		type: 'string',
		default: '',
		placeholder: 'UF_CRM_UNDELIVERABLE',
		description:
			'Optional: the code of a user field (type Yes/No) that Bitrix24 lists and filters can use, set to "Y" on every marked record. Create it in CRM settings for contacts, leads and companies.',
		displayOptions: onBackend('bitrix24'),
	},
	{
		displayName:
			'amoCRM has no "invalid" flag on e-mail addresses: the contact or company with the address gets the tag "undeliverable" and a note saying why. Remove the tag once the address works again.',
		name: 'undeliverableNoticeAmo',
		type: 'notice',
		default: '',
		displayOptions: onBackend('amoCrm'),
	},
];

/** One output item per input item: the item's fields, and `crm` saying what was marked where. */
export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const outcomes = new ItemOutcomes(ctx);
	const now = new Date().toISOString();
	const requests: MarkRequest[] = [];
	const itemOf: number[] = [];
	items.forEach((item, i) => {
		try {
			const address = ctx.getNodeParameter('undeliverableAddress', i, '');
			const reason = ctx.getNodeParameter('undeliverableReason', i, 'fromEvent') as ReasonChoice;
			requests.push(requestOf(item.json, address, reason, now));
			itemOf.push(i);
		} catch (e) {
			outcomes.fail(i, e);
		}
	});
	const flagField = ctx.getNodeParameter('undeliverableField', 0, '') as string;
	try {
		const results = await markUndeliverable(backend, requests, { flagField });
		itemOf.forEach((i, k) =>
			outcomes.succeed(i, { ...items[i].json, crm: results[k] as unknown as IDataObject }),
		);
	} catch (e) {
		for (const i of itemOf) outcomes.fail(i, e);
	}
	return outcomes.list();
}
