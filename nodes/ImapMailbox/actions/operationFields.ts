import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pickedValue, versionedPicker } from '../../shared/pickers';
import type { MailboxSession } from '../transport/session';

export type OperationExecute = (
	this: IExecuteFunctions,
	session: MailboxSession,
	itemIndex: number,
) => Promise<INodeExecutionData[]>;

/**
 * A folder parameter, shown for the given operations: in version 1 a dropdown loaded from the server; from
 * version 2 a picker with a searchable list or a path typed in.
 */
export function folderProperty(
	name: string,
	displayName: string,
	operations: string[],
	description: string,
	defaultValue = 'INBOX',
): INodeProperties[] {
	return versionedPicker(
		{
			displayName,
			name,
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getFolders' },
			default: defaultValue,
			required: true,
			displayOptions: { show: { operation: operations } },
			description: `${description} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
		},
		'searchFolders',
		{
			name: 'path',
			displayName: 'By Path',
			placeholder: 'INBOX/Archive',
			hint: "The folder's full path as the server names it, with its separator",
		},
		description,
	);
}

/** The path of a folder parameter, whichever version stored it (a string, or a resource locator). */
export function folderParameter(ctx: IExecuteFunctions, name: string, i: number): string {
	return pickedValue(ctx.getNodeParameter(name, i));
}

export function uidsProperty(operations: string[], description: string): INodeProperties {
	return {
		displayName: 'Message UIDs',
		name: 'uids',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.uid }}',
		hint: 'Map the "uid" field of the incoming item, or enter UIDs separated by commas',
		displayOptions: { show: { operation: operations } },
		description,
	};
}

export const STANDARD_FLAG_OPTIONS = [
	{ name: 'Answered', value: '\\Answered' },
	{ name: 'Deleted (Marked, Not Removed)', value: '\\Deleted' },
	{ name: 'Draft', value: '\\Draft' },
	{ name: 'Flagged (Starred)', value: '\\Flagged' },
	{ name: 'Seen (Read)', value: '\\Seen' },
];
