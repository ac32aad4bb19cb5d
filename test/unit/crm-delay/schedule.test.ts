// The schedule calculator: every rule and unit, before / after, DST in three zones, month ends,
// sending windows, past times.
import { DateTime } from 'luxon';
import {
	nextOpenSlot,
	planTime,
	readAmount,
	scheduledTime,
	type SendingWindow,
	type When,
} from '../../../nodes/CrmDelay/schedule';
import { parseDate, ValueTypeError } from '../../../nodes/shared/dates';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone });
const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true });
const hoursBetween = (a: DateTime, b: DateTime) => (b.toMillis() - a.toMillis()) / 3_600_000;
const relative = (
	date: DateTime,
	amount: unknown,
	unit: 'minutes' | 'hours' | 'days' | 'weeks' | 'months',
	direction: 'before' | 'after' = 'after',
): When => ({
	mode: 'relative',
	amount,
	unit,
	direction,
	date,
	label: 'deal.stageDate',
});

describe('rules and units', () => {
	const now = at('2025-06-10T12:00:00', 'Europe/Prague');

	test('immediately is now', () => {
		expect(+scheduledTime({ mode: 'immediately' }, now, 'Europe/Prague')).toBe(+now);
	});

	test.each([
		[30, 'minutes', '2025-06-10T12:30:00+02:00'],
		[1.5, 'minutes', '2025-06-10T12:01:30+02:00'],
		[3, 'hours', '2025-06-10T15:00:00+02:00'],
		[2, 'days', '2025-06-12T12:00:00+02:00'],
		[2, 'weeks', '2025-06-24T12:00:00+02:00'],
		[1, 'months', '2025-07-10T12:00:00+02:00'],
		[0, 'days', '2025-06-10T12:00:00+02:00'],
		['2880', 'minutes', '2025-06-12T12:00:00+02:00'],
	] as const)('after %s %s from now', (amount, unit, expected) => {
		expect(iso(scheduledTime({ mode: 'afterNow', amount, unit }, now, 'Europe/Prague'))).toBe(
			expected,
		);
	});

	const stage = at('2025-06-10T09:15:00', 'Europe/Prague');
	test.each([
		[45, 'minutes', 'after', '2025-06-10T10:00:00+02:00'],
		[45, 'minutes', 'before', '2025-06-10T08:30:00+02:00'],
		[2, 'hours', 'after', '2025-06-10T11:15:00+02:00'],
		[2, 'hours', 'before', '2025-06-10T07:15:00+02:00'],
		[2, 'days', 'after', '2025-06-12T09:15:00+02:00'],
		[2, 'days', 'before', '2025-06-08T09:15:00+02:00'],
		[1, 'weeks', 'after', '2025-06-17T09:15:00+02:00'],
		[1, 'weeks', 'before', '2025-06-03T09:15:00+02:00'],
	] as const)('%s %s %s a date field', (amount, unit, direction, expected) => {
		expect(iso(scheduledTime(relative(stage, amount, unit, direction), now, 'Europe/Prague'))).toBe(
			expected,
		);
	});

	test('at the date in a field, shown in the schedule zone', () => {
		const date = parseDate('2025-07-01T08:00:00Z', 'Europe/Moscow')!;
		expect(
			iso(scheduledTime({ mode: 'atDate', date, label: 'meeting' }, now, 'Europe/Moscow')),
		).toBe('2025-07-01T11:00:00+03:00');
	});

	test('a date field without an offset is read in the zone', () => {
		expect(iso(parseDate('2025-07-01 10:00', 'America/New_York')!)).toBe(
			'2025-07-01T10:00:00-04:00',
		);
		expect(iso(parseDate('01.07.2025 10:00', 'Europe/Moscow')!)).toBe('2025-07-01T10:00:00+03:00');
		expect(iso(parseDate(1751356800, 'UTC')!)).toBe('2025-07-01T08:00:00Z');
		expect(iso(parseDate(1751356800000, 'UTC')!)).toBe('2025-07-01T08:00:00Z');
		expect(parseDate('next tuesday', 'UTC')).toBeUndefined();
	});

	test('wrong amounts are clear errors', () => {
		expect(() => readAmount(-1, 'days')).toThrow(
			'"Amount" has the value -1, which is not zero or more',
		);
		expect(() => readAmount('two', 'days')).toThrow(
			'"Amount" has the value "two", which is not a number',
		);
		expect(() => readAmount(1.5, 'days')).toThrow('not a whole number of days');
		expect(readAmount('1,5', 'hours')).toBe(1.5);
		try {
			readAmount(-1, 'days');
		} catch (e) {
			expect((e as ValueTypeError).hint).toContain('"Before"');
		}
	});
});

describe('daylight saving time', () => {
	test('Europe/Prague spring forward: days keep the wall clock (47 h), hours are elapsed time', () => {
		const sat = at('2025-03-29T10:00:00', 'Europe/Prague');
		const twoDays = scheduledTime(relative(sat, 2, 'days'), sat, 'Europe/Prague');
		expect(iso(twoDays)).toBe('2025-03-31T10:00:00+02:00');
		expect(hoursBetween(sat, twoDays)).toBe(47);
		const hours = scheduledTime(relative(sat, 48, 'hours'), sat, 'Europe/Prague');
		expect(iso(hours)).toBe('2025-03-31T11:00:00+02:00');
	});

	test('Europe/Prague fall back: 1 day is 25 hours', () => {
		const sat = at('2025-10-25T10:00:00', 'Europe/Prague');
		const d = scheduledTime(relative(sat, 1, 'days'), sat, 'Europe/Prague');
		expect(iso(d)).toBe('2025-10-26T10:00:00+01:00');
		expect(hoursBetween(sat, d)).toBe(25);
	});

	test('a wall-clock time that does not exist moves forward by the gap (Prague 02:30 on Mar 30)', () => {
		const before = at('2025-03-29T02:30:00', 'Europe/Prague');
		expect(iso(scheduledTime(relative(before, 1, 'days'), before, 'Europe/Prague'))).toBe(
			'2025-03-30T03:30:00+02:00',
		);
	});

	test('America/New_York: days before and after the March and November changes', () => {
		const mon = at('2025-03-10T09:00:00', 'America/New_York');
		const back = scheduledTime(relative(mon, 2, 'days', 'before'), mon, 'America/New_York');
		expect(iso(back)).toBe('2025-03-08T09:00:00-05:00');
		expect(hoursBetween(back, mon)).toBe(47);
		const fri = at('2025-10-31T18:00:00', 'America/New_York');
		const week = scheduledTime(relative(fri, 1, 'weeks'), fri, 'America/New_York');
		expect(iso(week)).toBe('2025-11-07T18:00:00-05:00');
		expect(hoursBetween(fri, week)).toBe(169);
	});

	test('Europe/Moscow has no DST since 2014: 2 days are always 48 hours', () => {
		for (const start of ['2025-03-29T10:00:00', '2025-10-25T10:00:00']) {
			const d = at(start, 'Europe/Moscow');
			const later = scheduledTime(relative(d, 2, 'days'), d, 'Europe/Moscow');
			expect(later.offset).toBe(180);
			expect(hoursBetween(d, later)).toBe(48);
		}
		// The last change, 2014-10-26 (UTC+4 -> UTC+3), is still honoured for old dates.
		const old = at('2014-10-25T10:00:00', 'Europe/Moscow');
		const next = scheduledTime(relative(old, 1, 'days'), old, 'Europe/Moscow');
		expect(iso(next)).toBe('2014-10-26T10:00:00+03:00');
		expect(hoursBetween(old, next)).toBe(25);
	});

	test('the same instant gives different calendar results in different zones', () => {
		const instant = parseDate('2025-03-29T09:00:00Z', 'UTC')!;
		const prague = scheduledTime(relative(instant, 2, 'days'), instant, 'Europe/Prague');
		const moscow = scheduledTime(relative(instant, 2, 'days'), instant, 'Europe/Moscow');
		expect(hoursBetween(instant, prague)).toBe(47);
		expect(hoursBetween(instant, moscow)).toBe(48);
	});
});

describe('month ends', () => {
	test.each([
		['2025-01-31T10:00:00', 1, 'after', '2025-02-28T10:00:00+01:00'],
		['2024-01-31T10:00:00', 1, 'after', '2024-02-29T10:00:00+01:00'],
		['2025-03-31T10:00:00', 1, 'before', '2025-02-28T10:00:00+01:00'],
		['2025-01-31T10:00:00', 2, 'after', '2025-03-31T10:00:00+02:00'],
		['2025-12-31T23:30:00', 1, 'after', '2026-01-31T23:30:00+01:00'],
	] as const)('%s %s month(s) %s', (start, amount, direction, expected) => {
		const d = at(start, 'Europe/Prague');
		expect(iso(scheduledTime(relative(d, amount, 'months', direction), d, 'Europe/Prague'))).toBe(
			expected,
		);
	});

	test('days across a month end and a leap day', () => {
		const d = at('2024-02-28T10:00:00', 'Europe/Moscow');
		expect(iso(scheduledTime(relative(d, 1, 'days'), d, 'Europe/Moscow'))).toBe(
			'2024-02-29T10:00:00+03:00',
		);
		expect(iso(scheduledTime(relative(d, 2, 'days'), d, 'Europe/Moscow'))).toBe(
			'2024-03-01T10:00:00+03:00',
		);
	});
});

describe('sending windows', () => {
	const office: SendingWindow = {
		weekdays: [1, 2, 3, 4, 5],
		from: '09:00',
		to: '18:00',
		zone: 'Europe/Moscow',
	};
	const slot = (isoTime: string, w: SendingWindow, zone = 'Europe/Moscow') =>
		iso(nextOpenSlot(at(isoTime, zone), w));

	test('inside the window the time stays', () => {
		expect(slot('2025-06-11T10:30:00', office)).toBe('2025-06-11T10:30:00+03:00');
		expect(slot('2025-06-11T09:00:00', office)).toBe('2025-06-11T09:00:00+03:00');
	});

	test('after hours moves to the next morning, the end is exclusive', () => {
		expect(slot('2025-06-11T19:00:00', office)).toBe('2025-06-12T09:00:00+03:00');
		expect(slot('2025-06-11T18:00:00', office)).toBe('2025-06-12T09:00:00+03:00');
		expect(slot('2025-06-11T07:00:00', office)).toBe('2025-06-11T09:00:00+03:00');
	});

	test('weekends are skipped: Friday evening and Saturday go to Monday 09:00', () => {
		expect(slot('2025-06-13T20:00:00', office)).toBe('2025-06-16T09:00:00+03:00');
		expect(slot('2025-06-14T10:00:00', office)).toBe('2025-06-16T09:00:00+03:00');
	});

	test('a window in another zone: New York office hours for a time computed in Moscow', () => {
		const ny: SendingWindow = {
			weekdays: [1, 2, 3, 4, 5],
			from: '09:00',
			to: '17:00',
			zone: 'America/New_York',
		};
		// Wed 12:00 Moscow = Wed 05:00 New York -> Wed 09:00 New York = Wed 16:00 Moscow
		expect(slot('2025-06-11T12:00:00', ny)).toBe('2025-06-11T16:00:00+03:00');
		// Wed 23:30 Moscow = Wed 16:30 New York: inside
		expect(slot('2025-06-11T23:30:00', ny)).toBe('2025-06-11T23:30:00+03:00');
	});

	test('a window across midnight and a window on a DST day', () => {
		const night: SendingWindow = {
			weekdays: [1, 2, 3, 4, 5, 6, 7],
			from: '22:00',
			to: '06:00',
			zone: 'Europe/Prague',
		};
		expect(slot('2025-06-11T03:00:00', night, 'Europe/Prague')).toBe('2025-06-11T03:00:00+02:00');
		expect(slot('2025-06-11T12:00:00', night, 'Europe/Prague')).toBe('2025-06-11T22:00:00+02:00');
		const early: SendingWindow = {
			weekdays: [7],
			from: '02:30',
			to: '04:00',
			zone: 'Europe/Prague',
		};
		expect(slot('2025-03-30T00:00:00', early, 'Europe/Prague')).toBe('2025-03-30T03:30:00+02:00');
	});

	test('bad windows are clear errors', () => {
		expect(() =>
			nextOpenSlot(at('2025-06-11T10:00:00', 'UTC'), { ...office, weekdays: [] }),
		).toThrow('at least one weekday');
		expect(() =>
			nextOpenSlot(at('2025-06-11T10:00:00', 'UTC'), { ...office, from: '9am' }),
		).toThrow('HH:mm');
		expect(() =>
			nextOpenSlot(at('2025-06-11T10:00:00', 'UTC'), { ...office, to: '09:00' }),
		).toThrow('different from "From"');
	});

	test('planTime applies the window to the rule result and explains it', () => {
		const now = at('2025-06-13T15:00:00', 'Europe/Moscow');
		const plan = planTime({
			when: { mode: 'afterNow', amount: 4, unit: 'hours' },
			now,
			zone: 'Europe/Moscow',
			window: office,
			ifPast: 'runNow',
		});
		expect(plan.status).toBe('due');
		expect(iso(plan.scheduledFor)).toBe('2025-06-13T19:00:00+03:00');
		expect(iso(plan.dueAt)).toBe('2025-06-16T09:00:00+03:00');
		expect(plan.notes.join()).toContain('next sending slot 2025-06-16 09:00');
	});
});

describe('times already past', () => {
	const now = at('2025-06-11T12:00:00', 'Europe/Moscow');
	const old = at('2025-06-01T10:00:00', 'Europe/Moscow');

	test('run now', () => {
		const plan = planTime({
			when: relative(old, 2, 'days'),
			now,
			zone: 'Europe/Moscow',
			ifPast: 'runNow',
		});
		expect(plan.status).toBe('due');
		expect(+plan.dueAt).toBe(+now);
		expect(iso(plan.scheduledFor)).toBe('2025-06-03T10:00:00+03:00');
		expect(plan.notes.join()).toContain('already past, so it runs now');
	});

	test('run now, but inside the sending window', () => {
		const saturday = at('2025-06-14T12:00:00', 'Europe/Moscow');
		const w: SendingWindow = {
			weekdays: [1, 2, 3, 4, 5],
			from: '09:00',
			to: '18:00',
			zone: 'Europe/Moscow',
		};
		const plan = planTime({
			when: { mode: 'atDate', date: old, label: 'd' },
			now: saturday,
			zone: 'Europe/Moscow',
			window: w,
			ifPast: 'runNow',
		});
		expect(iso(plan.dueAt)).toBe('2025-06-16T09:00:00+03:00');
	});

	test('too late', () => {
		const plan = planTime({
			when: { mode: 'atDate', date: old, label: 'd' },
			now,
			zone: 'Europe/Moscow',
			ifPast: 'tooLate',
		});
		expect(plan.status).toBe('tooLate');
		expect(plan.notes.join()).toContain('too late');
	});

	test('a past time the window moves into the future is not late', () => {
		const sunday = at('2025-06-15T12:00:00', 'Europe/Moscow');
		const saturdayMorning = at('2025-06-14T10:00:00', 'Europe/Moscow');
		const w: SendingWindow = {
			weekdays: [1, 2, 3, 4, 5],
			from: '09:00',
			to: '18:00',
			zone: 'Europe/Moscow',
		};
		const plan = planTime({
			when: { mode: 'atDate', date: saturdayMorning, label: 'd' },
			now: sunday,
			zone: 'Europe/Moscow',
			window: w,
			ifPast: 'tooLate',
		});
		expect(plan.status).toBe('due');
		expect(iso(plan.dueAt)).toBe('2025-06-16T09:00:00+03:00');
	});

	test('a time before a date that is close may be past: 2 days before a meeting tomorrow', () => {
		const meeting = at('2025-06-12T10:00:00', 'Europe/Moscow');
		expect(
			planTime({
				when: relative(meeting, 2, 'days', 'before'),
				now,
				zone: 'Europe/Moscow',
				ifPast: 'tooLate',
			}).status,
		).toBe('tooLate');
		expect(
			planTime({
				when: relative(meeting, 2, 'hours', 'before'),
				now,
				zone: 'Europe/Moscow',
				ifPast: 'tooLate',
			}).status,
		).toBe('due');
	});
});
