// Fields of Add to Lists and Import.
import type { INodeProperties } from 'n8n-workflow';
import { listPicker, on } from './listPicker';

export const addFields: INodeProperties[] = [
	listPicker(
		['subscribe'],
		true,
		"Lists to add the contact to. With double opt-in, the first list's confirmation email is used.",
	),
	listPicker(
		['importContacts'],
		false,
		'Lists every imported contact is added to. Leave empty to only create or update the contacts.',
	),
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		displayOptions: on('contact', ['subscribe', 'importContacts']),
		description:
			'Email of the contact, usually an expression such as {{ $JSON.email }}. Email, Phone or both must be given.',
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		placeholder: '+79001234567',
		default: '',
		displayOptions: on('contact', ['subscribe', 'importContacts']),
		description: 'Mobile phone in international format. Email, Phone or both must be given.',
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		displayOptions: on('contact', ['subscribe', 'importContacts']),
		description:
			'Other contact fields, built-in (Name) or custom, by their name in Unisender (Contacts > Additional fields)',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'Name',
						description:
							"The field's variable name in Unisender, e.g. Name or a custom field such as company_deal",
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description:
							'Value for the field, usually an expression from the item, e.g. {{ $JSON.name }}',
					},
				],
			},
		],
	},
	{
		displayName: 'Tags',
		name: 'tags',
		type: 'string',
		default: '',
		placeholder: 'crm, deal-won',
		displayOptions: on('contact', ['subscribe', 'importContacts']),
		description: 'Comma-separated tags to put on the contact (at most 10)',
	},
	{
		displayName: 'Double Opt-In',
		name: 'doubleOptin',
		type: 'options',
		default: 4,
		displayOptions: on('contact', ['subscribe']),
		options: [
			{
				name: 'Ask for Confirmation (0)',
				value: 0,
				description:
					'The contact only asked to subscribe: Unisender sends the confirmation email of the first list and adds the contact once it confirms',
			},
			{
				name: 'Consent Already Obtained (3)',
				value: 3,
				description:
					'The contact already agreed (e.g. ticked a box in your CRM form): added at once with status "new", no email is sent',
			},
			{
				name: 'Confirm Only New Contacts (4)',
				value: 4,
				description:
					'Contacts already active in your lists are added at once; anyone else gets the confirmation email first',
			},
		],
		description:
			'Whether Unisender asks the contact to confirm by email. Modes 0 and 4 need a confirmation email set up for the first chosen list.',
	},
	{
		displayName: 'Overwrite Mode',
		name: 'overwrite',
		type: 'options',
		default: 0,
		displayOptions: on('contact', ['subscribe']),
		options: [
			{
				name: 'Add Only (0)',
				value: 0,
				description: 'Only add new fields and tags; values the contact already has are kept',
			},
			{
				name: 'Replace Everything (1)',
				value: 1,
				description:
					'Delete all old fields and tags, keep only those given, AND remove the contact from every list not chosen here',
			},
			{
				name: 'Replace Given Fields (2)',
				value: 2,
				description: 'Replace only the fields given; tags are replaced if given, kept otherwise',
			},
		],
		description: 'What happens when the contact already exists',
		hint: 'Careful: "Replace Everything (1)" removes the contact from all lists not chosen in this node',
	},
	{
		displayName: 'Options',
		name: 'importOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: on('contact', ['importContacts']),
		options: [
			{
				displayName: 'Overwrite Tags',
				name: 'overwriteTags',
				type: 'boolean',
				default: false,
				description: 'Whether to replace the tags of existing contacts instead of adding to them',
			},
			{
				displayName: 'Overwrite Lists',
				name: 'overwriteLists',
				type: 'boolean',
				default: false,
				description:
					'Whether to replace the list membership of existing contacts: they are removed from lists not chosen here',
			},
		],
	},
];
