// Per item: conditions first, then the time; per execution: which items leave where and how long to
// wait. No n8n imports (parameters come through a reader function); tested directly.
import type { DateTime } from 'luxon';
import {
	evaluateConditions,
	OPERATORS,
	VALUE_TYPES,
	type Condition,
	type Operator,
	type ValueType,
} from './conditions';
import { assertZone, requireDate, ValueTypeError } from '../shared/dates';
import { readPath } from '../shared/itemPath';
import { planTime, UNITS, type IfPast, type SendingWindow, type Unit, type When } from './schedule';

/** n8n's Wait node waits in-process below this and puts the execution to wait above it. */
export const IN_PROCESS_LIMIT_MS = 65_000;

export interface Item {
	json: Record<string, unknown>;
	binary?: unknown;
	pairedItem?: unknown;
}

/** Reads a node parameter for the current item (n8n's getNodeParameter, bound to the item). */
export type ReadParameter = (name: string, fallback?: unknown) => unknown;

export interface ItemContext {
	now: DateTime;
	zone: string;
	outputField: string;
}

export type Planned =
	| { status: 'due'; item: Item; dueAt: DateTime }
	| { status: 'notMatched' | 'tooLate' | 'error'; item: Item };

interface RawCondition {
	source?: string;
	field?: string;
	value?: unknown;
	type?: string;
	compareTo?: unknown;
	compareTo2?: unknown;
	[operator: string]: unknown;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw new ValueTypeError(what, value, `one of: ${allowed.join(', ')}`);
}

export function readConditions(raw: RawCondition[], json: unknown): Condition[] {
	return raw.map((c, n) => {
		const type = oneOf<ValueType>(c.type ?? 'string', VALUE_TYPES, `Condition ${n + 1} type`);
		const byField = (c.source ?? 'field') === 'field';
		const field = String(c.field ?? '').trim();
		if (byField && !field)
			throw new ValueTypeError(
				`Condition ${n + 1}`,
				'',
				'a field name',
				'Enter the name of the field to check, e.g. amount',
			);
		const defaults: Record<ValueType, Operator> = {
			string: 'equals',
			number: 'gt',
			date: 'equals',
			boolean: 'isTrue',
		};
		return {
			label: byField ? field : `value of condition ${n + 1}`,
			value: byField ? readPath(json, field) : c.value,
			type,
			operator: oneOf<Operator>(
				c[`${type}Operator`] ?? defaults[type],
				OPERATORS,
				`Condition ${n + 1} operator`,
			),
			compareTo: c.compareTo,
			compareTo2: c.compareTo2,
		};
	});
}

function readWhen(read: ReadParameter, json: unknown, zone: string): When {
	const mode = oneOf(
		read('when', 'afterNow'),
		['immediately', 'afterNow', 'relative', 'atDate'] as const,
		'When',
	);
	if (mode === 'immediately') return { mode };
	const unit = mode === 'atDate' ? 'days' : oneOf<Unit>(read('unit', 'days'), UNITS, 'Unit');
	if (mode === 'afterNow') return { mode, amount: read('amount', 0), unit };
	const byField = read('dateSource', 'field') === 'field';
	const field = byField ? String(read('dateField', '')).trim() : '';
	if (byField && !field)
		throw new ValueTypeError(
			'Date Field',
			'',
			"the name of the item's date field",
			'Enter the field, e.g. stage_changed_at',
		);
	const label = byField ? field : 'the date';
	const raw = byField ? readPath(json, field) : read('dateValue', '');
	if (raw === undefined || raw === null || raw === '') {
		throw new ValueTypeError(
			label,
			raw,
			'a date',
			byField
				? `The item has no field "${field}"; check its name (a dot for nested fields)`
				: 'The date expression gave nothing',
		);
	}
	const date = requireDate(raw, label, zone);
	if (mode === 'atDate') return { mode, date, label };
	return {
		mode,
		amount: read('amount', 0),
		unit,
		direction: read('direction', 'after') === 'before' ? 'before' : 'after',
		date,
		label,
	};
}

function readWindow(read: ReadParameter, zone: string): SendingWindow | undefined {
	if (read('useWindow', false) !== true) return undefined;
	const windowZone = String(read('windowTimezone', '') || zone).trim();
	return {
		weekdays: (read('windowDays', [1, 2, 3, 4, 5]) as unknown[]).map(Number),
		from: String(read('windowFrom', '09:00')),
		to: String(read('windowTo', '18:00')),
		zone: assertZone(windowZone, 'Sending Hours Time Zone'),
	};
}

/** Conditions first (a non-matching item is never scheduled), then the time. Throws ValueTypeError. */
export function planItem(
	item: Item,
	index: number,
	read: ReadParameter,
	ctx: ItemContext,
): Planned {
	const { now, zone, outputField } = ctx;
	const options = (read('options', {}) ?? {}) as Record<string, unknown>;
	const raw = ((read('conditions', {}) as { conditions?: RawCondition[] })?.conditions ??
		[]) as RawCondition[];
	const combine = read('combine', 'all') === 'any' ? 'any' : 'all';
	const evaluation = evaluateConditions(readConditions(raw, item.json), combine, {
		ignoreCase: options.ignoreCase !== false,
		zone,
	});
	const conditions = evaluation.results.map((r) => ({ condition: r.text, met: r.passed }));
	const out = (fields: Record<string, unknown>): Item => ({
		json: { ...item.json, [outputField]: { ...fields, timezone: zone, conditions } },
		...(item.binary ? { binary: item.binary } : {}),
		pairedItem: { item: index },
	});
	if (!evaluation.matched) {
		return {
			status: 'notMatched',
			item: out({ status: 'notMatched', dueAt: null, reason: evaluation.reason }),
		};
	}
	const plan = planTime({
		when: readWhen(read, item.json, zone),
		now,
		zone,
		window: readWindow(read, zone),
		ifPast: oneOf<IfPast>(
			read('ifPast', 'runNow'),
			['runNow', 'tooLate'] as const,
			'If the Time Is Already Past',
		),
	});
	const reason = [plan.rule, ...plan.notes, evaluation.reason].join('; ');
	const fields = {
		dueAt: plan.dueAt.toISO(),
		scheduledFor: plan.scheduledFor.toISO(),
		rule: plan.rule,
		reason,
	};
	if (plan.status === 'tooLate')
		return { status: 'tooLate', item: out({ status: 'tooLate', ...fields }) };
	return { status: 'due', item: out({ status: 'due', ...fields }), dueAt: plan.dueAt };
}

export interface BatchDecision {
	due: Item[];
	notMatched: Item[];
	/** set when the due items must wait; they leave together at this time */
	waitUntil?: DateTime;
	error?: { message: string; description: string };
}

const PER_RECORD =
	'Start one execution per record: a CRM webhook already does; for a list of records put an "Execute Workflow" node ' +
	'(Mode: Run once for each item, Wait for Sub-Workflow Completion: off) before a sub-workflow that starts with CRM Delay.';

/**
 * Where the items of one execution go. One execution can wait only once, so due items leave together
 * at the latest due time (or the option stops with an error). "Not Matched" items never wait: when the
 * due ones must, the node lets them out before the wait (see heldRun.ts).
 */
export function decideBatch(
	planned: Planned[],
	now: DateTime,
	differentTimes: 'latest' | 'error',
	outputField: string,
): BatchDecision {
	const dueOnes = planned.filter(
		(p): p is Extract<Planned, { status: 'due' }> => p.status === 'due',
	);
	const notMatched = planned.filter((p) => p.status !== 'due').map((p) => p.item);
	if (!dueOnes.length) return { due: [], notMatched };
	const times = [...new Set(dueOnes.map((p) => p.dueAt.toMillis()))].sort((a, b) => a - b);
	const latest = dueOnes.find((p) => p.dueAt.toMillis() === times[times.length - 1])!.dueAt;
	if (times.length > 1 && differentTimes === 'error') {
		return {
			due: [],
			notMatched: [],
			error: {
				message: `The ${dueOnes.length} items of this execution are due at ${times.length} different times (${dueOnes[0].dueAt.toISO()} ... ${latest.toISO()}), and "Items Due at Different Times" is set to stop`,
				description: `${PER_RECORD} Or set Options > Items Due at Different Times to "Wait for the Latest".`,
			},
		};
	}
	const mustWait = latest.toMillis() > now.toMillis();
	const due = dueOnes.map((p) => ({
		...p.item,
		json: {
			...p.item.json,
			[outputField]: {
				...(p.item.json[outputField] as object),
				waitUntil: mustWait ? latest.toISO() : null,
			},
		},
	}));
	return { due, notMatched, ...(mustWait ? { waitUntil: latest } : {}) };
}

/** The error for a batch with "Not Matched" items that must wait, where they can't leave first. */
export function mixedBatchError(
	notMatched: number,
	total: number,
	waitUntil: DateTime,
): { message: string; description: string } {
	return {
		message: `${notMatched} of ${total} items do not meet the conditions (or are too late) while the others must wait until ${waitUntil.toISO()}, and this workflow runs its nodes in the legacy order, in which a waiting execution cannot let items leave on "Not Matched" before its wait ends`,
		description: `Set Workflow Settings > Execution Order to "v1 (recommended)". Or: ${PER_RECORD} Or filter the items before CRM Delay.`,
	};
}
