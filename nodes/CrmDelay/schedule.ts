// The schedule calculator: when an item is due. No n8n imports; tested directly.
//
// Time semantics (documented in the README):
// - minutes and hours are elapsed time: "3 hours after" is always 3 * 60 minutes later, also across a
//   daylight-saving change;
// - days, weeks and months are calendar steps in the time zone: "2 days after Sat 10:00" is Mon 10:00
//   wall-clock time even when a DST change lies between (47 or 49 hours). A wall-clock time that does not
//   exist (spring forward) moves forward by the gap, as luxon does;
// - months clamp to the month's end: Jan 31 + 1 month = Feb 28 (Feb 29 in a leap year).
import type { DateTime } from 'luxon';
import { describeTime, ValueTypeError } from '../shared/dates';

export const UNITS = ['minutes', 'hours', 'days', 'weeks', 'months'] as const;
export type Unit = (typeof UNITS)[number];

export type When =
	| { mode: 'immediately' }
	| { mode: 'afterNow'; amount: unknown; unit: Unit }
	| {
			mode: 'relative';
			amount: unknown;
			unit: Unit;
			direction: 'before' | 'after';
			date: DateTime;
			label: string;
	  }
	| { mode: 'atDate'; date: DateTime; label: string };

export interface SendingWindow {
	/** ISO weekdays: 1 = Monday ... 7 = Sunday */
	weekdays: number[];
	/** "HH:mm" wall-clock time in `zone`; `to` may be "24:00"; `to` before `from` spans midnight */
	from: string;
	to: string;
	zone: string;
}

export type IfPast = 'runNow' | 'tooLate';

export interface PlanInput {
	when: When;
	now: DateTime;
	/** zone of the calendar arithmetic (days / weeks / months) */
	zone: string;
	window?: SendingWindow;
	ifPast: IfPast;
}

export interface Plan {
	status: 'due' | 'tooLate';
	/** when the item may leave (never before now when status is 'due') */
	dueAt: DateTime;
	/** the time the rule gives, before the sending window and the past check */
	scheduledFor: DateTime;
	/** the rule in words: "2 days after deal.stageDate (2025-03-28 10:00 (Europe/Prague))" */
	rule: string;
	/** what happened to the time: window moves, past handling */
	notes: string[];
}

/** Reads the amount: a number or numeric string, not negative; whole for days / weeks / months. */
export function readAmount(value: unknown, unit: Unit): number {
	const n =
		typeof value === 'string' && value.trim() !== ''
			? Number(value.trim().replace(',', '.'))
			: value;
	if (typeof n !== 'number' || !Number.isFinite(n)) {
		throw new ValueTypeError(
			'Amount',
			value,
			'a number',
			'Enter how many minutes / hours / days, e.g. 2',
		);
	}
	if (n < 0) {
		throw new ValueTypeError(
			'Amount',
			value,
			'zero or more',
			'For a time before a date choose "Before" instead of a negative amount',
		);
	}
	if (!['minutes', 'hours'].includes(unit) && !Number.isInteger(n)) {
		throw new ValueTypeError(
			'Amount',
			value,
			`a whole number of ${unit}`,
			'Use hours or minutes for fractions, e.g. 36 hours instead of 1.5 days',
		);
	}
	return n;
}

export function shift(base: DateTime, amount: number, unit: Unit, sign: 1 | -1): DateTime {
	if (unit === 'minutes' || unit === 'hours') {
		// Elapsed time, independent of the zone's wall clock.
		const ms = amount * (unit === 'minutes' ? 60_000 : 3_600_000);
		return base.plus({ milliseconds: sign * Math.round(ms) });
	}
	return base.plus({ [unit]: sign * amount });
}

function parseClock(value: string, what: string): number {
	const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
	const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
	if (!m || Number(m[2]) > 59 || minutes > 24 * 60) {
		throw new ValueTypeError(what, value, 'a time of day as HH:mm (00:00 to 24:00)');
	}
	return minutes;
}

function atClock(day: DateTime, minutes: number): DateTime {
	return day
		.startOf('day')
		.plus({ days: Math.floor(minutes / 1440) })
		.set({ hour: Math.floor((minutes % 1440) / 60), minute: minutes % 60 });
}

export function validateWindow(window: SendingWindow): void {
	if (!window.weekdays.length) throw new ValueTypeError('Sending Days', [], 'at least one weekday');
	for (const d of window.weekdays) {
		if (!Number.isInteger(d) || d < 1 || d > 7)
			throw new ValueTypeError('Sending Days', d, 'a weekday from 1 (Monday) to 7 (Sunday)');
	}
	if (
		parseClock(window.from, 'Sending Window From') === parseClock(window.to, 'Sending Window To')
	) {
		throw new ValueTypeError(
			'Sending Window To',
			window.to,
			'different from "From"',
			'For the whole day use 00:00 to 24:00',
		);
	}
}

/** The first moment at or after `t` inside the sending window (returned in `t`'s zone). */
export function nextOpenSlot(t: DateTime, window: SendingWindow): DateTime {
	validateWindow(window);
	const from = parseClock(window.from, 'Sending Window From');
	let to = parseClock(window.to, 'Sending Window To');
	if (to <= from) to += 1440; // spans midnight: the slot belongs to the day it starts on
	const local = t.setZone(window.zone);
	// Day -1 catches an overnight slot that started yesterday; 8 days cover any weekday set.
	for (let d = -1; d <= 8; d++) {
		const day = local.startOf('day').plus({ days: d });
		if (!window.weekdays.includes(day.weekday)) continue;
		const start = atClock(day, from);
		const end = atClock(day, to);
		if (local < start) return start.setZone(t.zone);
		if (local < end) return t;
	}
	throw new Error('No open slot in the sending window'); // unreachable with a valid window
}

export function describeWhen(when: When): string {
	switch (when.mode) {
		case 'immediately':
			return 'immediately';
		case 'afterNow':
			return `${String(when.amount)} ${when.unit} after the item arrived`;
		case 'relative':
			return `${String(when.amount)} ${when.unit} ${when.direction} ${when.label} (${describeTime(when.date)})`;
		case 'atDate':
			return `at ${when.label} (${describeTime(when.date)})`;
	}
}

/** The time the rule gives, before the window and the past check. */
export function scheduledTime(when: When, now: DateTime, zone: string): DateTime {
	const localNow = now.setZone(zone);
	switch (when.mode) {
		case 'immediately':
			return localNow;
		case 'afterNow':
			return shift(localNow, readAmount(when.amount, when.unit), when.unit, 1);
		case 'relative':
			return shift(
				when.date.setZone(zone),
				readAmount(when.amount, when.unit),
				when.unit,
				when.direction === 'before' ? -1 : 1,
			);
		case 'atDate':
			return when.date.setZone(zone);
	}
}

/**
 * When the item is due. The sending window applies first (a time in the past that the window moves
 * into the future is not late); a time still in the past then runs now (moved into the window again)
 * or is "too late".
 */
export function planTime(input: PlanInput): Plan {
	const { when, window, ifPast } = input;
	const now = input.now.setZone(input.zone);
	const scheduledFor = scheduledTime(when, now, input.zone);
	const rule = describeWhen(when);
	const notes: string[] = [];
	let dueAt = scheduledFor;
	if (window) {
		const moved = nextOpenSlot(dueAt, window);
		if (+moved !== +dueAt)
			notes.push(
				`moved from ${describeTime(dueAt)} to the next sending slot ${describeTime(moved.setZone(window.zone))}`,
			);
		dueAt = moved;
	}
	if (dueAt < now) {
		if (ifPast === 'tooLate') {
			notes.push(
				`${describeTime(dueAt)} is already past and "If the Time Is Past" is set to treat it as too late`,
			);
			return { status: 'tooLate', dueAt, scheduledFor, rule, notes };
		}
		notes.push(`${describeTime(dueAt)} is already past, so it runs now`);
		dueAt = window ? nextOpenSlot(now, window) : now;
		if (+dueAt !== +now)
			notes.push(
				`now is outside the sending window: waits for ${describeTime(dueAt.setZone(window!.zone))}`,
			);
	}
	return { status: 'due', dueAt, scheduledFor, rule, notes };
}
