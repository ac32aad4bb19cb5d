// The open-tracking pixel: a 1x1 transparent GIF whose URL carries a signed open token. It goes right
// before the document's explicit `</body>` (found by parsing, so a `</body>` inside a comment, a string
// or a conditional comment is not mistaken for it), or at the end of a fragment without one.
import { Parser } from 'htmlparser2';

/** The 43-byte transparent GIF served by the trigger. */
export const PIXEL_GIF = Buffer.from(
	'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
	'base64',
);

export function pixelTag(url: string): string {
	const src = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
	return `<img src="${src}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;" />`;
}

/** Index of the last explicit `</body>` tag, or -1. */
export function bodyCloseIndex(html: string): number {
	let index = -1;
	const parser: Parser = new Parser(
		{
			onclosetag(name, isImplied) {
				if (name === 'body' && !isImplied) index = parser.startIndex;
			},
		},
		{ lowerCaseTags: true },
	);
	parser.end(html);
	return index;
}

export function insertPixel(html: string, url: string): string {
	const tag = pixelTag(url);
	const index = bodyCloseIndex(html);
	return index < 0 ? html + tag : html.slice(0, index) + tag + html.slice(index);
}
