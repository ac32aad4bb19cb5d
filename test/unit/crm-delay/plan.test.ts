// Per item (conditions before the time, reasons, fields kept) and per execution (the mixed-batch rules).
import { DateTime } from 'luxon';
import { decideBatch, mixedBatchError, planItem, type Planned } from '../../../nodes/CrmDelay/plan';

const now = DateTime.fromISO('2025-06-11T12:00:00', { zone: 'Europe/Moscow' });
const ctx = { now, zone: 'Europe/Moscow', outputField: 'crmDelay' };
const params = (p: Record<string, unknown>) => (name: string, fallback?: unknown) =>
	name in p ? p[name] : fallback;
const offerRule = {
	when: 'relative',
	amount: 2,
	unit: 'days',
	direction: 'after',
	dateSource: 'field',
	dateField: 'deal.stageDate',
	conditions: {
		conditions: [
			{
				source: 'field',
				field: 'deal.stage',
				type: 'string',
				stringOperator: 'equals',
				compareTo: 'Offer',
			},
			{
				source: 'field',
				field: 'deal.amount',
				type: 'number',
				numberOperator: 'gt',
				compareTo: '0',
			},
		],
	},
};
const deal = (
	stage: string,
	amount: unknown,
	stageDate: unknown = '2025-06-11T10:00:00+03:00',
) => ({
	json: { id: 7, deal: { stage, amount, stageDate } },
});

test('a matching item gets its due time, rule and reason; its own fields stay', () => {
	const p = planItem(deal('Offer', '1500'), 0, params(offerRule), ctx);
	expect(p.status).toBe('due');
	const r = p.item.json.crmDelay as Record<string, unknown>;
	expect(p.item.json.id).toBe(7);
	expect(r).toMatchObject({
		status: 'due',
		dueAt: '2025-06-13T10:00:00.000+03:00',
		timezone: 'Europe/Moscow',
	});
	expect(r.rule).toBe('2 days after deal.stageDate (2025-06-11 10:00 (Europe/Moscow))');
	expect(r.reason).toContain('all conditions met');
	expect(p.item.pairedItem).toEqual({ item: 0 });
});

test('a non-matching item is not scheduled (its date is not even read) and says which condition failed', () => {
	const p = planItem(deal('Offer', 0, 'not a date'), 3, params(offerRule), ctx);
	expect(p.status).toBe('notMatched');
	expect(p.item.json.crmDelay).toMatchObject({
		status: 'notMatched',
		dueAt: null,
		reason: 'condition not met: deal.amount (0) is greater than "0"',
	});
	expect(p.item.pairedItem).toEqual({ item: 3 });
});

test('a missing or wrong date field is a clear error naming the field', () => {
	let error: (Error & { hint?: string }) | undefined;
	try {
		planItem({ json: { deal: { stage: 'Offer', amount: 5 } } }, 0, params(offerRule), ctx);
	} catch (e) {
		error = e as Error;
	}
	expect(error?.message).toBe(
		'"deal.stageDate" has the value undefined (the field is missing), which is not a date',
	);
	expect(error?.hint).toContain('The item has no field "deal.stageDate"');
	expect(() => planItem(deal('Offer', 5, 'tomorrow'), 0, params(offerRule), ctx)).toThrow(
		'"deal.stageDate" has the value "tomorrow", which is not a date',
	);
});

test('a wrong-typed condition value is an error naming field, value and type', () => {
	expect(() => planItem(deal('Offer', 'a lot'), 0, params(offerRule), ctx)).toThrow(
		'"deal.amount" has the value "a lot", which is not a number',
	);
});

test('too late goes to Not Matched with status tooLate', () => {
	const p = planItem(
		deal('Offer', 5, '2025-06-01T10:00:00+03:00'),
		0,
		params({ ...offerRule, ifPast: 'tooLate' }),
		ctx,
	);
	expect(p.status).toBe('tooLate');
	expect(p.item.json.crmDelay).toMatchObject({
		status: 'tooLate',
		dueAt: '2025-06-03T10:00:00.000+03:00',
	});
});

test('a date given by expression, a sending window in another zone, a custom output field', () => {
	const p = planItem(
		{ json: { a: 1 } },
		0,
		params({
			when: 'atDate',
			dateSource: 'value',
			dateValue: '2025-06-14T12:00:00+03:00',
			useWindow: true,
			windowDays: [1, 2, 3, 4, 5],
			windowFrom: '09:00',
			windowTo: '17:00',
			windowTimezone: 'America/New_York',
		}),
		{ ...ctx, outputField: 'schedule' },
	);
	expect(p.status).toBe('due');
	expect((p.item.json.schedule as { dueAt: string }).dueAt).toBe('2025-06-16T16:00:00.000+03:00');
	expect((p.item.json.schedule as { reason: string }).reason).toContain(
		'next sending slot 2025-06-16 09:00 (America/New_York)',
	);
});

describe('the batch', () => {
	const at = (h: number) => now.plus({ hours: h });
	const due = (h: number, id = h): Planned => ({
		status: 'due',
		item: { json: { id, crmDelay: {} } },
		dueAt: at(h),
	});
	const notMatched = (id: number): Planned => ({ status: 'notMatched', item: { json: { id } } });

	test('nothing due: Not Matched leaves at once, no wait', () => {
		const d = decideBatch([notMatched(1), notMatched(2)], now, 'latest', 'crmDelay');
		expect(d.waitUntil).toBeUndefined();
		expect(d.notMatched.map((i) => i.json.id)).toEqual([1, 2]);
	});

	test('due now and not matched: both leave at once', () => {
		const d = decideBatch([due(0, 1), notMatched(2)], now, 'latest', 'crmDelay');
		expect(d.error).toBeUndefined();
		expect(d.waitUntil).toBeUndefined();
		expect(d.due.map((i) => i.json.id)).toEqual([1]);
		expect(d.notMatched.map((i) => i.json.id)).toEqual([2]);
	});

	test('different times, "Wait for the Latest": all wait for the latest, none leaves early', () => {
		const d = decideBatch([due(1), due(48), due(5)], now, 'latest', 'crmDelay');
		expect(+d.waitUntil!).toBe(+at(48));
		expect(d.due.map((i) => (i.json.crmDelay as { waitUntil: string }).waitUntil)).toEqual(
			Array(3).fill(at(48).toISO()),
		);
	});

	test('different times, "Stop With an Error"', () => {
		const d = decideBatch([due(1), due(48)], now, 'error', 'crmDelay');
		expect(d.error?.message).toContain('due at 2 different times');
		expect(d.error?.description).toContain('Run once for each item');
		expect(decideBatch([due(2, 1), due(2, 2)], now, 'error', 'crmDelay').error).toBeUndefined();
	});

	test('a batch that must wait and holds Not Matched items: those leave now, the due ones wait; no item in both', () => {
		const d = decideBatch([due(48, 1), notMatched(2), due(5, 3)], now, 'latest', 'crmDelay');
		expect(d.error).toBeUndefined();
		expect(+d.waitUntil!).toBe(+at(48));
		expect(d.due.map((i) => i.json.id)).toEqual([1, 3]);
		expect(d.notMatched.map((i) => i.json.id)).toEqual([2]);
	});

	test('the error for the legacy execution order names the fix', () => {
		const e = mixedBatchError(1, 2, at(48));
		expect(e.message).toContain('1 of 2 items do not meet the conditions');
		expect(e.description).toContain('Execution Order to "v1 (recommended)"');
	});
});
