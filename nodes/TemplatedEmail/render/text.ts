// HTML -> text part (html-to-text, compiled once) and optional CSS inlining (juice, no remote resources).
// No n8n imports.
import { compile } from 'html-to-text';
import juice from 'juice';

const toText = compile({
	wordwrap: 78,
	selectors: [
		{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
		// tracking pixels and layout images say nothing in plain text
		{ selector: 'img', format: 'skip' },
		{ selector: '.preheader', format: 'skip' },
		{ selector: 'h1', options: { uppercase: false } },
		{ selector: 'h2', options: { uppercase: false } },
		{ selector: 'h3', options: { uppercase: false } },
		{ selector: 'table', format: 'dataTable' },
	],
});

export function htmlToText(html: string): string {
	return toText(html);
}

/** Inlines <style> rules into style="" attributes (media queries kept in a <style>). Never fetches anything. */
export function inlineCss(html: string): string {
	return juice(html, {
		removeStyleTags: true,
		preserveMediaQueries: true,
		preserveFontFaces: true,
		applyWidthAttributes: true,
		applyHeightAttributes: true,
		webResources: { images: false, scripts: false, links: false },
	} as juice.Options);
}
