// Click tracking: rewrites every http(s) link of rendered HTML to a signed redirect.
//
// The HTML is *parsed* (htmlparser2), never matched with regular expressions: attribute values come
// back entity-decoded (`&amp;` in a query string, Handlebars' `&#x3D;` for `=`), tag and attribute names
// in any case. Only the source span of each rewritten `href` attribute is replaced, so everything else
// in the document stays byte for byte as it was (email HTML is fragile: Outlook hacks, whitespace).
//
// Outlook (Word engine) renders the content of `<!--[if mso]> ... <![endif]-->` conditional comments,
// typically VML "bulletproof buttons" (`<v:roundrect href="...">`). Those are what Outlook users click,
// so their hrefs are rewritten too: the comment body is parsed as HTML in turn. Plain comments are not
// rendered by any client and stay untouched.
//
// Left alone: `mailto:`, `tel:`, `#anchors`, relative URLs and any other scheme; links to the tracker itself
// (the unsubscribe link, already tracked links); links opted out with a `data-no-track` (or `data-notrack`)
// attribute or a `#notrack` marker at the end of the URL (the marker is removed).
import { Parser } from 'htmlparser2';

export interface RewriteOptions {
	/** Returns the tracked URL for a target. */
	track: (url: string) => string;
	/** Links for which this returns true are left alone (for example the unsubscribe link). */
	skip?: (url: string) => boolean;
}

export interface RewriteResult {
	html: string;
	/** Targets of the links that were rewritten, in document order. */
	tracked: string[];
}

export const NO_TRACK_ATTRIBUTES = ['data-no-track', 'data-notrack'];
export const NO_TRACK_MARKER = '#notrack';

interface Edit {
	start: number;
	end: number;
	text: string;
}
interface Attr {
	name: string;
	value: string;
	quote: string | null | undefined;
	start: number;
	end: number;
}

const CONDITIONAL_COMMENT = /^\[if [^\]]*\]>/i;

function isLinkElement(tag: string): boolean {
	return tag === 'a' || tag === 'area' || tag.startsWith('v:');
}

export function isTrackableUrl(url: string): boolean {
	if (!/^https?:\/\//i.test(url)) return false;
	try {
		const parsed = new URL(url);
		return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !!parsed.hostname;
	} catch {
		return false;
	}
}

function escapeAttribute(value: string, quote: string): string {
	const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return quote === "'" ? escaped.replace(/'/g, '&#39;') : escaped.replace(/"/g, '&quot;');
}

export function rewriteLinks(html: string, options: RewriteOptions): RewriteResult {
	const tracked: string[] = [];
	return { html: rewrite(html, options, tracked), tracked };
}

function rewrite(html: string, options: RewriteOptions, tracked: string[]): string {
	const edits: Edit[] = [];
	let attrs: Attr[] = [];
	const parser: Parser = new Parser(
		{
			onopentagname() {
				attrs = [];
			},
			onattribute(name, value, quote) {
				attrs.push({ name, value, quote, start: parser.startIndex, end: parser.endIndex });
			},
			onopentag(name) {
				if (!isLinkElement(name)) return;
				const href = attrs.find((a) => a.name === 'href');
				if (!href) return;
				const edit = linkEdit(html, href, attrs, options, tracked);
				if (edit) edits.push(edit);
			},
			oncomment(data) {
				if (!CONDITIONAL_COMMENT.test(data)) return;
				const start = parser.startIndex + 4;
				const end = start + data.length;
				// Only when the comment is the plain `<!--data-->` form whose source we can locate exactly.
				if (html.slice(start - 4, start) !== '<!--' || html.slice(start, end) !== data) return;
				const inner = rewrite(data, options, tracked);
				if (inner !== data) edits.push({ start, end, text: inner });
			},
		},
		{ decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
	);
	parser.end(html);
	if (!edits.length) return html;
	let out = '';
	let pos = 0;
	for (const edit of edits.sort((a, b) => a.start - b.start)) {
		if (edit.start < pos) continue;
		out += html.slice(pos, edit.start) + edit.text;
		pos = edit.end;
	}
	return out + html.slice(pos);
}

function linkEdit(
	html: string,
	href: Attr,
	attrs: Attr[],
	options: RewriteOptions,
	tracked: string[],
): Edit | undefined {
	const url = href.value.trim();
	const replace = (value: string): Edit => {
		const quote = href.quote === "'" ? "'" : '"';
		// Keep the attribute name as written (HREF stays HREF).
		const name = html.slice(href.start, href.start + href.name.length);
		return {
			start: href.start,
			end: href.end,
			text: `${name}=${quote}${escapeAttribute(value, quote)}${quote}`,
		};
	};
	if (url.toLowerCase().endsWith(NO_TRACK_MARKER))
		return replace(url.slice(0, -NO_TRACK_MARKER.length));
	if (attrs.some((a) => NO_TRACK_ATTRIBUTES.includes(a.name))) return undefined;
	if (!isTrackableUrl(url) || options.skip?.(url)) return undefined;
	tracked.push(url);
	return replace(options.track(url));
}
