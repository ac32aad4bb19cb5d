// Options of the message and of its delivery; every mode reads them.
import type { INodeProperties } from 'n8n-workflow';

export const messageOptions: INodeProperties[] = [
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
				description:
					'Time zone of {{today}}, {{now}} and {{formatDate}}, and the zone a date-time without an offset ("2030-01-10 09:00") is read in, as CRM Delay reads it; empty = the workflow\'s',
				hint: 'formatDate\'s tz="..." changes only how a date is shown, not how it is read',
			},
		],
	},
];
