import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';
import { pickerFor } from '../shared/pickers';

const foldersV1: INodeProperties = {
	displayName: 'Folders',
	name: 'folders',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Folder',
	default: { folder: [{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'nothing' }] },
	description:
		'The folders to watch, each with instant push (IDLE). The trigger opens one connection for syncing plus one per folder after the first; providers limit connections per account (Gmail 15, Outlook 20), so watch few folders per mailbox.',
	options: [
		{
			displayName: 'Folder',
			name: 'folder',
			values: [
				{
					displayName: 'Folder Name or ID',
					name: 'path',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getFolders' },
					default: 'INBOX',
					description:
						'The folder to watch. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'After Emitting',
					name: 'afterAction',
					type: 'options',
					default: 'nothing',
					description: 'What to do with a message on the server once it was handed to the workflow',
					options: [
						{
							name: 'Nothing',
							value: 'nothing',
						},
						{
							name: 'Mark as Read',
							value: 'markSeen',
						},
						{
							name: 'Move to Folder',
							value: 'move',
						},
						{
							name: 'Delete',
							value: 'delete',
							description: 'Deleted and expunged on the server: it cannot be recovered',
						},
					],
				},
				{
					displayName: 'Direction',
					name: 'direction',
					type: 'options',
					default: 'auto',
					description:
						'Whether messages of this folder are mail you received or mail you sent (CRM flows use it to tell the customer from you)',
					options: [
						{
							name: 'Automatic',
							value: 'auto',
							description: 'Outgoing for the Sent folder (special use \\Sent), incoming otherwise',
						},
						{
							name: 'Incoming',
							value: 'incoming',
						},
						{
							name: 'Outgoing',
							value: 'outgoing',
						},
					],
				},
				{
					displayName: 'Load',
					name: 'load',
					type: 'options',
					default: 'full',
					description: 'How much of each message to download',
					options: [
						{
							name: 'Full Message With Attachments',
							value: 'full',
							description: 'Text, HTML and attachments as binary data',
						},
						{
							name: 'Full Message Without Attachments',
							value: 'noAttachments',
							description: 'Text and HTML; attachment names, types and sizes only',
						},
						{
							name: 'Headers Only',
							value: 'headers',
							description: 'Addresses, subject, date and IDs; fastest',
						},
					],
				},
				{
					displayName: 'Move to Folder Name or ID',
					name: 'moveTo',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getFolders' },
					displayOptions: { show: { afterAction: ['move'] } },
					default: '',
					description:
						'Where emitted messages are moved. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
			],
		},
	],
};

const folderEntry = (foldersV1.options as INodePropertyCollection[])[0];

/**
 * The folders to watch. Version 2 picks a folder (and the folder to move to) from a searchable list or takes its
 * path typed in; version 1 keeps its dropdowns.
 */
export const folderFields: INodeProperties[] = [
	{ ...foldersV1, displayOptions: { show: { '@version': [1] } } },
	{
		...foldersV1,
		default: {
			folder: [
				{
					path: { __rl: true, mode: 'list', value: 'INBOX' },
					direction: 'auto',
					load: 'full',
					afterAction: 'nothing',
				},
			],
		},
		displayOptions: { show: { '@version': [2] } },
		options: [
			{
				...folderEntry,
				values: folderEntry.values.map((field) =>
					field.name === 'path' || field.name === 'moveTo'
						? pickerFor(field, 'searchFolders', {
								name: 'path',
								displayName: 'By Path',
								placeholder: 'INBOX/Archive',
								hint: "The folder's full path as the server names it, with its separator",
							})
						: field,
				),
			},
		],
	},
];

export const firstSyncFields: INodeProperties[] = [
	{
		displayName: 'On First Activation',
		name: 'firstSync',
		type: 'options',
		default: 'days',
		description:
			'Which existing mail the first activation emits. Afterwards only new mail is emitted.',
		options: [
			{ name: 'Emit Mail of the Last N Days', value: 'days' },
			{ name: 'Emit Mail Since a Date', value: 'since' },
			{ name: 'Only Mail Arriving From Now On', value: 'new' },
		],
	},
	{
		displayName: 'Days',
		name: 'days',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		displayOptions: { show: { firstSync: ['days'] } },
		description:
			'How many days back the first activation goes (by the date the server received the mail)',
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		default: '',
		displayOptions: { show: { firstSync: ['since'] } },
		description: 'Mail received on or after this date is emitted on the first activation',
	},
	{
		displayName: 'Watch Mode',
		name: 'watchMode',
		type: 'options',
		default: 'push',
		description: 'How new mail is noticed',
		options: [
			{
				name: 'Push (IDLE) Plus Safety Poll',
				value: 'push',
				description: 'Instant on servers with IDLE (almost all)',
			},
			{
				name: 'Poll Only',
				value: 'poll',
				description: 'For servers without IDLE: check every poll interval',
			},
		],
	},
];

export const optionFields: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Attachment Property Prefix',
			name: 'binaryPrefix',
			type: 'string',
			default: 'attachment_',
			description:
				'Attachments become binary properties named prefix + number (attachment_0, attachment_1, ...)',
		},
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 50,
			description: 'Messages per execution when many are waiting. Smaller batches use less memory.',
		},
		{
			displayName: 'Blocked Senders',
			name: 'blockedSenders',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'spam@example.com, newsletters.example.org',
			description:
				'Addresses or domains whose mail is skipped (separated by commas or new lines). A domain also blocks its subdomains.',
		},
		{
			displayName: 'Bounces and Complaints',
			name: 'bounces',
			type: 'options',
			default: 'events',
			description:
				'What to do with delivery failure reports (bounces: RFC 3464 reports and the plain-text notices of Exchange, Gmail, Yandex, Mail.ru, Exim, Postfix and others) and spam complaints (RFC 5965 feedback loops)',
			hint: 'As events: one item per failed address with event "bounce" (recipient, kind hard/soft/delay, reason, status, original Message-ID) or "complaint"; with "Match Bounces to Sent Emails" also "sent", the verified send (its Message-ID and tracking data). The "Ignore Auto-Replies" option does not skip them.',
			options: [
				{
					name: 'As Bounce and Complaint Events',
					value: 'events',
					description: 'One item per failed recipient or complaint instead of the report message',
				},
				{
					name: 'As Ordinary Messages',
					value: 'message',
					description: 'Emitted like any other email (event "message")',
				},
				{
					name: 'Ignore',
					value: 'ignore',
					description: 'Skipped: not emitted, never looked at again',
				},
			],
		},
		{
			displayName: 'Emit Flag and Deletion Changes',
			name: 'changeEvents',
			type: 'boolean',
			default: false,
			description:
				"Whether to also emit an item when a message's flags change (e.g. read) or it is deleted on the server, to mirror them in a CRM. Needs CONDSTORE; deletions need QRESYNC.",
		},
		{
			displayName: 'Executions at Once',
			name: 'maxExecutions',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 50 },
			default: 1,
			description:
				'How many executions of this trigger may run at the same time. Further mail waits on the server until one finishes (nothing is lost, memory stays low). 1 handles mail in the order it arrived.',
		},
		{
			displayName: 'Give Up After Failed Reconnects',
			name: 'maxReconnectAttempts',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description:
				'Failed reconnection attempts in a row (with growing pauses, up to a minute) before the workflow is reported as failed. 0 retries forever.',
		},
		{
			displayName: 'Ignore Auto-Replies',
			name: 'ignoreAutoReplies',
			type: 'boolean',
			default: true,
			description:
				'Whether to skip out-of-office and other automatic replies (Auto-Submitted header). Bounces and complaints are not skipped by this: see "Bounces and Complaints".',
		},
		{
			displayName: 'Ignore Bulk and List Mail',
			name: 'ignoreBulkMail',
			type: 'boolean',
			default: false,
			description:
				'Whether to skip newsletters and mailing-list mail (Precedence: bulk/list, List-ID, List-Unsubscribe headers)',
		},
		{
			displayName: 'Include Raw Headers',
			name: 'includeHeaders',
			type: 'boolean',
			default: false,
			description: 'Whether to add the raw header block as "headers"',
		},
		{
			displayName: 'Max Message Size (MB)',
			name: 'sizeLimitMb',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description:
				'Larger messages are emitted with their headers only and "oversized": true, so one huge mail cannot exhaust memory',
		},
		{
			displayName: 'Safety Poll Interval (Minutes)',
			name: 'pollMinutes',
			type: 'number',
			typeOptions: { minValue: 0.1 },
			default: 5,
			description: 'How often all folders are checked even without a push from the server',
		},
		{
			displayName: 'Test Event Messages',
			name: 'testCount',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 5,
			description:
				'How many of the latest messages "Fetch Test Event" returns (it does not mark them as processed)',
		},
	],
};
