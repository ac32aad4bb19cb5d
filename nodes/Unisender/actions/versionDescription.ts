// The node's parameters in panel order: resource and operation, then each group of operations' fields.
import type { INodeProperties } from 'n8n-workflow';
import { addFields } from './contact/addFields';
import { lookupFields } from './contact/lookupFields';
import { removeFields } from './contact/removeFields';
import { description as stopMailingFields } from './contact/stopMailing.operation';
import { listFields } from './list/listFields';

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
				name: 'Stop Mailing',
				value: 'stopMailing',
				action: 'Stop mailing an address',
				description:
					'Deactivate (or unsubscribe from all) the address in the whole account, e.g. after a hard bounce, so no campaign goes to it',
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

	...addFields,
	...removeFields,
	...stopMailingFields,
	...lookupFields,
	...listFields,
];
