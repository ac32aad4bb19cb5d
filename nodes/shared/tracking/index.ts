// Tracking for one rendered message, the entry point for the send node (between render and send):
//   const t = prepareTracking({ secret, baseUrl, trackingId, messageId, recipient, data });
//   render the templates with { ...item, unsubscribeUrl: t.unsubscribeUrl }
//   const { html, headers } = t.apply(renderedHtml, { open: true, click: false, unsubscribeHeaders: true });
// No n8n imports: the trigger and the send node both use it.
import { listUnsubscribeHeaders } from './headers';
import { rewriteLinks } from './links';
import { insertPixel } from './pixel';
import { Tracker, type TrackerOptions } from './urls';

export * from './token';
export * from './urls';
export * from './links';
export * from './pixel';
export * from './classify';
export * from './headers';

export interface ApplyOptions {
	/** Insert the open pixel (default true). */
	open?: boolean;
	/** Rewrite http(s) links to signed redirects (default false). */
	click?: boolean;
	/** Add List-Unsubscribe / List-Unsubscribe-Post (default true). */
	unsubscribeHeaders?: boolean;
	/** Also offer a mailto: unsubscribe address in List-Unsubscribe. */
	unsubscribeMailto?: string;
}

export interface AppliedTracking {
	html: string | undefined;
	headers: Record<string, string>;
	/** Targets of the rewritten links. */
	trackedLinks: string[];
}

export interface PreparedTracking {
	tracker: Tracker;
	/** For `{{unsubscribeUrl}}` in templates. */
	unsubscribeUrl: string;
	apply(html: string | undefined, options?: ApplyOptions): AppliedTracking;
}

export function prepareTracking(options: TrackerOptions): PreparedTracking {
	const tracker = new Tracker(options);
	const unsubscribeUrl = tracker.unsubscribeUrl();
	return {
		tracker,
		unsubscribeUrl,
		apply(html, opts = {}) {
			let out = html;
			let trackedLinks: string[] = [];
			if (out && opts.click) {
				const result = rewriteLinks(out, {
					track: (url) => tracker.clickUrl(url),
					skip: (url) => tracker.isOwnUrl(url),
				});
				out = result.html;
				trackedLinks = result.tracked;
			}
			if (out && opts.open !== false) out = insertPixel(out, tracker.openUrl());
			const headers =
				opts.unsubscribeHeaders === false
					? {}
					: listUnsubscribeHeaders(unsubscribeUrl, opts.unsubscribeMailto);
			return { html: out, headers, trackedLinks };
		},
	};
}
