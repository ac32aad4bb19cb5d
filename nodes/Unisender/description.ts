// Parameters of the Unisender node (resource / operation pattern).
import type { INodeProperties } from 'n8n-workflow';

const on = (resource: string, operation: string[]) => ({
	show: { resource: [resource], operation },
});

const listPicker = (
	operations: string[],
	required: boolean,
	description: string,
): INodeProperties => ({
	displayName: 'List Names or IDs',
	name: 'listIds',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getLists' },
	default: [],
	required,
	displayOptions: on('contact', operations),
	description: `${description} Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
	hint: 'Lists come from your Unisender account; reopen the dropdown to refresh after creating one',
});

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Contact', value: 'contact' },
			{ name: 'List', value: 'list' },
		],
		default: 'contact',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Add to Lists',
				value: 'subscribe',
				action: 'Add a contact to lists',
				description: 'Add or update one contact per item and put it into one or several lists',
			},
			{
				name: 'Exclude From Lists',
				value: 'exclude',
				action: 'Exclude a contact from lists',
				description:
					'Remove the contact from lists without marking it unsubscribed; it can be added again later',
			},
			{
				name: 'Get',
				value: 'getContact',
				action: 'Get a contact',
				description: 'Get a contact by email, with its lists and fields',
			},
			{
				name: 'Import',
				value: 'importContacts',
				action: 'Import contacts',
				description:
					'Add or update all input items at once, 500 per request: the fast way for many contacts',
			},
			{
				name: 'Is in Lists',
				value: 'isContactInLists',
				action: 'Check whether a contact is in lists',
				description: 'Check whether an email is in the given lists',
			},
			{
				name: 'Unsubscribe',
				value: 'unsubscribe',
				action: 'Unsubscribe a contact from lists',
				description: 'Mark the contact unsubscribed; cannot be undone through the API',
			},
		],
		default: 'subscribe',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['list'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a list',
				description: 'Create a new list',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many lists',
				description: 'Get the lists of the account',
			},
		],
		default: 'getAll',
	},

	// Contact: Add to Lists / Import
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

	// Contact: Exclude / Unsubscribe
	{
		displayName: 'Contact Type',
		name: 'contactType',
		type: 'options',
		default: 'email',
		displayOptions: on('contact', ['exclude', 'unsubscribe']),
		options: [
			{ name: 'Email', value: 'email' },
			{ name: 'Phone', value: 'phone' },
		],
		description: 'Whether the contact is identified by email or by phone',
	},
	{
		displayName: 'Contact',
		name: 'contact',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'name@email.com',
		displayOptions: on('contact', ['exclude', 'unsubscribe']),
		description: 'The email or phone to remove',
	},
	{
		...listPicker(
			['exclude', 'unsubscribe'],
			false,
			'Lists to remove the contact from. Leave empty for ALL lists.',
		),
		name: 'removeListIds',
	},
	{
		displayName:
			'Exclude removes the contact from the lists; it can be added again later. Unsubscribe marks it as unsubscribed: that cannot be undone through the API, only by the contact via a link in an email.',
		name: 'removeNotice',
		type: 'notice',
		default: '',
		displayOptions: on('contact', ['exclude', 'unsubscribe']),
	},

	// Contact: Get / Is in Lists
	{
		displayName: 'Email',
		name: 'lookupEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		required: true,
		displayOptions: on('contact', ['getContact', 'isContactInLists']),
		description: 'Email of the contact',
	},
	listPicker(['isContactInLists'], true, 'Lists to check.'),
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'options',
		default: 'or',
		displayOptions: on('contact', ['isContactInLists']),
		options: [
			{ name: 'In Any of the Lists', value: 'or' },
			{ name: 'In All of the Lists', value: 'and' },
		],
		description: 'Whether the contact must be in all the lists or in at least one',
	},
	{
		displayName: 'Options',
		name: 'getOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: on('contact', ['getContact']),
		options: [
			{
				displayName: 'Include Lists',
				name: 'lists',
				type: 'boolean',
				default: true,
				description: 'Whether to return the lists the contact is in, with its status in each',
			},
			{
				displayName: 'Include Fields',
				name: 'fields',
				type: 'boolean',
				default: true,
				description: "Whether to return the contact's fields",
			},
			{
				displayName: 'Include Details',
				name: 'details',
				type: 'boolean',
				default: false,
				description: 'Whether to return last send, delivery, read and click times and the rating',
			},
		],
	},

	// List
	{
		displayName: 'List Name',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { resource: ['list'], operation: ['create'] } },
		description: 'Name of the new list; must be unique in the account',
	},
	{
		displayName: 'Options',
		name: 'listOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['list'], operation: ['create'] } },
		options: [
			{
				displayName: 'Before Subscribe URL',
				name: 'beforeSubscribeUrl',
				type: 'string',
				default: '',
				description: 'Page shown after the subscription form is sent, before confirmation',
			},
			{
				displayName: 'After Subscribe URL',
				name: 'afterSubscribeUrl',
				type: 'string',
				default: '',
				description: 'Page shown once the contact has confirmed',
			},
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		displayOptions: { show: { resource: ['list'], operation: ['getAll'] } },
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { resource: ['list'], operation: ['getAll'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
];
