// The template engine: one isolated Handlebars instance with our helpers, compiled templates cached by content
// (LRU), partials compiled once, and missing-variable detection. No n8n imports.
//
// Missing variables: Handlebars' own `strict` mode also throws inside `{{#if a.b}}` and helper arguments
// (where "absent" is a legitimate value) and names only the last path segment. Instead we rewrite the AST:
// every output mustache that is a plain path (`{{deal.title}}`, not a helper) becomes
// `{{__required deal.title name="deal.title"}}`, so the lookup is unchanged and the helper sees the value
// and the full name. Escaping stays as the mustache says ({{x}} escaped in HTML, {{{x}}} raw).
import Handlebars from 'handlebars';
import type { HelperSettings } from './helpers';
import { HELPER_NAMES, registerHelpers } from './helpers';
import { LruCache } from './lru';

export type MissingMode = 'fail' | 'empty';

export class MissingVariableError extends Error {
	constructor(
		readonly variable: string,
		readonly part: string,
	) {
		super(`The variable "${variable}" used in the ${part} has no value`);
	}
}

export class TemplateSyntaxError extends Error {
	constructor(
		message: string,
		readonly part: string,
	) {
		super(`The ${part} template is not valid Handlebars: ${message}`);
	}
}

export interface RenderOptions {
	/** HTML-escape `{{x}}` values (HTML part); off for the subject and the text part. */
	escape: boolean;
	missing: MissingMode;
	/** Which part is rendered, for error messages: 'subject', 'HTML body', 'text body', 'partial "x"'. */
	part: string;
}

type Template = Handlebars.TemplateDelegate;

const REQUIRED = '__required';

const hb = Handlebars.create();
registerHelpers(hb);
const helperNames = new Set([...HELPER_NAMES, ...Object.keys(hb.helpers)]);
hb.registerHelper(
	REQUIRED,
	function (this: unknown, value: unknown, options: Handlebars.HelperOptions) {
		if (value === undefined || value === null) {
			if (options.data?.__missing === 'fail')
				throw new MissingVariableError(
					String(options.hash.name),
					String(options.data.__part ?? 'template'),
				);
			return '';
		}
		return value;
	},
);

interface AstNode {
	type: string;
	[key: string]: unknown;
}

/** Walks the program and wraps plain-path output mustaches in the __required helper. */
function markRequired(node: unknown): void {
	if (!node || typeof node !== 'object') return;
	if (Array.isArray(node)) {
		node.forEach(markRequired);
		return;
	}
	const n = node as AstNode;
	if (n.type === 'MustacheStatement') {
		const path = n.path as AstNode & { original: string; data: boolean; parts: string[] };
		const params = n.params as unknown[];
		if (
			path.type === 'PathExpression' &&
			params.length === 0 &&
			!n.hash &&
			!path.data &&
			path.parts.length > 0 &&
			!(
				path.parts.length === 1 &&
				helperNames.has(path.parts[0]) &&
				path.original === path.parts[0]
			)
		) {
			n.params = [path];
			n.path = {
				type: 'PathExpression',
				data: false,
				depth: 0,
				parts: [REQUIRED],
				original: REQUIRED,
				loc: path.loc,
			};
			n.hash = {
				type: 'Hash',
				loc: path.loc,
				pairs: [
					{
						type: 'HashPair',
						key: 'name',
						loc: path.loc,
						value: {
							type: 'StringLiteral',
							value: path.original,
							original: path.original,
							loc: path.loc,
						},
					},
				],
			};
		}
		return;
	}
	for (const key of ['body', 'program', 'inverse']) if (n[key]) markRequired(n[key]);
}

const cache = new LruCache<string, Template>(500);

/** The compiled template for this source and escaping (cached by content). */
export function compileTemplate(source: string, escape: boolean, part = 'template'): Template {
	const key = `${escape ? 'h' : 't'}\u0000${source}`;
	let template = cache.get(key);
	if (!template) {
		let ast: hbs.AST.Program;
		try {
			ast = hb.parse(source);
		} catch (error) {
			throw new TemplateSyntaxError((error as Error).message, part);
		}
		markRequired(ast.body);
		template = hb.compile(ast, { noEscape: !escape, knownHelpers: { [REQUIRED]: true } });
		cache.set(key, template);
	}
	return template;
}

/** Partials compiled for one escaping mode: `{{> signature}}`, `{{> footer}}` ... */
export function compilePartials(
	partials: Record<string, string>,
	escape: boolean,
): Record<string, Template> {
	const out: Record<string, Template> = {};
	for (const [name, source] of Object.entries(partials))
		out[name] = compileTemplate(source, escape, `partial "${name}"`);
	return out;
}

export interface RenderContext {
	settings: HelperSettings;
	partials: Record<string, Template>;
}

/** Renders a compiled template over `context`; throws MissingVariableError in 'fail' mode. */
export function renderTemplate(
	template: Template,
	context: unknown,
	ctx: RenderContext,
	options: Pick<RenderOptions, 'missing' | 'part'>,
): string {
	return template(context, {
		data: { __settings: ctx.settings, __missing: options.missing, __part: options.part },
		partials: ctx.partials,
		allowProtoPropertiesByDefault: false,
		allowProtoMethodsByDefault: false,
	});
}

/** Compile + render in one call (tests, preview). */
export function render(
	source: string,
	context: unknown,
	settings: HelperSettings,
	options: RenderOptions,
	partials: Record<string, string> = {},
): string {
	const template = compileTemplate(source, options.escape, options.part);
	return renderTemplate(
		template,
		context,
		{ settings, partials: compilePartials(partials, options.escape) },
		options,
	);
}

export function templateCacheSize(): number {
	return cache.size;
}
