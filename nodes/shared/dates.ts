// Date values as CRMs and flows send them, read into luxon DateTimes: one reader for every node (CRM Delay's
// schedule and conditions, Send Templated Email's date helpers). No n8n imports; tested directly.
import { DateTime, IANAZone } from 'luxon';

/** A value of the wrong type for what a rule or condition expects; the message names all three. */
export class ValueTypeError extends Error {
	constructor(
		readonly field: string,
		readonly value: unknown,
		readonly expected: string,
		readonly hint?: string,
	) {
		super(`"${field}" has the value ${showValue(value)}, which is not ${expected}`);
		this.name = 'ValueTypeError';
	}
}

/** A short, safe rendering of any value for messages: strings quoted, long ones cut. */
export function showValue(value: unknown): string {
	if (value === undefined) return 'undefined (the field is missing)';
	if (value === null) return 'null';
	if (typeof value === 'string')
		return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
	if (isLuxonDateTime(value)) return value.toISO() ?? 'an invalid date';
	if (typeof value === 'object') {
		const json = JSON.stringify(value);
		return `${Array.isArray(value) ? 'a list' : 'an object'} ${json.length > 80 ? `${json.slice(0, 77)}...` : json}`;
	}
	return String(value);
}

export function isLuxonDateTime(value: unknown): value is DateTime {
	// n8n expressions ($now, DateTime.fromISO) may hand us a DateTime from another copy of luxon.
	return (
		DateTime.isDateTime(value) ||
		(typeof value === 'object' &&
			value !== null &&
			'isLuxonDateTime' in value &&
			typeof (value as unknown as DateTime).toMillis === 'function')
	);
}

export function assertZone(zone: string, what = 'Time zone'): string {
	if (!IANAZone.isValidZone(zone)) {
		throw new ValueTypeError(
			what,
			zone,
			'a time zone name such as Europe/Moscow or America/New_York',
		);
	}
	return zone;
}

// Formats beyond ISO that Russian and international CRMs commonly send, tried in this order.
const LOCAL_FORMATS = [
	'dd.MM.yyyy HH:mm:ss',
	'dd.MM.yyyy HH:mm',
	'dd.MM.yyyy',
	'd.M.yyyy H:mm',
	'd.M.yyyy',
];

/**
 * Reads a date: a Date, a luxon DateTime, a Unix timestamp (seconds below 1e11, else milliseconds),
 * an ISO 8601 / SQL / RFC 2822 string, or "dd.MM.yyyy[ HH:mm[:ss]]". A string without an offset is
 * wall-clock time in `zone`. Returns undefined when the value is not a date.
 */
export function parseDate(value: unknown, zone: string): DateTime | undefined {
	let result: DateTime | undefined;
	if (value instanceof Date) result = DateTime.fromJSDate(value, { zone });
	else if (isLuxonDateTime(value)) result = DateTime.fromMillis(value.toMillis(), { zone });
	else if (typeof value === 'number')
		result = Number.isFinite(value) ? fromEpoch(value, zone) : undefined;
	else if (typeof value === 'string') result = parseDateString(value.trim(), zone);
	return result?.isValid ? result : undefined;
}

function fromEpoch(n: number, zone: string): DateTime {
	return DateTime.fromMillis(Math.abs(n) < 1e11 ? n * 1000 : n, { zone });
}

function parseDateString(s: string, zone: string): DateTime | undefined {
	if (s === '') return undefined;
	if (/^\d{10}$|^\d{13}$/.test(s)) return fromEpoch(Number(s), zone);
	const opts = { zone, setZone: false };
	for (const attempt of [
		() => DateTime.fromISO(s, opts),
		() => DateTime.fromSQL(s, opts),
		() => DateTime.fromRFC2822(s, opts),
		() => DateTime.fromHTTP(s, opts),
	]) {
		const d = attempt();
		if (d.isValid) return d.setZone(zone);
	}
	for (const format of LOCAL_FORMATS) {
		const d = DateTime.fromFormat(s, format, { zone });
		if (d.isValid) return d;
	}
	return undefined;
}

/** Like parseDate, but a value that is not a date is an error naming the field. */
export function requireDate(value: unknown, field: string, zone: string): DateTime {
	const d = parseDate(value, zone);
	if (!d) {
		throw new ValueTypeError(
			field,
			value,
			'a date',
			'Use an ISO date such as 2025-03-28T10:00:00+03:00 (or 2025-03-28 10:00, read in the time zone), dd.MM.yyyy HH:mm, or a Unix timestamp',
		);
	}
	return d;
}

/** Human form used in reasons: "2025-03-28 10:00 (Europe/Prague)". */
export function describeTime(d: DateTime): string {
	return `${d.toFormat('yyyy-MM-dd HH:mm')} (${d.zoneName})`;
}
