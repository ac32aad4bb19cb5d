import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SearchObject } from 'imapflow';
import { parseFetched, type LoadMode } from '../../shared/imap/message';
import { MailboxError, parseUids, requireUids, type MailboxSession } from '../transport/session';
import { folderParameter, folderProperty, STANDARD_FLAG_OPTIONS } from './operationFields';
import { toNodeItem } from '../../shared/imap/nodeItem';
import { classifyMessage } from '../../shared/bounces';
import { matchSentEmailsProperty, referenceSecretOf } from '../../shared/bounces/matchSentEmails';

const show = { operation: ['getMessages'] };
/** Messages are fetched in slices of this many: bounded memory whatever the limit. */
const FETCH_BATCH = 25;

export const description: INodeProperties[] = [
	...folderProperty('folder', 'Folder', ['getMessages'], 'The folder to read.'),
	{
		displayName: 'Select Messages',
		name: 'selectBy',
		type: 'options',
		options: [
			{
				name: 'By Search',
				value: 'search',
				description: 'Messages matching filters (all messages when no filter is set)',
			},
			{ name: 'By UID', value: 'uid', description: 'Specific messages by their UIDs' },
		],
		default: 'search',
		displayOptions: { show },
		description: 'How to choose the messages',
	},
	{
		displayName: 'Message UIDs',
		name: 'uids',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.uid }}',
		displayOptions: { show: { ...show, selectBy: ['uid'] } },
		description: 'UIDs of the messages, separated by commas',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { ...show, selectBy: ['search'] } },
		options: [
			{
				displayName: 'From Contains',
				name: 'from',
				type: 'string',
				default: '',
				description: 'Part of the sender address or name',
			},
			{
				displayName: 'Has Flags',
				name: 'hasFlags',
				type: 'multiOptions',
				options: STANDARD_FLAG_OPTIONS,
				default: [],
				description: 'Only messages that have all of these flags',
			},
			{
				displayName: 'Has Keyword',
				name: 'keyword',
				type: 'string',
				default: '',
				description: 'Only messages with this custom keyword',
			},
			{
				displayName: 'Lacks Keyword',
				name: 'unKeyword',
				type: 'string',
				default: '',
				description: 'Only messages without this custom keyword (e.g. skip ones already processed)',
			},
			{
				displayName: 'Received Before',
				name: 'before',
				type: 'dateTime',
				default: '',
				description: 'Only messages received before this date',
			},
			{
				displayName: 'Received Since',
				name: 'since',
				type: 'dateTime',
				default: '',
				description: 'Only messages received on or after this date',
			},
			{
				displayName: 'Subject Contains',
				name: 'subject',
				type: 'string',
				default: '',
				description: 'Part of the subject',
			},
			{
				displayName: 'Text Contains',
				name: 'body',
				type: 'string',
				default: '',
				description: 'Words in the message body',
			},
			{
				displayName: 'To Contains',
				name: 'to',
				type: 'string',
				default: '',
				description: 'Part of a recipient address or name',
			},
			{
				displayName: 'Unread Only',
				name: 'unseen',
				type: 'boolean',
				default: true,
				description: 'Whether to return only messages not marked as read',
			},
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: { show },
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { ...show, returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Load',
				name: 'load',
				type: 'options',
				options: [
					{ name: 'Full Message With Attachments', value: 'full' },
					{
						name: 'Full Message Without Attachments',
						value: 'noAttachments',
						description: 'Attachment names and sizes only',
					},
					{
						name: 'Headers Only',
						value: 'headers',
						description: 'Addresses, subject, date, IDs; no text',
					},
				],
				default: 'full',
				description: 'How much of each message to load',
			},
			{
				displayName: 'Include Raw Headers',
				name: 'includeHeaders',
				type: 'boolean',
				default: false,
				description: 'Whether to add the raw header block as "headers"',
			},
			{
				displayName: 'Recognise Bounces and Complaints',
				name: 'recogniseBounces',
				type: 'boolean',
				default: false,
				description:
					'Whether to add "bounces" to each message: for a delivery failure report one entry per failed address (recipient, kind hard/soft/delay, reason, status, original Message-ID; with "Match Bounces to Sent Emails" also "sent"), for a spam complaint one complaint; an empty list for other mail. Needs a full load (not Headers Only).',
			},
			{
				displayName: 'Oldest First',
				name: 'oldestFirst',
				type: 'boolean',
				default: false,
				description: 'Whether to return the oldest messages first (default: newest first)',
			},
		],
	},
	matchSentEmailsProperty('the option "Recognise Bounces and Complaints"', show),
];

function searchQuery(f: IDataObject): SearchObject {
	const q: SearchObject = {};
	if (f.from) q.from = String(f.from);
	if (f.to) q.to = String(f.to);
	if (f.subject) q.subject = String(f.subject);
	if (f.body) q.body = String(f.body);
	if (f.since) q.since = new Date(String(f.since));
	if (f.before) q.before = new Date(String(f.before));
	if (f.unseen) q.seen = false;
	const names: Record<string, keyof SearchObject> = {
		'\\Seen': 'seen',
		'\\Answered': 'answered',
		'\\Flagged': 'flagged',
		'\\Deleted': 'deleted',
		'\\Draft': 'draft',
	};
	for (const flag of (f.hasFlags as string[] | undefined) ?? [])
		if (names[flag]) (q as IDataObject)[names[flag]] = true;
	if (f.keyword) q.keyword = String(f.keyword);
	if (f.unKeyword) q.unKeyword = String(f.unKeyword);
	for (const d of ['since', 'before'] as const) {
		if (q[d] && Number.isNaN((q[d] as Date).getTime()))
			throw new MailboxError(`"${String(f[d])}" is not a date`, 'Use a date like 2025-01-31.');
	}
	return Object.keys(q).length ? q : { all: true };
}

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const folder = folderParameter(this, 'folder', i);
	const selectBy = this.getNodeParameter('selectBy', i) as string;
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i, 50) as number);
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const load = (options.load as LoadMode) ?? 'full';
	const referenceSecret = options.recogniseBounces ? await referenceSecretOf(this, i) : undefined;
	const specialUse = (await session.folderList()).find((f) => f.path === folder)?.specialUse;
	const direction = specialUse === '\\Sent' ? 'outgoing' : 'incoming';
	const out: INodeExecutionData[] = [];
	await session.inFolder(
		folder,
		async (client) => {
			// UIDs first (search), then the slice, then fetch: never fetch a whole folder to stop early
			let uids: number[];
			if (selectBy === 'uid') {
				uids = parseUids(this.getNodeParameter('uids', i));
				await requireUids(client, folder, uids);
			} else {
				const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
				uids = ((await client.search(searchQuery(filters), { uid: true })) || []).sort(
					(a, b) => a - b,
				);
				if (!options.oldestFirst) uids.reverse();
			}
			uids = uids.slice(0, limit);
			const uidValidity = String(client.mailbox ? client.mailbox.uidValidity : '');
			for (let at = 0; at < uids.length; at += FETCH_BATCH) {
				const batch = uids.slice(at, at + FETCH_BATCH);
				const rows = await client.fetchAll(
					batch,
					{
						uid: true,
						flags: true,
						size: true,
						internalDate: true,
						envelope: true,
						...(load === 'headers' ? { headers: true } : { source: true }),
					},
					{ uid: true },
				);
				// parsed after the fetch completed (no command runs inside a fetch), in the requested order
				const byUid = new Map(rows.map((r) => [r.uid, r]));
				for (const uid of batch) {
					const row = byUid.get(uid);
					if (!row) continue; // expunged meanwhile
					const item = await parseFetched(row, {
						folder,
						uidValidity,
						direction,
						load,
						includeHeaders: Boolean(options.includeHeaders),
					});
					// bounce reports are read from the source (ordinary mail is turned away by its header)
					if (options.recogniseBounces && row.source)
						item.json.bounces = (await classifyMessage(row.source, { referenceSecret })) ?? [];
					out.push(await toNodeItem((...a) => this.helpers.prepareBinaryData(...a), item));
				}
			}
		},
		true,
	);
	return out;
}
