// The words of the pages recipients see (unsubscribe confirmation, "you are unsubscribed", invalid link), in
// the built-in languages, the admin's own texts, and which language a request gets: a fixed one, or the
// best match of the browser's Accept-Language among the languages that have texts (built-in + the admin's).
// `{address}` (masked) and `{company}` are filled in by pages.ts, after the text is escaped. No n8n imports.

export type ErrorReason =
	| 'damaged'
	| 'damagedUnsubscribe'
	| 'oldLink'
	| 'unknownAddress'
	| 'methodNotAllowed'
	| 'notConfigured';

export interface PageTexts {
	confirmHeading: string;
	/** `{address}`: the masked address; `{company}`: the company name. */
	confirmText: string;
	confirmButton: string;
	doneHeading: string;
	doneText: string;
	invalidHeading: string;
	reasons: Record<ErrorReason, string>;
}

/** Texts an admin sets for a language; empty fields keep the built-in text. */
export interface CustomTexts {
	language: string;
	confirmHeading?: string;
	confirmText?: string;
	confirmButton?: string;
	doneHeading?: string;
	doneText?: string;
	invalidHeading?: string;
	/** Replaces every reason of the invalid-link page. */
	invalidText?: string;
}

export interface PageSettings {
	/** `auto`: from Accept-Language; else a language code. */
	language: string;
	custom?: CustomTexts[];
	companyName?: string;
	logoUrl?: string;
}

/** What a page is rendered with. */
export interface PageLook {
	lang: string;
	texts: PageTexts;
	companyName: string;
	/** An https URL, or '' (anything else is dropped). */
	logoUrl: string;
}

const EN: PageTexts = {
	confirmHeading: 'Unsubscribe',
	confirmText: 'Stop receiving these emails at {address}?',
	confirmButton: 'Unsubscribe',
	doneHeading: 'You are unsubscribed',
	doneText: 'You will not receive these emails any more. You can close this page.',
	invalidHeading: 'This link is not valid',
	reasons: {
		damaged:
			'The link is damaged or was not made by this server. Copy the whole link from the email and try again.',
		damagedUnsubscribe:
			'This unsubscribe link is damaged. Copy the whole link from the email, or reply to the email and ask to be removed.',
		oldLink:
			'This link comes from an older email and is no longer accepted. Open the website directly instead.',
		unknownAddress: 'Unknown tracking address.',
		methodNotAllowed: 'Method not allowed.',
		notConfigured: 'The tracking service is not configured correctly.',
	},
};

const RU: PageTexts = {
	confirmHeading: 'Отписаться от рассылки',
	confirmText: 'Больше не получать эти письма на адрес {address}?',
	confirmButton: 'Отписаться',
	doneHeading: 'Вы отписались',
	doneText: 'Вы больше не будете получать эти письма. Эту страницу можно закрыть.',
	invalidHeading: 'Эта ссылка недействительна',
	reasons: {
		damaged:
			'Ссылка повреждена или создана не этим сервером. Скопируйте ссылку из письма целиком и попробуйте ещё раз.',
		damagedUnsubscribe:
			'Ссылка для отписки повреждена. Скопируйте ссылку из письма целиком или ответьте на письмо с просьбой исключить вас из рассылки.',
		oldLink: 'Эта ссылка из старого письма и больше не принимается. Откройте сайт напрямую.',
		unknownAddress: 'Неизвестный адрес отслеживания.',
		methodNotAllowed: 'Метод не поддерживается.',
		notConfigured: 'Сервис отслеживания настроен неправильно.',
	},
};

/** With a company name the confirmation names it. */
const CONFIRM_WITH_COMPANY: Record<string, string> = {
	en: 'Stop receiving emails from {company} at {address}?',
	ru: 'Больше не получать письма от {company} на адрес {address}?',
};

export const BUILT_IN: Record<string, PageTexts> = { en: EN, ru: RU };
export const DEFAULT_LOOK: PageLook = { lang: 'en', texts: EN, companyName: '', logoUrl: '' };

const LANGUAGE_CODE = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/;

/** A language tag as compared here: lower case, `_` as `-`; '' when it is not one. */
export function normalizeLanguage(value: unknown): string {
	const tag = String(value ?? '')
		.trim()
		.toLowerCase()
		.replace(/_/g, '-');
	return LANGUAGE_CODE.test(tag) ? tag : '';
}

/**
 * The best of `available` for an Accept-Language header (RFC 9110 12.5.4 with RFC 4647 lookup): by q value,
 * then order; `ru-RU` matches `ru`, `en` matches `en-GB` when only that is offered; q=0 excludes.
 */
export function pickLanguage(
	acceptLanguage: string | undefined,
	available: string[],
	fallback: string,
): string {
	const ranges = String(acceptLanguage ?? '')
		.slice(0, 512)
		.split(',')
		.map((part, order) => {
			const [tag, ...params] = part.trim().split(';');
			const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)).find(Boolean);
			return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, order };
		})
		.filter((r) => r.tag && r.q > 0 && Number.isFinite(r.q))
		.sort((a, b) => b.q - a.q || a.order - b.order);
	for (const { tag } of ranges) {
		if (tag === '*') return fallback;
		for (let t = tag; t; t = t.includes('-') ? t.slice(0, t.lastIndexOf('-')) : '')
			if (available.includes(t)) return t;
		const wider = available.find((a) => a.startsWith(`${tag}-`));
		if (wider) return wider;
	}
	return fallback;
}

/** The look of a page for one request. */
export function resolveLook(settings: PageSettings | undefined, acceptLanguage?: string): PageLook {
	if (!settings) return DEFAULT_LOOK;
	const custom = new Map<string, CustomTexts>();
	for (const c of settings.custom ?? []) {
		const lang = normalizeLanguage(c.language);
		if (lang && !custom.has(lang)) custom.set(lang, c);
	}
	const fixed = normalizeLanguage(settings.language);
	const available = [...new Set([...Object.keys(BUILT_IN), ...custom.keys()])];
	const lang =
		settings.language === 'auto' || !fixed
			? pickLanguage(acceptLanguage, available, fixed || 'en')
			: fixed;
	const base = BUILT_IN[lang] ?? BUILT_IN[lang.split('-')[0]] ?? EN;
	const companyName = String(settings.companyName ?? '').trim();
	let texts: PageTexts = companyName
		? { ...base, confirmText: CONFIRM_WITH_COMPANY[lang.split('-')[0]] ?? CONFIRM_WITH_COMPANY.en }
		: base;
	const own = custom.get(lang);
	if (own) {
		const pick = (v: string | undefined, d: string) => (v && v.trim() ? v : d);
		texts = {
			confirmHeading: pick(own.confirmHeading, texts.confirmHeading),
			confirmText: pick(own.confirmText, texts.confirmText),
			confirmButton: pick(own.confirmButton, texts.confirmButton),
			doneHeading: pick(own.doneHeading, texts.doneHeading),
			doneText: pick(own.doneText, texts.doneText),
			invalidHeading: pick(own.invalidHeading, texts.invalidHeading),
			reasons: own.invalidText?.trim()
				? (Object.fromEntries(
						Object.keys(texts.reasons).map((k) => [k, own.invalidText]),
					) as Record<ErrorReason, string>)
				: texts.reasons,
		};
	}
	return { lang, texts, companyName, logoUrl: httpsUrl(settings.logoUrl) };
}

/** The URL when it is an absolute https URL without credentials, else ''. */
export function httpsUrl(value: unknown): string {
	try {
		const url = new URL(String(value ?? '').trim());
		return url.protocol === 'https:' && !url.username && !url.password ? url.toString() : '';
	} catch {
		return '';
	}
}
