// The send reference as a message decorator (after tracking, which sets `trackingId`): every tracked message
// carries the sealed X-CRM-Mail-Ref header, and a message with a bounce address goes out with a VERP envelope
// sender, so that a bounce or complaint of it tells the IMAP nodes which send it was
// (nodes/shared/bounces/sent.ts). No n8n imports.
import { sealSendReference, SEND_REFERENCE_HEADER } from '../../shared/bounces/reference';
import { verpSender } from '../../shared/bounces/verp';
import type { MessageDecorator } from './decorators';

export interface SendReferenceSettings {
	/** The Email Tracking secret. */
	secret: string;
	/** Tracking data (key / value pairs) of an item, e.g. `{ dealId: '42' }`. */
	dataFor?: (itemIndex: number) => Record<string, string>;
	/** The campaign of an item, sealed too: a bounce then says which campaign it hit. */
	campaignFor?: (itemIndex: number) => string | undefined;
}

export function sendReferenceDecorator(settings: SendReferenceSettings): MessageDecorator {
	const name = SEND_REFERENCE_HEADER.toLowerCase();
	return {
		name: 'sendReference',
		decorate(message, input) {
			const recipient = input.recipients[0] ?? '';
			const trackingId = message.output.trackingId;
			const value = sealSendReference(settings.secret, {
				messageId: message.messageId,
				recipient,
				trackingId: typeof trackingId === 'string' ? trackingId : '',
				data: settings.dataFor?.(input.itemIndex) ?? {},
				sentAt: Math.floor(Date.now() / 1000),
				campaign: settings.campaignFor?.(input.itemIndex) || undefined,
			});
			// one reference, ours: a custom header of the same name must not pass for it
			message.headers = message.headers.filter((h) => h.key.toLowerCase() !== name);
			message.headers.push({ key: SEND_REFERENCE_HEADER, value });
			if (message.envelopeFrom)
				message.envelopeFrom = verpSender(
					settings.secret,
					message.envelopeFrom,
					message.messageId,
					recipient,
				);
		},
	};
}
