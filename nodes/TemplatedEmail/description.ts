// The node's parameters. Templates are Handlebars: keep template fields in "Fixed" mode (an n8n expression
// would evaluate the {{ }} itself); use item fields inside the template as {{deal.title}}.
import type { INodeProperties } from 'n8n-workflow';
import { trackingProperties } from './tracking';

const TEMPLATE_HINT =
	"Handlebars over the item's fields, e.g. {{contact.firstName}}. Keep this field in Fixed mode.";

export const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Send', value: 'send', description: 'Send every message to its recipients' },
			{
				name: 'Preview',
				value: 'preview',
				description: 'Render subject, HTML and text and return them; nothing is sent',
			},
			{
				name: 'Test Send',
				value: 'test',
				description: 'Send every message to one test address instead of its recipients',
			},
		],
		default: 'send',
		description: 'Whether to send, only render, or send to a test address',
	},
	{
		displayName: 'Test Address',
		name: 'testAddress',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'me@example.com',
		displayOptions: { show: { mode: ['test'] } },
		description:
			'Every message goes here; To, CC and BCC are not used (they are listed in the X-Test-Original-Recipients header)',
	},
	{
		displayName: 'From Name or ID',
		name: 'from',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSenders' },
		default: '',
		description:
			'One of the senders allowed by the SMTP account; empty = its default sender. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Ann Lee <ann@example.com>, bob@example.com',
		description:
			'Recipients: addresses, "Name &lt;address&gt;" lists separated by commas, or an array from an expression',
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Your offer for {{deal.title}}',
		hint: TEMPLATE_HINT,
		description: 'Subject template (not HTML-escaped)',
	},
	{
		displayName: 'HTML Source',
		name: 'htmlSource',
		type: 'options',
		options: [
			{ name: 'Inline', value: 'inline', description: 'Write the template below' },
			{
				name: 'From a Field',
				value: 'field',
				description: 'The template is in a field of the item',
			},
			{
				name: 'From a Binary File',
				value: 'binary',
				description: 'An HTML file read by an earlier node',
			},
		],
		default: 'inline',
		description: 'Where the HTML template comes from',
	},
	{
		displayName: 'HTML',
		name: 'html',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		displayOptions: { show: { htmlSource: ['inline'] } },
		placeholder: '<p>Hello {{default contact.firstName "there"}},</p>',
		hint: TEMPLATE_HINT,
		description: 'HTML body template; values are HTML-escaped ({{{x}}} inserts raw HTML)',
	},
	{
		displayName: 'Template Field',
		name: 'htmlField',
		type: 'string',
		default: 'template',
		displayOptions: { show: { htmlSource: ['field'] } },
		description: 'Name (dot path) of the item field that holds the HTML template',
	},
	{
		displayName: 'Template Binary Property',
		name: 'htmlBinaryProperty',
		type: 'string',
		default: 'data',
		displayOptions: { show: { htmlSource: ['binary'] } },
		description: 'Binary property holding the HTML template file (UTF-8)',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		hint: 'Empty: generated from the HTML',
		description:
			'Plain-text body template (not escaped). Leave empty to generate it from the rendered HTML.',
	},
	{
		displayName: 'Missing Variables',
		name: 'missingVariables',
		type: 'options',
		options: [
			{
				name: 'Fail the Item',
				value: 'fail',
				description: 'The error names the variable and the item',
			},
			{ name: 'Leave Empty', value: 'empty', description: 'Insert nothing' },
		],
		default: 'fail',
		description:
			'What to do when a {{variable}} has no value in the item. {{default x "fallback"}} never fails.',
	},
	{
		displayName: 'Copy to Sent',
		name: 'copyToSent',
		type: 'boolean',
		default: false,
		description: 'Whether to append the exact sent message to the Sent folder of an IMAP account',
	},
	{
		displayName: 'Sent Folder',
		name: 'sentFolder',
		type: 'string',
		default: '',
		placeholder: 'Sent',
		displayOptions: { show: { copyToSent: [true] } },
		description: 'Folder path; empty = the folder the server marks as Sent',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'string',
				default: '',
				placeholder: 'data, invoice',
				description: 'Binary properties to attach, comma-separated (file name and type are kept)',
			},
			{
				displayName: 'BCC',
				name: 'bcc',
				type: 'string',
				default: '',
				description: 'Hidden recipients (same formats as To)',
			},
			{
				displayName: 'CC',
				name: 'cc',
				type: 'string',
				default: '',
				description: 'Copy recipients (same formats as To)',
			},
			{
				displayName: 'Currency',
				name: 'currency',
				type: 'string',
				default: 'USD',
				description: 'Default currency of {{money x}} (ISO code, e.g. EUR, RUB)',
			},
			{
				displayName: 'Custom Headers',
				name: 'headers',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Extra header lines, e.g. X-CRM-Deal-ID',
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								description: 'Header name',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								description: 'Header value',
							},
						],
					},
				],
			},
			{
				displayName: 'Generate Text Part',
				name: 'autoText',
				type: 'boolean',
				default: true,
				description:
					'Whether to generate the text part from the HTML when no text template is given',
			},
			{
				displayName: 'Inline CSS',
				name: 'inlineCss',
				type: 'boolean',
				default: false,
				description:
					'Whether to move &lt;style&gt; rules into style attributes, for mail clients that drop &lt;style&gt;',
			},
			{
				displayName: 'Inline Images',
				name: 'inlineImages',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Images shown in the HTML via &lt;img src="cid:logo"&gt;',
				options: [
					{
						displayName: 'Image',
						name: 'image',
						values: [
							{
								displayName: 'Binary Property',
								name: 'binaryProperty',
								type: 'string',
								default: 'data',
								description: 'Binary property holding the image',
							},
							{
								displayName: 'Content ID',
								name: 'cid',
								type: 'string',
								default: '',
								placeholder: 'logo',
								description: 'The name used in src="cid:..."',
							},
						],
					},
				],
			},
			{
				displayName: 'Locale',
				name: 'locale',
				type: 'string',
				default: 'en-US',
				placeholder: 'ru-RU',
				description: 'Locale of numbers, money and month names',
			},
			{
				displayName: 'Partials',
				name: 'partials',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Reusable template pieces, used as {{> name}}',
				options: [
					{
						displayName: 'Partial',
						name: 'partial',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'footer',
								description: 'Used as {{> name}}',
							},
							{
								displayName: 'Template',
								name: 'template',
								type: 'string',
								typeOptions: { rows: 4 },
								default: '',
								description: 'Handlebars template (keep it in Fixed mode)',
							},
						],
					},
				],
			},
			{
				displayName: 'Reply To',
				name: 'replyTo',
				type: 'string',
				default: '',
				description: 'Reply-To addresses (same formats as To)',
			},
			{
				displayName: 'Reply to Message ID',
				name: 'inReplyTo',
				type: 'string',
				default: '',
				placeholder: '={{ $json.messageId }}',
				description:
					'Message-ID of the email this one answers; sets In-Reply-To and References so it stays in the thread',
			},
			{
				displayName: 'Reply to References',
				name: 'references',
				type: 'string',
				default: '',
				placeholder: '={{ $json.references }}',
				description: 'References of the email this one answers (a header string or an array)',
			},
			{
				displayName: 'Retries',
				name: 'retries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description:
					'Retries of a message after a temporary failure (4xx answer, dropped connection)',
			},
			{
				displayName: 'Retry Delay (Ms)',
				name: 'retryDelay',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1000,
				description: 'First wait before a retry; doubled each time',
			},
			{
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				description: 'Template of the signature, used as {{> signature}}',
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Moscow',
				description: "Time zone of {{today}}, {{now}} and {{formatDate}}; empty = the workflow's",
			},
		],
	},
	...trackingProperties,
];
