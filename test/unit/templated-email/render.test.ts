import {
	MissingVariableError,
	TemplateSyntaxError,
	compileTemplate,
	render,
	templateCacheSize,
} from '../../../nodes/TemplatedEmail/render/handlebars';
import { emailRenderer } from '../../../nodes/TemplatedEmail/render/email';
import type { HelperSettings } from '../../../nodes/TemplatedEmail/render/helpers';
import {
	normalizeMessageId,
	parseReferences,
	threadingFor,
} from '../../../nodes/TemplatedEmail/message/build';

const settings: HelperSettings = { timeZone: 'Europe/Moscow', locale: 'en-US', currency: 'USD' };
const html = (
	source: string,
	ctx: unknown,
	partials: Record<string, string> = {},
	missing: 'fail' | 'empty' = 'fail',
) => render(source, ctx, settings, { escape: true, missing, part: 'HTML body' }, partials);
const text = (source: string, ctx: unknown, missing: 'fail' | 'empty' = 'fail') =>
	render(source, ctx, settings, { escape: false, missing, part: 'subject' });

describe('template variables and escaping', () => {
	it('any field of the item, nested and custom, is a variable', () => {
		expect(
			text('{{deal.title}} for {{contact.name}} ({{custom_field_7}})', {
				deal: { title: 'CRM' },
				contact: { name: 'Ann' },
				custom_field_7: 'x',
			}),
		).toBe('CRM for Ann (x)');
	});
	it('escapes values in the HTML part, not in the subject / text part; {{{x}}} is raw', () => {
		const ctx = { company: 'A&B <Co> "Ltd"', snippet: '<b>bold</b>' };
		expect(html('<p>{{company}}</p>{{{snippet}}}', ctx)).toBe(
			'<p>A&amp;B &lt;Co&gt; &quot;Ltd&quot;</p><b>bold</b>',
		);
		expect(text('Offer for {{company}}', ctx)).toBe('Offer for A&B <Co> "Ltd"');
	});
	it('a missing variable fails by default and the error names it (full path)', () => {
		expect(() => text('Hi {{contact.firstName}}', { contact: {} })).toThrow(MissingVariableError);
		expect(() => text('Hi {{contact.firstName}}', { contact: {} })).toThrow('"contact.firstName"');
		expect(() => html('<p>{{deal.owner.name}}</p>', {})).toThrow(
			'"deal.owner.name" used in the HTML body',
		);
		expect(() => text('{{nul}}', { nul: null })).toThrow('"nul"');
	});
	it('missing variables inside #if / helper arguments do not fail: absent is a legitimate value there', () => {
		expect(
			html('{{#if deal.discount}}-{{deal.discount}}%{{else}}no discount{{/if}}', { deal: {} }),
		).toBe('no discount');
		expect(html('{{#if deal.x.y}}yes{{/if}}', {})).toBe('');
		expect(html('Hello {{default contact.name "there"}}', {})).toBe('Hello there');
	});
	it('"leave empty" renders nothing for a missing variable', () => {
		expect(html('Hi {{contact.firstName}}!', {}, {}, 'empty')).toBe('Hi !');
	});
	it('each / block params / @index / this keep working', () => {
		expect(
			html('{{#each items}}{{@index}}:{{name}}={{this.qty}};{{/each}}', {
				items: [
					{ name: 'a', qty: 1 },
					{ name: 'b', qty: 2 },
				],
			}),
		).toBe('0:a=1;1:b=2;');
		expect(html('{{#each items as |it|}}{{it.name}}{{/each}}', { items: [{ name: 'z' }] })).toBe(
			'z',
		);
		expect(() => html('{{#each items}}{{price}}{{/each}}', { items: [{ name: 'a' }] })).toThrow(
			'"price"',
		);
	});
	it('a syntax error names the part', () => {
		expect(() => compileTemplate('{{#if x}}open', true, 'HTML body')).toThrow(TemplateSyntaxError);
		expect(() => compileTemplate('{{#if x}}open', true, 'HTML body')).toThrow(
			'The HTML body template is not valid Handlebars',
		);
	});
	it('compiled templates are cached by content', () => {
		const before = templateCacheSize();
		const a = compileTemplate('cache me {{x}}', true);
		const b = compileTemplate('cache me {{x}}', true);
		expect(a).toBe(b);
		expect(templateCacheSize()).toBe(before + 1);
		expect(compileTemplate('cache me {{x}}', false)).not.toBe(a); // escaping is part of the key
	});
	it('prototype properties are not reachable from templates', () => {
		expect(html('{{constructor.name}}', {}, {}, 'empty')).toBe('');
	});
});

describe('helpers', () => {
	it('formats dates in a time zone with a luxon format', () => {
		expect(text('{{formatDate d "dd.MM.yyyy HH:mm"}}', { d: '2026-03-01T21:30:00Z' })).toBe(
			'02.03.2026 00:30',
		);
		expect(
			text('{{formatDate d "yyyy-MM-dd HH:mm" tz="America/New_York"}}', {
				d: '2026-03-01T21:30:00Z',
			}),
		).toBe('2026-03-01 16:30');
		expect(text('{{formatDate d "d MMMM" locale="ru"}}', { d: '2026-03-05' })).toBe('5 марта');
		// without an offset: read in the node's zone (Moscow here), then shown in tz
		expect(text('{{formatDate d "yyyy-MM-dd HH:mm" tz="UTC"}}', { d: '2026-03-05 10:00' })).toBe(
			'2026-03-05 07:00',
		);
		expect(text('[{{formatDate nothing "dd"}}]', { nothing: '' })).toBe('[]');
	});
	it('today / now use the time zone', () => {
		const today = text('{{today}}', {});
		expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(today).toBe(
			new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(new Date()),
		);
		expect(text('{{today "yyyy"}}', {})).toBe(
			String(new Date().getUTCFullYear()).slice(0, 2) + text('{{today "yy"}}', {}),
		);
		expect(text('{{now}}', {})).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/);
	});
	it('numbers and money with Intl', () => {
		expect(text('{{number n 2}}', { n: 1234.5 })).toBe('1,234.50');
		expect(text('{{money n}}', { n: 1234.5 })).toBe('$1,234.50');
		expect(text('{{money n "EUR" locale="de-DE"}}', { n: '1234.5' })).toBe('1.234,50\u00a0€');
		expect(text('{{money n "RUB" locale="ru-RU" decimals=0}}', { n: 150000 })).toBe(
			'150\u00a0000\u00a0₽',
		);
	});
	it('default and comparisons', () => {
		expect(text('{{default a b "c"}}', { a: '', b: null })).toBe('c');
		expect(
			text('{{#if (eq stage "won")}}W{{/if}}{{#if (ne 5 "5")}}N{{/if}}', { stage: 'won' }),
		).toBe('W');
		expect(text('{{#if (gt amount 100)}}big{{else}}small{{/if}}', { amount: '250' })).toBe('big');
		expect(text('{{#if (lt amount 100)}}small{{/if}}', { amount: 99 })).toBe('small');
		expect(text('{{#if (and a (or b c) (not d))}}ok{{/if}}', { a: 1, b: 0, c: 'x', d: '' })).toBe(
			'ok',
		);
	});
});

describe('partials and the whole email', () => {
	it('a signature and reusable partials; partial values escaped in HTML, raw in text', () => {
		const r = emailRenderer(
			{
				subject: 'Offer: {{deal.title}}',
				html: '<p>Hi {{contact.name}}</p>{{> footer}}{{> signature}}',
				text: 'Hi {{contact.name}}\n{{> signature}}',
				partials: { signature: '-- {{manager}}', footer: '<small>{{company}}</small>' },
			},
			{ ...settings, missing: 'fail', inlineCss: false, autoText: true },
		);
		const out = r({
			deal: { title: 'A&B' },
			contact: { name: 'Ann' },
			manager: 'Bob & Co',
			company: '<Acme>',
		});
		expect(out.subject).toBe('Offer: A&B');
		expect(out.html).toBe('<p>Hi Ann</p><small>&lt;Acme&gt;</small>-- Bob &amp; Co');
		expect(out.text).toBe('Hi Ann\n-- Bob & Co');
	});
	it('a missing variable inside a partial fails too', () => {
		const r = emailRenderer(
			{
				subject: 's',
				html: '{{> signature}}',
				text: '',
				partials: { signature: '{{manager.name}}' },
			},
			{ ...settings, missing: 'fail', inlineCss: false, autoText: true },
		);
		expect(() => r({})).toThrow('"manager.name"');
	});
	it('the text part is generated from the HTML; subject newlines are folded', () => {
		const r = emailRenderer(
			{
				subject: '{{a}}',
				html: '<h1>Offer</h1><p>See <a href="https://x.io/?a=1&amp;b=2">the offer</a></p><img src="cid:logo">',
				text: '',
				partials: {},
			},
			{ ...settings, missing: 'fail', inlineCss: false, autoText: true },
		);
		const out = r({ a: 'line1\r\nline2' });
		expect(out.subject).toBe('line1 line2');
		expect(out.text).toBe('Offer\n\nSee the offer [https://x.io/?a=1&b=2]');
	});
	it('CSS can be inlined', () => {
		const r = emailRenderer(
			{ subject: 's', html: '<style>p{color:red}</style><p>x</p>', text: '', partials: {} },
			{ ...settings, missing: 'fail', inlineCss: true, autoText: false },
		);
		expect(r({}).html).toContain('<p style="color: red;">x</p>');
	});
});

describe('threading', () => {
	it('In-Reply-To = parent id, References = parent references + parent id', () => {
		expect(threadingFor('abc@x.io', '<r1@x.io> <r2@x.io>')).toEqual({
			inReplyTo: '<abc@x.io>',
			references: ['<r1@x.io>', '<r2@x.io>', '<abc@x.io>'],
		});
		expect(threadingFor('<abc@x.io>', ['<r1@x.io>'])).toEqual({
			inReplyTo: '<abc@x.io>',
			references: ['<r1@x.io>', '<abc@x.io>'],
		});
		expect(threadingFor('', '')).toEqual({ references: [] });
		expect(normalizeMessageId(' <<a@b>> ')).toBe('<a@b>');
		expect(parseReferences('<a@b>,<c@d>')).toEqual(['<a@b>', '<c@d>']);
	});
});
