import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import type { EmailItem } from '../../shared/imap/message';

/** The shared email item -> n8n item; attachments become binary `attachment_0`, `attachment_1`, ... */
export async function emailItemToExecutionData(
	this: IExecuteFunctions,
	item: EmailItem,
): Promise<INodeExecutionData> {
	const binary: IBinaryKeyData = {};
	for (const [n, a] of item.attachments.entries()) {
		binary[`attachment_${n}`] = await this.helpers.prepareBinaryData(
			a.content,
			a.fileName,
			a.contentType,
		);
	}
	return { json: item.json as IDataObject, ...(item.attachments.length ? { binary } : {}) };
}
