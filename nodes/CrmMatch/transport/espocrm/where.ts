// Small helpers for EspoCRM `where` items.
import type { Attrs, Where } from './client';
import { WHERE_URL_BUDGET, whereCost } from './client';

/** At most this many values per `in` item, so that one item's results mostly fit one page of 200. */
export const IN_VALUES = 150;

/** `{ type: 'in', attribute, value: [...] }` items, each small enough for one GET (see WHERE_URL_BUDGET). */
export function inClauses(attribute: string, values: string[]): Where[] {
	const unique = [...new Set(values)];
	const out: Where[] = [];
	let current: string[] = [];
	let used = 0;
	const base = whereCost({ type: 'in', attribute, value: [] }) + 200; // room for the enclosing or / fixed items
	for (const v of unique) {
		const cost = encodeURIComponent(JSON.stringify(v)).length + 3;
		if (current.length && (current.length >= IN_VALUES || base + used + cost > WHERE_URL_BUDGET)) {
			out.push({ type: 'in', attribute, value: current });
			current = [];
			used = 0;
		}
		current.push(v);
		used += cost;
	}
	if (current.length) out.push({ type: 'in', attribute, value: current });
	return out;
}

/** The oldest record (createdAt, then id): the winner when parallel runs created the same thing. */
export function oldest(list: Attrs[]): Attrs {
	return list.reduce((a, b) => {
		const ca = String(a.createdAt ?? '');
		const cb = String(b.createdAt ?? '');
		return cb < ca || (cb === ca && b.id < a.id) ? b : a;
	}, list[0]);
}

/** A value for a `like` item taken literally: `%` and `_` escaped (MySQL's default escape, backslash). */
export function likeLiteral(value: string): string {
	return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
