// Tracking as a message decorator of Send Templated Email (its hook point between render and send,
// nodes/TemplatedEmail/message/decorators.ts). Typed structurally so this shared module does not depend
// on the node: the send node's `decoratorsFor()` reads its options and credential and returns
// `[trackingDecorator({...})]`.
//   extendContext: `{{unsubscribeUrl}}` and `{{trackingId}}` for the templates
//   decorate:      click rewriting, the open pixel, List-Unsubscribe(-Post) headers, `trackingId` in the output
import { randomUUID } from 'node:crypto';
import { prepareTracking, type PreparedTracking } from './index';

export interface TrackingSettings {
	secret: string;
	baseUrl: string;
	open: boolean;
	click: boolean;
	/** List-Unsubscribe / List-Unsubscribe-Post headers. */
	unsubscribeHeaders: boolean;
	unsubscribeMailto?: string;
	/** Tracking data (key / value pairs) of an item, e.g. `{ dealId: '42' }`. */
	dataFor?: (itemIndex: number) => Record<string, string>;
	/** The campaign (name or id) of an item, carried in its links for the trigger's suppression list and log. */
	campaignFor?: (itemIndex: number) => string | undefined;
}

interface DecoratorInputLike {
	itemIndex: number;
	messageId: string;
	recipients: string[];
}
interface MessageLike {
	html: string;
	headers: Array<{ key: string; value: string }>;
	output: Record<string, unknown>;
}

export function trackingDecorator(settings: TrackingSettings) {
	const prepared = new Map<string, { trackingId: string; tracking: PreparedTracking }>();
	const prepare = (input: DecoratorInputLike) => {
		const key = `${input.itemIndex}\u0000${input.messageId}`;
		let entry = prepared.get(key);
		if (!entry) {
			const trackingId = randomUUID();
			const tracking = prepareTracking({
				secret: settings.secret,
				baseUrl: settings.baseUrl,
				trackingId,
				messageId: input.messageId,
				recipient: input.recipients[0] ?? '',
				data: settings.dataFor?.(input.itemIndex) ?? {},
				campaign: settings.campaignFor?.(input.itemIndex) || undefined,
			});
			entry = { trackingId, tracking };
			prepared.set(key, entry);
		}
		return entry;
	};
	return {
		name: 'tracking',
		extendContext(input: DecoratorInputLike): Record<string, unknown> {
			const { trackingId, tracking } = prepare(input);
			return { unsubscribeUrl: tracking.unsubscribeUrl, trackingId };
		},
		decorate(message: MessageLike, input: DecoratorInputLike): void {
			const { trackingId, tracking } = prepare(input);
			prepared.delete(`${input.itemIndex}\u0000${input.messageId}`);
			const result = tracking.apply(message.html || undefined, {
				open: settings.open,
				click: settings.click,
				unsubscribeHeaders: settings.unsubscribeHeaders,
				unsubscribeMailto: settings.unsubscribeMailto,
			});
			if (result.html !== undefined) message.html = result.html;
			for (const [key, value] of Object.entries(result.headers)) {
				message.headers = message.headers.filter((h) => h.key.toLowerCase() !== key.toLowerCase());
				message.headers.push({ key, value });
			}
			message.output.trackingId = trackingId;
			message.output.unsubscribeUrl = tracking.unsubscribeUrl;
			if (result.trackedLinks.length) message.output.trackedLinks = result.trackedLinks.length;
		},
	};
}
