// Fields of the list operations.
import type { INodeProperties } from 'n8n-workflow';

export const listFields: INodeProperties[] = [
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
