// Conditions on an item's fields ("amount is greater than 0", "stage equals Offer"). No n8n imports;
// tested directly.
//
// Type handling: the condition's type says how both sides are read. "1000" is the number 1000 when the
// type is Number (also "1 000,50" = 1000.5); a date string is parsed as ISO (or SQL, RFC 2822,
// dd.MM.yyyy) in the time zone; "true" / "yes" / 1 are true for Boolean. A value that cannot be read as
// the type is an error naming the field, the value and the type. An empty value (missing, null, "")
// never errors: it simply fails every operator except "is empty".
import type { DateTime } from 'luxon';
import { parseDate, showValue, ValueTypeError, describeTime } from '../shared/dates';

export const VALUE_TYPES = ['string', 'number', 'date', 'boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const OPERATORS = [
	'equals',
	'notEquals',
	'contains',
	'notContains',
	'startsWith',
	'gt',
	'gte',
	'lt',
	'lte',
	'between',
	'isEmpty',
	'isNotEmpty',
	'isTrue',
	'isFalse',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Which operators make sense for which type; anything else is a configuration error. */
export const OPERATORS_BY_TYPE: Record<ValueType, Operator[]> = {
	string: ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'isEmpty', 'isNotEmpty'],
	number: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'],
	date: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'],
	boolean: ['equals', 'notEquals', 'isTrue', 'isFalse', 'isEmpty', 'isNotEmpty'],
};

const WORDS: Record<Operator, string> = {
	equals: 'equals',
	notEquals: 'does not equal',
	contains: 'contains',
	notContains: 'does not contain',
	startsWith: 'starts with',
	gt: 'is greater than',
	gte: 'is greater than or equal to',
	lt: 'is less than',
	lte: 'is less than or equal to',
	between: 'is between',
	isEmpty: 'is empty',
	isNotEmpty: 'is not empty',
	isTrue: 'is true',
	isFalse: 'is false',
};

export interface Condition {
	/** name shown in reasons and errors: the field path, or "value 2" for an expression */
	label: string;
	/** the item's value (already read from the field or the expression) */
	value: unknown;
	type: ValueType;
	operator: Operator;
	/** the value to compare with (and the upper bound for "between") */
	compareTo?: unknown;
	compareTo2?: unknown;
}

export interface ConditionOptions {
	ignoreCase: boolean;
	zone: string;
}

export interface ConditionResult {
	passed: boolean;
	/** "amount (0) is greater than 0" — the condition in words with the item's value */
	text: string;
}

export interface Evaluation {
	matched: boolean;
	results: ConditionResult[];
	/** why the item matched or did not, in one sentence */
	reason: string;
}

export function isEmptyValue(v: unknown): boolean {
	if (v === undefined || v === null) return true;
	if (typeof v === 'string') return v.trim() === '';
	if (Array.isArray(v)) return v.length === 0;
	if (typeof v === 'object' && !(v instanceof Date) && !('isLuxonDateTime' in v))
		return Object.keys(v).length === 0;
	return false;
}

export function toNumber(v: unknown, label: string): number {
	if (typeof v === 'number' && Number.isFinite(v)) return v;
	if (typeof v === 'string') {
		// "1000", "-12.5", "1 000,50" (space / no-break space thousands, decimal comma), "1,000.50"
		let s = v.trim().replace(/[\s\u00a0\u202f]/g, '');
		if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
		else if (/^[-+]?\d+,\d+$/.test(s)) s = s.replace(',', '.');
		if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
	}
	throw new ValueTypeError(
		label,
		v,
		'a number',
		'Choose the type String to compare it as text, or fix the value',
	);
}

const TRUE = ['true', 'yes', 'y', '1', 'on'];
const FALSE = ['false', 'no', 'n', '0', 'off'];

export function toBoolean(v: unknown, label: string): boolean {
	if (typeof v === 'boolean') return v;
	if (v === 1 || v === 0) return v === 1;
	if (typeof v === 'string') {
		const s = v.trim().toLowerCase();
		if (TRUE.includes(s)) return true;
		if (FALSE.includes(s)) return false;
	}
	throw new ValueTypeError(label, v, 'a boolean (true / false, yes / no, 1 / 0)');
}

export function toText(v: unknown, label: string): string {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
	throw new ValueTypeError(
		label,
		v,
		'text',
		'Point the condition at a text field (for a list or an object, at one of its fields)',
	);
}

export function toDate(v: unknown, label: string, zone: string): DateTime {
	const d = parseDate(v, zone);
	if (!d)
		throw new ValueTypeError(
			label,
			v,
			'a date',
			'Use an ISO date such as 2025-03-28T10:00:00+03:00, dd.MM.yyyy HH:mm, or a Unix timestamp',
		);
	return d;
}

function read(
	type: ValueType,
	v: unknown,
	label: string,
	o: ConditionOptions,
): string | number | boolean {
	switch (type) {
		case 'number':
			return toNumber(v, label);
		case 'boolean':
			return toBoolean(v, label);
		case 'date':
			return toDate(v, label, o.zone).toMillis();
		case 'string': {
			const s = toText(v, label);
			return o.ignoreCase ? s.toLocaleLowerCase() : s;
		}
	}
}

function shown(type: ValueType, v: unknown, o: ConditionOptions): string {
	if (type === 'date') {
		const d = parseDate(v, o.zone);
		if (d) return describeTime(d);
	}
	return showValue(v);
}

export function describeCondition(c: Condition, o: ConditionOptions): string {
	const base = `${c.label} (${shown(c.type, c.value, o)}) ${WORDS[c.operator]}`;
	if (['isEmpty', 'isNotEmpty', 'isTrue', 'isFalse'].includes(c.operator)) return base;
	if (c.operator === 'between')
		return `${base} ${shown(c.type, c.compareTo, o)} and ${shown(c.type, c.compareTo2, o)}`;
	return `${base} ${shown(c.type, c.compareTo, o)}`;
}

/** Evaluates one condition; throws ValueTypeError for values of the wrong type. */
export function evaluateCondition(c: Condition, o: ConditionOptions): boolean {
	if (!OPERATORS_BY_TYPE[c.type]?.includes(c.operator)) {
		throw new ValueTypeError(
			`Condition on ${c.label}`,
			c.operator,
			`an operator for the type ${c.type} (one of: ${OPERATORS_BY_TYPE[c.type]?.join(', ') ?? 'string, number, date, boolean'})`,
		);
	}
	if (c.operator === 'isEmpty') return isEmptyValue(c.value);
	if (c.operator === 'isNotEmpty') return !isEmptyValue(c.value);
	// An empty field does not hold any other condition ("amount > 0" is not met when amount is missing).
	if (isEmptyValue(c.value)) return false;
	const left = read(c.type, c.value, c.label, o);
	if (c.operator === 'isTrue') return left === true;
	if (c.operator === 'isFalse') return left === false;
	const right = read(c.type, c.compareTo, `the value to compare ${c.label} with`, o);
	switch (c.operator) {
		case 'equals':
			return left === right;
		case 'notEquals':
			return left !== right;
		case 'contains':
			return (left as string).includes(right as string);
		case 'notContains':
			return !(left as string).includes(right as string);
		case 'startsWith':
			return (left as string).startsWith(right as string);
		case 'gt':
			return left > right;
		case 'gte':
			return left >= right;
		case 'lt':
			return left < right;
		case 'lte':
			return left <= right;
		case 'between': {
			const upper = read(c.type, c.compareTo2, `the upper bound for ${c.label}`, o);
			// Inclusive; the bounds may be given in either order.
			const [lo, hi] = right <= upper ? [right, upper] : [upper, right];
			return left >= lo && left <= hi;
		}
	}
	return false;
}

/** All or any of the conditions; no conditions means every item matches. */
export function evaluateConditions(
	conditions: Condition[],
	combine: 'all' | 'any',
	o: ConditionOptions,
): Evaluation {
	if (!conditions.length) return { matched: true, results: [], reason: 'no conditions are set' };
	const results = conditions.map((c) => ({
		passed: evaluateCondition(c, o),
		text: describeCondition(c, o),
	}));
	const failed = results.filter((r) => !r.passed);
	const passed = results.filter((r) => r.passed);
	if (combine === 'all') {
		return failed.length
			? {
					matched: false,
					results,
					reason: `condition not met: ${failed.map((r) => r.text).join('; ')}`,
				}
			: {
					matched: true,
					results,
					reason: `all conditions met: ${passed.map((r) => r.text).join('; ')}`,
				};
	}
	return passed.length
		? { matched: true, results, reason: `condition met: ${passed.map((r) => r.text).join('; ')}` }
		: {
				matched: false,
				results,
				reason: `none of the conditions met: ${failed.map((r) => r.text).join('; ')}`,
			};
}
