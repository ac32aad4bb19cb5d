import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { MailboxSession } from '../transport/session';

export const description: INodeProperties[] = [
	{
		displayName: 'Include Counts',
		name: 'includeCounts',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['listFolders'] } },
		description:
			'Whether to add the number of messages and unread messages of each folder (one extra request per folder)',
	},
];

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const folders = await session.folderList();
	const withCounts = this.getNodeParameter('includeCounts', i, false) as boolean;
	const client = await session.imap();
	const out: INodeExecutionData[] = [];
	for (const f of folders) {
		const json: INodeExecutionData['json'] = { ...f };
		if (withCounts) {
			const status = await client.status(f.path, { messages: true, unseen: true });
			if (status) {
				json.messages = status.messages;
				json.unseen = status.unseen;
			}
		}
		out.push({ json });
	}
	return out;
}
