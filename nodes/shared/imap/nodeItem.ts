// An email item (message.ts) as n8n's item: its JSON as it is, its attachments as binary properties
// `<prefix>0`, `<prefix>1`, ... (the IMAP Sync Trigger and IMAP Mailbox alike).
import type { IBinaryData, IBinaryKeyData, IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { EmailItem } from './message';

/** n8n's `helpers.prepareBinaryData`. */
export type PrepareBinaryData = (
	content: Buffer,
	fileName?: string,
	mimeType?: string,
) => Promise<IBinaryData>;

export async function toNodeItem(
	prepare: PrepareBinaryData,
	item: EmailItem,
	prefix = 'attachment_',
): Promise<INodeExecutionData> {
	const out: INodeExecutionData = { json: item.json as IDataObject };
	if (item.attachments.length) {
		const binary: IBinaryKeyData = {};
		for (const [n, a] of item.attachments.entries())
			binary[`${prefix}${n}`] = await prepare(a.content, a.fileName, a.contentType);
		out.binary = binary;
	}
	return out;
}
