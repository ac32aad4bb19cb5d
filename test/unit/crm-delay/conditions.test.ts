// Every condition operator on every type it supports, type handling, wrong types, all / any and reasons.
import {
	evaluateCondition,
	evaluateConditions,
	type Condition,
	type Operator,
	type ValueType,
} from '../../../nodes/CrmDelay/conditions';

const o = { ignoreCase: true, zone: 'Europe/Moscow' };
const check = (
	type: ValueType,
	value: unknown,
	operator: Operator,
	compareTo?: unknown,
	compareTo2?: unknown,
	opts = o,
) => evaluateCondition({ label: 'field', value, type, operator, compareTo, compareTo2 }, opts);

describe('string', () => {
	test.each([
		['Offer', 'equals', 'Offer', true],
		['Offer', 'equals', 'offer', true],
		['Offer', 'equals', 'Won', false],
		['Offer', 'notEquals', 'Won', true],
		['Offer', 'notEquals', 'OFFER', false],
		['Commercial offer', 'contains', 'offer', true],
		['Commercial offer', 'contains', 'deal', false],
		['Commercial offer', 'notContains', 'deal', true],
		['Commercial offer', 'startsWith', 'commercial', true],
		['Commercial offer', 'startsWith', 'offer', false],
		[1000, 'equals', '1000', true],
		[true, 'equals', 'true', true],
		['Сделка', 'equals', 'сделка', true],
	] as const)('%j %s %j -> %s', (value, op, cmp, expected) => {
		expect(check('string', value, op, cmp)).toBe(expected);
	});

	test('case-sensitive when Ignore Case is off', () => {
		expect(
			check('string', 'Offer', 'equals', 'offer', undefined, { ...o, ignoreCase: false }),
		).toBe(false);
		expect(
			check('string', 'Offer', 'startsWith', 'Of', undefined, { ...o, ignoreCase: false }),
		).toBe(true);
	});

	test('an object is not text: clear error', () => {
		expect(() => check('string', { id: 1 }, 'equals', 'x')).toThrow(
			'"field" has the value an object {"id":1}, which is not text',
		);
	});
});

describe('number', () => {
	test.each([
		[5, 'gt', 0, true],
		[0, 'gt', 0, false],
		[0, 'gte', 0, true],
		['1000', 'gt', 999, true],
		['1 000,50', 'equals', 1000.5, true],
		['1,000.50', 'equals', '1000.5', true],
		['-3', 'lt', 0, true],
		[3, 'lt', 3, false],
		[3, 'lte', 3, true],
		[10, 'equals', '10.0', true],
		[10, 'notEquals', 11, true],
		[500000, 'between', 0, 1000000, true],
		[1000000, 'between', 0, 1000000, true],
		[1000001, 'between', 0, 1000000, false],
		[5, 'between', 10, 1, true],
	] as const)('%j %s %j %j', (...args) => {
		const [value, op, cmp, a, b] = args as unknown as [
			unknown,
			Operator,
			unknown,
			unknown,
			unknown,
		];
		const expected = args.length === 5 ? b : a;
		const upper = args.length === 5 ? a : undefined;
		expect(check('number', value, op, cmp, upper)).toBe(expected);
	});

	test('wrong type names the field, the value and the type', () => {
		expect(() => check('number', 'abc', 'gt', 0)).toThrow(
			'"field" has the value "abc", which is not a number',
		);
		expect(() => check('number', true, 'gt', 0)).toThrow('which is not a number');
		expect(() => check('number', 5, 'gt', 'zero')).toThrow(
			'"the value to compare field with" has the value "zero", which is not a number',
		);
		expect(() => check('number', 5, 'between', 0, 'lots')).toThrow(
			'"the upper bound for field" has the value "lots"',
		);
	});
});

describe('date', () => {
	test.each([
		['2025-06-10T10:00:00+03:00', 'equals', '2025-06-10T07:00:00Z', true],
		['2025-06-10 10:00', 'equals', '2025-06-10T10:00:00+03:00', true],
		['10.06.2025 10:00', 'equals', '2025-06-10T10:00:00+03:00', true],
		['2025-06-10T10:00:00+03:00', 'notEquals', '2025-06-10T10:00:00Z', true],
		['2025-06-10', 'gt', '2025-06-09', true],
		['2025-06-10', 'gte', '2025-06-10', true],
		['2025-06-10', 'lt', '2025-06-09', false],
		['2025-06-10', 'lte', '2025-06-10T00:00:00+03:00', true],
		[1749538800, 'equals', '2025-06-10T07:00:00Z', true],
	] as const)('%j %s %j -> %s', (value, op, cmp, expected) => {
		expect(check('date', value, op, cmp)).toBe(expected);
	});

	test('between, with a Date object', () => {
		expect(
			check('date', new Date('2025-06-15T00:00:00Z'), 'between', '2025-06-01', '2025-06-30'),
		).toBe(true);
		expect(
			check('date', new Date('2025-07-15T00:00:00Z'), 'between', '2025-06-01', '2025-06-30'),
		).toBe(false);
	});

	test('wrong type', () => {
		expect(() => check('date', 'soon', 'gt', '2025-01-01')).toThrow(
			'"field" has the value "soon", which is not a date',
		);
		expect(() => check('date', '2025-06-10', 'gt', 'yesterday')).toThrow(
			'"yesterday", which is not a date',
		);
	});
});

describe('boolean', () => {
	test.each([
		[true, 'isTrue', true],
		['yes', 'isTrue', true],
		['TRUE', 'isTrue', true],
		[1, 'isTrue', true],
		['0', 'isTrue', false],
		[false, 'isFalse', true],
		['no', 'isFalse', true],
		[true, 'isFalse', false],
	] as const)('%j %s -> %s', (value, op, expected) => {
		expect(check('boolean', value, op)).toBe(expected);
	});

	test('equals and not equals', () => {
		expect(check('boolean', 'true', 'equals', true)).toBe(true);
		expect(check('boolean', 'true', 'notEquals', 'false')).toBe(true);
	});

	test('wrong type', () => {
		expect(() => check('boolean', 'maybe', 'isTrue')).toThrow(
			'"field" has the value "maybe", which is not a boolean',
		);
		expect(() => check('boolean', 2, 'isTrue')).toThrow('which is not a boolean');
	});
});

describe('empty values', () => {
	test.each([undefined, null, '', '   ', [], {}])('%j is empty for every type', (value) => {
		for (const type of ['string', 'number', 'date', 'boolean'] as const) {
			expect(check(type, value, 'isEmpty')).toBe(true);
			expect(check(type, value, 'isNotEmpty')).toBe(false);
		}
	});

	test('non-empty values, including 0 and false', () => {
		expect(check('number', 0, 'isNotEmpty')).toBe(true);
		expect(check('boolean', false, 'isEmpty')).toBe(false);
		expect(check('string', 'x', 'isEmpty')).toBe(false);
	});

	test('an empty field fails other operators instead of erroring', () => {
		expect(check('number', undefined, 'gt', 0)).toBe(false);
		expect(check('number', '', 'lt', 0)).toBe(false);
		expect(check('string', null, 'notEquals', 'x')).toBe(false);
		expect(check('boolean', undefined, 'isFalse')).toBe(false);
	});
});

test('an operator the type does not have is a clear error', () => {
	expect(() => check('number', 5, 'contains', '5')).toThrow('Condition on field');
	expect(() => check('boolean', true, 'gt', false)).toThrow('an operator for the type boolean');
	expect(() => check('string', 'a', 'between', 'a', 'z')).toThrow(
		'an operator for the type string',
	);
});

describe('all / any and the reason', () => {
	const amount: Condition = {
		label: 'amount',
		value: '0',
		type: 'number',
		operator: 'gt',
		compareTo: '0',
	};
	const stage: Condition = {
		label: 'stage',
		value: 'Offer',
		type: 'string',
		operator: 'equals',
		compareTo: 'Offer',
	};

	test('all: the failed condition is named with the item value', () => {
		const e = evaluateConditions([stage, amount], 'all', o);
		expect(e.matched).toBe(false);
		expect(e.reason).toBe('condition not met: amount ("0") is greater than "0"');
		expect(e.results.map((r) => r.passed)).toEqual([true, false]);
	});

	test('all met', () => {
		const e = evaluateConditions([stage, { ...amount, value: 1500 }], 'all', o);
		expect(e.matched).toBe(true);
		expect(e.reason).toContain(
			'all conditions met: stage ("Offer") equals "Offer"; amount (1500) is greater than "0"',
		);
	});

	test('any: one is enough; none lists all', () => {
		expect(evaluateConditions([stage, amount], 'any', o).matched).toBe(true);
		const none = evaluateConditions([{ ...stage, value: 'Won' }, amount], 'any', o);
		expect(none.matched).toBe(false);
		expect(none.reason).toBe(
			'none of the conditions met: stage ("Won") equals "Offer"; amount ("0") is greater than "0"',
		);
	});

	test('no conditions: every item matches', () => {
		expect(evaluateConditions([], 'all', o)).toMatchObject({
			matched: true,
			reason: 'no conditions are set',
		});
	});

	test('a wrong type in any condition stops, even when another already failed', () => {
		expect(() =>
			evaluateConditions(
				[amount, { ...stage, type: 'date', operator: 'gt', compareTo: '2025-01-01' }],
				'all',
				o,
			),
		).toThrow('"stage" has the value "Offer", which is not a date');
	});
});
