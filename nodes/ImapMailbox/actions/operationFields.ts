import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { MailboxSession } from '../transport/session';

export type OperationExecute = (
	this: IExecuteFunctions,
	session: MailboxSession,
	itemIndex: number,
) => Promise<INodeExecutionData[]>;

/** A folder dropdown loaded from the server (expressions allowed), shown for the given operations. */
export function folderProperty(
	name: string,
	displayName: string,
	operations: string[],
	description: string,
	defaultValue = 'INBOX',
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getFolders' },
		default: defaultValue,
		required: true,
		displayOptions: { show: { operation: operations } },
		description: `${description} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
	};
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
