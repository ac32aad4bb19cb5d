// List-Unsubscribe (RFC 2369) and one-click unsubscribe (RFC 8058). Gmail and Yahoo offer one-click only when a
// DKIM signature covers BOTH headers: the signed header list is in ../dkim.ts.

export const ONE_CLICK_VALUE = 'List-Unsubscribe=One-Click';

/**
 * The two headers. `url` must be the https unsubscribe URL (RFC 8058 requires an HTTPS URI for one-click;
 * with an http URL only List-Unsubscribe is set). A `mailto` address is added for clients that only
 * honour mailto (older Outlook.com).
 */
export function listUnsubscribeHeaders(url: string, mailto?: string): Record<string, string> {
	const targets = [`<${url}>`];
	if (mailto) targets.push(`<mailto:${mailto.replace(/^mailto:/i, '')}?subject=unsubscribe>`);
	const headers: Record<string, string> = { 'List-Unsubscribe': targets.join(', ') };
	if (/^https:\/\//i.test(url)) headers['List-Unsubscribe-Post'] = ONE_CLICK_VALUE;
	return headers;
}
