// Fields of Exclude and Unsubscribe.
import type { INodeProperties } from 'n8n-workflow';
import { listPicker, on } from './listPicker';

export const removeFields: INodeProperties[] = [
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
];
