import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { MailboxError, parseUids, requireUids, type MailboxSession } from '../transport/session';
import { folderParameter, folderProperty, uidsProperty } from './operationFields';

export const description: INodeProperties[] = [
	...folderProperty('folder', 'Folder', ['delete'], 'The folder that holds the messages.'),
	uidsProperty(
		['delete'],
		'UIDs of the messages to delete for good (marked deleted and expunged; only these messages)',
	),
	{
		displayName: 'Allow When Called by an AI Agent',
		name: 'allowAgentDelete',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['delete'] } },
		description:
			"Whether an AI agent that uses this node as a tool may delete. Off: the agent's call fails and nothing is deleted. A workflow's own runs are not affected.",
	},
];

/** n8n runs a node that an AI agent calls as a tool under its tool variant, `<type>Tool`. */
function calledByAgent(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	if (calledByAgent(this) && !(this.getNodeParameter('allowAgentDelete', i, false) as boolean))
		throw new NodeOperationError(this.getNode(), 'An AI agent may not delete messages here', {
			itemIndex: i,
			description:
				'Deleting is for good. To let the agent do it, turn on "Allow When Called by an AI Agent" in this tool.',
		});
	const folder = folderParameter(this, 'folder', i);
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
