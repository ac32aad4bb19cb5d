import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailboxError, parseUids, requireUids, type MailboxSession } from '../transport/session';
import { folderParameter, folderProperty, uidsProperty } from './operationFields';

const OPS = ['move', 'copy'];

export const description: INodeProperties[] = [
	...folderProperty('folder', 'Folder', OPS, 'The folder that holds the messages now.'),
	uidsProperty(OPS, 'UIDs of the messages to move or copy'),
	...folderProperty('destination', 'Destination Folder', OPS, 'Where the messages go.', ''),
];

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const operation = this.getNodeParameter('operation', i) as 'move' | 'copy';
	const folder = folderParameter(this, 'folder', i);
	const destination = folderParameter(this, 'destination', i);
	const uids = parseUids(this.getNodeParameter('uids', i));
	if (!destination)
		throw new MailboxError('No destination folder', 'Pick the folder the messages should go to.');
	if (destination === folder) {
		throw new MailboxError(
			`Source and destination are both "${folder}"`,
			'Pick a different destination folder.',
		);
	}
	return await session.inFolder(folder, async (client) => {
		await requireUids(client, folder, uids);
		const res =
			operation === 'move'
				? await client.messageMove(uids, destination, { uid: true })
				: await client.messageCopy(uids, destination, { uid: true });
		if (!res) {
			throw new MailboxError(
				`Could not ${operation} UID ${uids.join(', ')} from "${folder}" to "${destination}"`,
				'Check that the destination folder exists (see "List Folders") and that the mailbox is not over quota.',
			);
		}
		return uids.map((uid) => ({
			json: {
				folder,
				uid,
				destination,
				destinationUid: res.uidMap?.get(uid) ?? null,
				destinationUidValidity: res.uidValidity !== undefined ? String(res.uidValidity) : null,
				[operation === 'move' ? 'moved' : 'copied']: true,
			},
		}));
	});
}
