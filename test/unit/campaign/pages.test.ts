// What recipients see: pages in English / Russian / the admin's language, picked by an option or by the
// browser's Accept-Language, with the admin's texts, company name and logo, every value escaped.
import { handleTrackingRequest } from '../../../nodes/EmailTrackingTrigger/handler';
import {
	confirmPage,
	errorPage,
	unsubscribedPage,
} from '../../../nodes/EmailTrackingTrigger/pages';
import { pickLanguage, resolveLook } from '../../../nodes/EmailTrackingTrigger/pageTexts';
import { trackingDecorator } from '../../../nodes/shared/tracking/decorator';
import { decodeToken, encodeToken } from '../../../nodes/shared/tracking/token';

const SECRET = 'unit-test-secret-0123456789abcdef0123456789';

describe('Accept-Language', () => {
	it.each([
		['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', 'ru'],
		['en-GB,en;q=0.9', 'en'],
		['de-DE,de;q=0.9,ru;q=0.5,en;q=0.4', 'ru'],
		['en;q=0.2, ru;q=0.8', 'ru'],
		['ru;q=0, en', 'en'],
		['fr, de', 'en'],
		['*', 'en'],
		['', 'en'],
		[undefined, 'en'],
		['ru-Latn-RU', 'ru'],
		['RU', 'ru'],
		['garbage;;;q=abc,,,', 'en'],
	])('%s -> %s', (header, expected) => {
		expect(pickLanguage(header, ['en', 'ru'], 'en')).toBe(expected);
	});

	it('a language of the admin is offered too, and a wider tag matches a narrower one offered', () => {
		expect(pickLanguage('de-AT,de;q=0.9', ['en', 'ru', 'de'], 'en')).toBe('de');
		expect(pickLanguage('pt', ['en', 'pt-br'], 'en')).toBe('pt-br');
	});
});

describe('pages', () => {
	it('English by default, Russian by option, by browser when "auto"', () => {
		expect(unsubscribedPage()).toContain('You are unsubscribed');
		expect(unsubscribedPage()).toContain('<html lang="en">');
		const ru = resolveLook({ language: 'ru' }, 'en-US');
		expect(unsubscribedPage(ru)).toContain('Вы отписались');
		expect(unsubscribedPage(ru)).toContain('<html lang="ru">');
		const auto = resolveLook({ language: 'auto' }, 'ru-RU,ru;q=0.9');
		expect(confirmPage('ann@example.com', 'tok', auto)).toContain(
			'Больше не получать эти письма на адрес <strong>a***@example.com</strong>?',
		);
		expect(errorPage('damaged', auto)).toContain('Эта ссылка недействительна');
		expect(errorPage('damaged', resolveLook({ language: 'auto' }, 'fr'))).toContain(
			'This link is not valid',
		);
	});

	it('the admin texts, company name and logo, all escaped, placeholders filled with escaped values', () => {
		const look = resolveLook(
			{
				language: 'auto',
				companyName: 'Acme & <Sons>',
				logoUrl: 'https://cdn.example.com/logo.png?a=1&b="x"',
				custom: [
					{
						language: 'de',
						confirmHeading: 'Abmelden <script>alert(1)</script>',
						confirmText: 'Keine E-Mails mehr von {company} an {address}? {unknown}',
						confirmButton: 'Ja, abmelden',
					},
				],
			},
			'de-DE',
		);
		const html = confirmPage('o\'neil"<x>@example.com', 'a"b<c>', look);
		expect(html).toContain('<html lang="de">');
		expect(html).toContain('<h1>Abmelden &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
		expect(html).toContain(
			'Keine E-Mails mehr von Acme &amp; &lt;Sons&gt; an <strong>o***@example.com</strong>? {unknown}',
		);
		expect(html).toContain('>Ja, abmelden</button>');
		expect(html).toContain(
			'<img src="https://cdn.example.com/logo.png?a=1&amp;b=%22x%22" alt="Acme &amp; &lt;Sons&gt;"',
		);
		expect(html).toContain('<div class="company">Acme &amp; &lt;Sons&gt;</div>');
		expect(html).toContain('action="?t=a%22b%3Cc%3E"');
		expect(html).not.toMatch(/<script|<Sons>|"x"/);
		// the admin's German entry left the other texts empty: English ones fill in
		expect(unsubscribedPage(look)).toContain('You are unsubscribed');
	});

	it('a logo that is not https is dropped; a company name changes the built-in question', () => {
		for (const logoUrl of [
			'http://cdn.example.com/logo.png',
			'javascript:alert(1)',
			'data:image/png;base64,AAAA',
			'https://user:pw@cdn.example.com/x.png',
			'//cdn.example.com/x.png',
		]) {
			const html = unsubscribedPage(resolveLook({ language: 'en', logoUrl }));
			expect(html).not.toContain('<img');
		}
		const look = resolveLook({ language: 'en', companyName: 'Acme' });
		expect(confirmPage('ann@example.com', 't', look)).toContain(
			'Stop receiving emails from Acme at <strong>a***@example.com</strong>?',
		);
	});

	it('the handler answers in the browser language with Content-Language and Vary, texts from the admin for Russian', () => {
		const now = Date.now();
		const token = encodeToken(SECRET, {
			type: 'unsubscribe',
			trackingId: 't1',
			messageId: '<m@x>',
			recipient: 'ann@example.com',
			data: {},
			issuedAt: Math.floor(now / 1000),
		});
		const pages = {
			language: 'auto',
			custom: [{ language: 'ru', doneText: 'Готово: писем от {company} больше не будет.' }],
			companyName: 'ООО «Ромашка»',
		};
		const done = handleTrackingRequest(
			{ method: 'POST', action: 'unsubscribe', token, acceptLanguage: 'ru,en;q=0.5' },
			{ secret: SECRET, events: [], dropBots: false, maxAgeSeconds: 0, pages, now },
		);
		expect(done.response.headers['content-language']).toBe('ru');
		expect(done.response.headers.vary).toBe('Accept-Language');
		expect(String(done.response.body)).toContain('Готово: писем от ООО «Ромашка» больше не будет.');
		// the unsubscribe is honoured although "unsubscribed" starts no execution here
		expect(done.event).toBeUndefined();
		expect(done.unsubscribed).toMatchObject({ recipient: 'ann@example.com', campaign: null });
		const bad = handleTrackingRequest(
			{ method: 'GET', action: 'click', token: 'nope', acceptLanguage: 'en-US' },
			{ secret: SECRET, events: [], dropBots: false, maxAgeSeconds: 0, pages, now },
		);
		expect(bad.response.status).toBe(400);
		expect(String(bad.response.body)).toContain('The link is damaged');
	});
});

describe('campaign claim', () => {
	const claims = {
		type: 'open' as const,
		trackingId: '0b6f3f0e-4b7c-4d5e-8f9a-0a1b2c3d4e5f',
		messageId: '<m@x>',
		recipient: 'ann@example.com',
		data: { deal: '7' },
		issuedAt: 1_780_000_000,
	};
	it('travels in the sealed token and comes out on the event; tokens without it still decode', () => {
		const withCampaign = decodeToken(
			SECRET,
			encodeToken(SECRET, { ...claims, campaign: 'Весна-2026' }),
			{
				now: 1_780_000_000_000,
			},
		);
		expect(withCampaign).toEqual({ ok: true, claims: { ...claims, campaign: 'Весна-2026' } });
		const without = decodeToken(SECRET, encodeToken(SECRET, claims), { now: 1_780_000_000_000 });
		expect(without).toEqual({ ok: true, claims });
	});

	it("the send node's tracking decorator puts the campaign of each item into its links", () => {
		const decorator = trackingDecorator({
			secret: SECRET,
			baseUrl: 'https://n8n.example.com/webhook/email-tracking',
			open: true,
			click: false,
			unsubscribeHeaders: true,
			campaignFor: (i) => (i === 0 ? 'spring' : ''),
		});
		const campaignOf = (itemIndex: number) => {
			const { unsubscribeUrl } = decorator.extendContext({
				itemIndex,
				messageId: `<m${itemIndex}@x>`,
				recipients: ['ann@example.com'],
			}) as { unsubscribeUrl: string };
			const decoded = decodeToken(SECRET, new URL(unsubscribeUrl).searchParams.get('t'));
			return decoded.ok ? decoded.claims.campaign : 'not decoded';
		};
		expect(campaignOf(0)).toBe('spring');
		expect(campaignOf(1)).toBeUndefined();
	});
});
