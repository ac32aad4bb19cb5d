import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { flagList, MailboxError, type MailboxSession } from '../transport/session';
import { folderParameter, folderProperty, STANDARD_FLAG_OPTIONS } from './operationFields';

const show = { operation: ['append'] };

export const description: INodeProperties[] = [
	...folderProperty(
		'folder',
		'Folder',
		['append'],
		'Where to store the message, e.g. the Sent folder to keep a copy of mail sent by the flow.',
	),
	{
		displayName: 'Message Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Text Field',
				value: 'field',
				description: 'The complete raw message (RFC 5322: headers, empty line, body) as text',
			},
			{
				name: 'Binary File',
				value: 'binary',
				description: 'An .eml file in a binary property of the item',
			},
		],
		default: 'field',
		displayOptions: { show },
		description: 'Where the raw message comes from',
	},
	{
		displayName: 'Raw Message',
		name: 'rawMessage',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		required: true,
		placeholder: '={{ $json.raw }}',
		displayOptions: { show: { ...show, source: ['field'] } },
		description:
			'The whole message with its headers (From, To, Subject, Date, Message-ID ...), e.g. the "raw" output of Send Templated Email',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { ...show, source: ['binary'] } },
		hint: 'The name of the input binary field containing the .eml file',
		description: 'Name of the binary property that holds the message',
	},
	{
		displayName: 'Flags',
		name: 'flags',
		type: 'multiOptions',
		options: STANDARD_FLAG_OPTIONS,
		default: ['\\Seen'],
		displayOptions: { show },
		description:
			'Flags the stored message gets. "Seen" keeps a sent copy from showing up as unread.',
	},
	{
		displayName: 'Custom Keywords',
		name: 'keywords',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Your own keywords for the stored message, separated by commas',
	},
	{
		displayName: 'Date',
		name: 'date',
		type: 'dateTime',
		default: '',
		displayOptions: { show },
		description: 'Date the folder shows for the message (IMAP internal date). Empty: now.',
	},
];

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const folder = folderParameter(this, 'folder', i);
	const source = this.getNodeParameter('source', i) as string;
	let raw: Buffer;
	if (source === 'binary') {
		const prop = this.getNodeParameter('binaryPropertyName', i) as string;
		this.helpers.assertBinaryData(i, prop);
		raw = await this.helpers.getBinaryDataBuffer(i, prop);
	} else {
		raw = Buffer.from(String(this.getNodeParameter('rawMessage', i) ?? ''), 'utf8');
	}
	if (
		!/^[\x21-\x39\x3b-\x7e]+:/m.test(raw.subarray(0, 4096).toString('latin1')) ||
		raw.length < 10
	) {
		throw new MailboxError(
			'The raw message has no headers',
			'Give the complete message source (headers such as From, To, Subject, then an empty line, then the body), not only its text.',
		);
	}
	const flags = flagList(
		this.getNodeParameter('flags', i, []),
		this.getNodeParameter('keywords', i, ''),
	);
	const dateParam = this.getNodeParameter('date', i, '') as string;
	const date = dateParam ? new Date(dateParam) : undefined;
	const client = await session.imap();
	const res = await client.append(folder, raw, flags, date).catch((error: Error) => error);
	if (res instanceof Error) {
		if (!client.usable) throw res;
		throw new MailboxError(
			`Could not store the message in "${folder}": ${(res as { responseText?: string }).responseText ?? res.message}`,
			'Check that the folder exists (see "List Folders") and that the mailbox is not over quota.',
		);
	}
	if (!res)
		throw new MailboxError(
			`The server refused to store the message in "${folder}"`,
			'Check that the folder exists and is writable.',
		);
	return [
		{
			json: {
				folder,
				uid: res.uid ?? null,
				uidValidity: res.uidValidity !== undefined ? String(res.uidValidity) : null,
				size: raw.length,
				flags,
			},
		},
	];
}
