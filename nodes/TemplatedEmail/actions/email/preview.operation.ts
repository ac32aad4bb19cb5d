// Preview: the rendered message is the item's output; nothing is sent.
import type { IDataObject } from 'n8n-workflow';
import { formatAddress } from '../../../shared/addresses';
import type { OutgoingMessage } from '../../message/build';

export function execute(message: OutgoingMessage): IDataObject {
	return {
		subject: message.subject,
		html: message.html,
		text: message.text,
		from: formatAddress(message.from),
		to: message.to.map(formatAddress),
		cc: message.cc.map(formatAddress),
		bcc: message.bcc.map(formatAddress),
		messageId: message.messageId,
		...message.output,
	};
}
