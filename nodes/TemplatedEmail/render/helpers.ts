// Template helpers: dates (luxon, time zone + format), numbers and money (Intl), defaults, comparisons.
// Registered on an isolated Handlebars instance (never the global one). No n8n imports.
import type Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { parseDate } from '../../shared/dates';

export interface HelperSettings {
	/** IANA zone for dates without an explicit `tz=`; n8n's workflow time zone by default. */
	timeZone: string;
	/** BCP 47 locale for numbers, money and month names. */
	locale: string;
	/** Currency for `money` without an explicit one. */
	currency: string;
}

type Options = Handlebars.HelperOptions;
const isOptions = (v: unknown): v is Options =>
	typeof v === 'object' && v !== null && 'hash' in v && 'data' in v;

/** Positional arguments without the trailing Handlebars options object. */
function args(list: unknown[]): { values: unknown[]; options: Options } {
	const options = list[list.length - 1] as Options;
	return { values: list.slice(0, -1), options };
}

function settingsOf(options: Options): HelperSettings {
	return options.data?.__settings as HelperSettings;
}

/** A date a flow hands us, in `zone` (the shared reader: a time without an offset is read in `zone`). */
export function toDateTime(value: unknown, zone: string): DateTime | undefined {
	return parseDate(value, zone);
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
	const key = `${locale}|${JSON.stringify(opts)}`;
	let f = numberFormats.get(key);
	if (!f) {
		f = new Intl.NumberFormat(locale, opts);
		numberFormats.set(key, f);
	}
	return f;
}

function toNumber(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n =
		typeof value === 'number' ? value : Number(String(value).replace(',', '.').replace(/\s/g, ''));
	return Number.isFinite(n) ? n : undefined;
}

function formatDateHelper(this: unknown, ...list: unknown[]): string {
	const { values, options } = args(list);
	const s = settingsOf(options);
	// a time without an offset is read in the node's zone, as every node reads it; tz= only changes the display
	const dt = toDateTime(values[0], s.timeZone)?.setZone(String(options.hash.tz ?? s.timeZone));
	if (!dt?.isValid) return '';
	const format =
		values[1] !== undefined ? String(values[1]) : String(options.hash.format ?? 'yyyy-MM-dd');
	return dt.setLocale(String(options.hash.locale ?? s.locale)).toFormat(format);
}

function nowHelper(dateOnly: boolean) {
	return function (this: unknown, ...list: unknown[]): string {
		const { values, options } = args(list);
		const s = settingsOf(options);
		const dt = DateTime.now()
			.setZone(String(options.hash.tz ?? s.timeZone))
			.setLocale(String(options.hash.locale ?? s.locale));
		if (values[0] !== undefined) return dt.toFormat(String(values[0]));
		return dateOnly
			? dt.toISODate()!
			: dt.set({ millisecond: 0 }).toISO({ suppressMilliseconds: true })!;
	};
}

function numberHelper(this: unknown, ...list: unknown[]): string {
	const { values, options } = args(list);
	const n = toNumber(values[0]);
	if (n === undefined) return '';
	const decimals = values[1] ?? options.hash.decimals;
	const opts: Intl.NumberFormatOptions =
		decimals === undefined
			? {}
			: { minimumFractionDigits: Number(decimals), maximumFractionDigits: Number(decimals) };
	return numberFormat(String(options.hash.locale ?? settingsOf(options).locale), opts).format(n);
}

function moneyHelper(this: unknown, ...list: unknown[]): string {
	const { values, options } = args(list);
	const n = toNumber(values[0]);
	if (n === undefined) return '';
	const s = settingsOf(options);
	const currency = String(values[1] ?? options.hash.currency ?? s.currency).toUpperCase();
	const opts: Intl.NumberFormatOptions = { style: 'currency', currency };
	if (options.hash.decimals !== undefined) {
		opts.minimumFractionDigits = Number(options.hash.decimals);
		opts.maximumFractionDigits = Number(options.hash.decimals);
	}
	return numberFormat(String(options.hash.locale ?? s.locale), opts).format(n);
}

const empty = (v: unknown) =>
	v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Names of all helpers; the missing-variable check leaves mustaches with these names alone. */
export const HELPER_NAMES = [
	'formatDate',
	'today',
	'now',
	'number',
	'money',
	'default',
	'eq',
	'ne',
	'gt',
	'gte',
	'lt',
	'lte',
	'and',
	'or',
	'not',
	'upper',
	'lower',
	'urlencode',
	'json',
];

export function registerHelpers(hb: typeof Handlebars): void {
	hb.registerHelper('formatDate', formatDateHelper);
	hb.registerHelper('today', nowHelper(true));
	hb.registerHelper('now', nowHelper(false));
	hb.registerHelper('number', numberHelper);
	hb.registerHelper('money', moneyHelper);
	// {{default contact.name "there"}}: the first value that is not empty
	hb.registerHelper(
		'default',
		(...list: unknown[]) => args(list).values.find((v) => !empty(v)) ?? '',
	);
	// Loose equality on strings so "5" from a CRM field equals 5.
	const same = (a: unknown, b: unknown) =>
		a === b ||
		(a !== null && b !== null && a !== undefined && b !== undefined && String(a) === String(b));
	const cmp = (a: unknown, b: unknown) => {
		const x = toNumber(a);
		const y = toNumber(b);
		return x !== undefined && y !== undefined
			? x - y
			: String(a ?? '').localeCompare(String(b ?? ''));
	};
	hb.registerHelper('eq', (a: unknown, b: unknown) => same(a, b));
	hb.registerHelper('ne', (a: unknown, b: unknown) => !same(a, b));
	hb.registerHelper('gt', (a: unknown, b: unknown) => cmp(a, b) > 0);
	hb.registerHelper('gte', (a: unknown, b: unknown) => cmp(a, b) >= 0);
	hb.registerHelper('lt', (a: unknown, b: unknown) => cmp(a, b) < 0);
	hb.registerHelper('lte', (a: unknown, b: unknown) => cmp(a, b) <= 0);
	hb.registerHelper('and', (...list: unknown[]) =>
		args(list).values.every((v) => !empty(v) && v !== false),
	);
	hb.registerHelper('or', (...list: unknown[]) =>
		args(list).values.some((v) => !empty(v) && v !== false),
	);
	hb.registerHelper('not', (v: unknown) => empty(v) || v === false);
	hb.registerHelper('upper', (v: unknown) =>
		isOptions(v) || v == null ? '' : String(v).toUpperCase(),
	);
	hb.registerHelper('lower', (v: unknown) =>
		isOptions(v) || v == null ? '' : String(v).toLowerCase(),
	);
	hb.registerHelper('urlencode', (v: unknown) =>
		isOptions(v) || v == null ? '' : encodeURIComponent(String(v)),
	);
	hb.registerHelper('json', (v: unknown) => JSON.stringify(isOptions(v) ? null : v));
}
