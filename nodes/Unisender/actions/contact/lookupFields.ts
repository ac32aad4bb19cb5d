// Fields of Get and Is in Lists.
import type { INodeProperties } from 'n8n-workflow';
import { listPicker, on } from './listPicker';

export const lookupFields: INodeProperties[] = [
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
];
