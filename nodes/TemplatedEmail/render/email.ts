// Renders one email (subject, HTML, text) from its templates over an item's JSON. No n8n imports.
import type { MissingMode } from './handlebars';
import { compilePartials, compileTemplate, renderTemplate } from './handlebars';
import type { HelperSettings } from './helpers';
import { htmlToText, inlineCss } from './text';

export interface EmailTemplates {
	subject: string;
	html: string;
	/** Empty: generated from the rendered HTML. */
	text: string;
	/** Named partials (`{{> signature}}`), sources. */
	partials: Record<string, string>;
}

export interface RenderSettings extends HelperSettings {
	missing: MissingMode;
	inlineCss: boolean;
	/** Generate the text part from the HTML when no text template is given. */
	autoText: boolean;
}

export interface RenderedEmail {
	subject: string;
	html: string;
	text: string;
}

/**
 * A renderer for a fixed set of templates (one node run): templates and partials are compiled once, then
 * `render(context)` per item.
 */
export function emailRenderer(templates: EmailTemplates, settings: RenderSettings) {
	const subject = compileTemplate(templates.subject, false, 'subject');
	const html = templates.html ? compileTemplate(templates.html, true, 'HTML body') : undefined;
	const text = templates.text ? compileTemplate(templates.text, false, 'text body') : undefined;
	const htmlPartials = { settings, partials: compilePartials(templates.partials, true) };
	const textPartials = { settings, partials: compilePartials(templates.partials, false) };
	const missing = settings.missing;
	return (context: unknown): RenderedEmail => {
		// Header safety: a subject is one line whatever the data holds.
		const renderedSubject = renderTemplate(subject, context, textPartials, {
			missing,
			part: 'subject',
		})
			.replace(/[\r\n]+\s*/g, ' ')
			.trim();
		let renderedHtml = html
			? renderTemplate(html, context, htmlPartials, { missing, part: 'HTML body' })
			: '';
		if (renderedHtml && settings.inlineCss) renderedHtml = inlineCss(renderedHtml);
		let renderedText = text
			? renderTemplate(text, context, textPartials, { missing, part: 'text body' })
			: '';
		if (!text && renderedHtml && settings.autoText) renderedText = htmlToText(renderedHtml);
		return { subject: renderedSubject, html: renderedHtml, text: renderedText };
	};
}
