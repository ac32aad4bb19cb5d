// What every mode shares: sender, recipients and the templates. Templates are Handlebars: keep template fields in
// "Fixed" mode (an n8n expression would evaluate the {{ }} itself); use item fields inside as {{deal.title}}.
import type { INodeProperties } from 'n8n-workflow';

const TEMPLATE_HINT =
	"Handlebars over the item's fields, e.g. {{contact.firstName}}. Keep this field in Fixed mode.";

export const messageFields: INodeProperties[] = [
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
];
