// Send: the message goes to its recipients through the run's pooled SMTP transport, then is copied to Sent.
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { DkimSettings, OutgoingMessage } from '../../message/build';
import { buildRawMessage, envelopeOf } from '../../message/build';

import type { PooledSender } from '../../transport/sender';
import { campaignProperties } from './campaign';
import type { SentCopyError, SentFolderAppender } from '../../transport/sentCopy';

export const description: INodeProperties[] = [
	{
		displayName: 'Copy to Sent',
		name: 'copyToSent',
		type: 'boolean',
		default: false,
		description: 'Whether to append the exact sent message to the Sent folder of an IMAP account',
	},
	{
		displayName: 'Sent Folder',
		name: 'sentFolder',
		type: 'string',
		default: '',
		placeholder: 'Sent',
		displayOptions: { show: { copyToSent: [true] } },
		description: 'Folder path; empty = the folder the server marks as Sent',
	},
	...campaignProperties,
];

/** What a send needs: the run's pooled transport, and the Sent appender when the message is copied. */
export interface Delivery {
	sender: PooledSender;
	copyTo?: SentFolderAppender;
	dkim?: DkimSettings;
}

/** Sends one message and returns the item's output; `extra` marks, e.g., a test send. */
export async function execute(
	delivery: Delivery,
	message: OutgoingMessage,
	extra: IDataObject = {},
): Promise<IDataObject> {
	const raw = await buildRawMessage(message, delivery.dkim);
	const result = await delivery.sender.send(envelopeOf(message), raw, message.messageId);
	const json: IDataObject = {
		messageId: message.messageId,
		accepted: result.accepted,
		rejected: result.rejected,
		response: result.response,
		envelope: result.envelope,
		subject: message.subject,
		...extra,
		...(message.output as IDataObject),
	};
	if (delivery.copyTo) {
		// The email went out: a failed copy is reported on the item, never as a send failure (a rerun would send twice).
		json.copyToSent = await delivery.copyTo.append(raw).then(
			(r) => ({ folder: r.folder, uid: r.uid ?? null }),
			(e: SentCopyError) => ({ error: e.message, description: e.description }),
		);
	}
	return json;
}
