// The list picker of the contact operations, and where a contact field shows.
import type { INodeProperties } from 'n8n-workflow';

export const on = (resource: string, operation: string[]) => ({
	show: { resource: [resource], operation },
});

export const listPicker = (
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
