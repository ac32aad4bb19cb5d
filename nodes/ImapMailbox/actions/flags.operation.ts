import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import {
	flagList,
	MailboxError,
	parseUids,
	requireUids,
	type MailboxSession,
} from '../transport/session';
import {
	folderParameter,
	folderProperty,
	STANDARD_FLAG_OPTIONS,
	uidsProperty,
} from './operationFields';

const OPS = ['addFlags', 'removeFlags'];

export const description: INodeProperties[] = [
	...folderProperty('folder', 'Folder', OPS, 'The folder that holds the messages.'),
	uidsProperty(OPS, 'UIDs of the messages whose flags change'),
	{
		displayName: 'Flags',
		name: 'flags',
		type: 'multiOptions',
		options: STANDARD_FLAG_OPTIONS,
		default: ['\\Seen'],
		displayOptions: { show: { operation: OPS } },
		description: 'Standard IMAP flags to set (Set Flags) or clear (Clear Flags)',
	},
	{
		displayName: 'Custom Keywords',
		name: 'keywords',
		type: 'string',
		default: '',
		placeholder: '$Processed, crm-linked',
		displayOptions: { show: { operation: OPS } },
		description:
			'Your own keywords (tags) to set or clear as well, separated by commas. Many mail clients show them as labels or tags.',
	},
];

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const operation = this.getNodeParameter('operation', i) as string;
	const folder = folderParameter(this, 'folder', i);
	const uids = parseUids(this.getNodeParameter('uids', i));
	const flags = flagList(
		this.getNodeParameter('flags', i, []),
		this.getNodeParameter('keywords', i, ''),
	);
	if (!flags.length)
		throw new MailboxError('No flag chosen', 'Pick at least one flag or enter a custom keyword.');
	return await session.inFolder(folder, async (client) => {
		await requireUids(client, folder, uids);
		const ok =
			operation === 'addFlags'
				? await client.messageFlagsAdd(uids, flags, { uid: true })
				: await client.messageFlagsRemove(uids, flags, { uid: true });
		if (!ok) {
			throw new MailboxError(
				`The server refused to change the flags of UID ${uids.join(', ')} in "${folder}"`,
				'The folder may be read-only, or the server does not allow custom keywords in it.',
			);
		}
		// read back, so the output shows what the server really stored
		const rows = await client.fetchAll(uids, { uid: true, flags: true }, { uid: true });
		return rows.map((m) => ({
			json: {
				folder,
				uid: m.uid,
				flags: [...(m.flags ?? [])],
				[operation === 'addFlags' ? 'added' : 'removed']: flags,
			},
		}));
	});
}
