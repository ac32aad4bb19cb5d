// The hook point between render and send. Tracking plugs in here: it adds `unsubscribeUrl` /
// `trackingPixel` to the template context, then rewrites links in the rendered HTML, appends the open pixel,
// adds List-Unsubscribe headers and a `trackingId` to the output. No n8n imports.
import type { OutgoingMessage } from './build';

export interface DecoratorInput {
	itemIndex: number;
	/** The item's JSON (read only). */
	json: Record<string, unknown>;
	/** Message-ID chosen for this message, `<uuid@domain>`, known before rendering. */
	messageId: string;
	/** Envelope recipients after test-mode redirection. */
	recipients: string[];
}

export interface MessageDecorator {
	readonly name: string;
	/** Variables merged into the template context (over the item's fields), e.g. `{ unsubscribeUrl }`. */
	extendContext?(input: DecoratorInput): Record<string, unknown>;
	/**
	 * Called after rendering, before the MIME is built and DKIM-signed (so added headers are signed). May change
	 * html / text / headers and put fields in `message.output` (e.g. `trackingId`). The text part was generated
	 * from the HTML before this step, so it keeps clean URLs.
	 */
	decorate?(message: OutgoingMessage, input: DecoratorInput): void | Promise<void>;
}

/** Template context: the item's fields, then what decorators add (they win on a name clash). */
export function contextFor(
	decorators: MessageDecorator[],
	input: DecoratorInput,
): Record<string, unknown> {
	let context = input.json;
	for (const d of decorators) {
		const extra = d.extendContext?.(input);
		if (extra) context = { ...context, ...extra };
	}
	return context;
}

export async function applyDecorators(
	decorators: MessageDecorator[],
	message: OutgoingMessage,
	input: DecoratorInput,
): Promise<void> {
	for (const d of decorators) await d.decorate?.(message, input);
}
