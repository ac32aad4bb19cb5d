import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailboxError, parseUids, requireUids, type MailboxSession } from '../transport/session';
import { folderProperty, uidsProperty } from './operationFields';

export const description: INodeProperties[] = [
	folderProperty('folder', 'Folder', ['delete'], 'The folder that holds the messages.'),
	uidsProperty(
		['delete'],
		'UIDs of the messages to delete for good (marked deleted and expunged; only these messages)',
	),
];

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const folder = this.getNodeParameter('folder', i) as string;
	const uids = parseUids(this.getNodeParameter('uids', i));
	return await session.inFolder(folder, async (client) => {
		await requireUids(client, folder, uids);
		// STORE \Deleted + UID EXPUNGE of exactly these UIDs (other messages marked deleted stay)
		const ok = await client.messageDelete(uids, { uid: true });
		if (!ok) {
			throw new MailboxError(
				`The server refused to delete UID ${uids.join(', ')} in "${folder}"`,
				'The folder may be read-only for this user.',
			);
		}
		return uids.map((uid) => ({ json: { folder, uid, deleted: true } }));
	});
}
