// PHP's reading of bracket keys (`fields[EMAIL][0][VALUE]=a@b.c`), as Bitrix24 reads form bodies, query
// strings and the queries of `batch` commands; and the CRM list filter of the legacy crm.*.list methods
// (apidocs.bitrix24.com: crm-contact-list, "Filter"): key prefixes `=`, `!`, `!=`, `@` (in), `!@`, `>`,
// `>=`, `<`, `<=`, `%` (substring); an array value is "any of"; multi-fields (EMAIL, WEB) match exactly.
export type Fields = Record<string, unknown>;

/** `a[b][0]=c&a[b][1]=d` -> `{ a: { b: { 0: 'c', 1: 'd' } } }` (lists become arrays). */
export function parsePhp(query: string): Fields {
	const out: Fields = {};
	for (const [rawKey, value] of new URLSearchParams(query)) {
		const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
		if (!m) continue;
		const path = [m[1], ...[...m[2].matchAll(/\[([^\]]*)\]/g)].map((x) => x[1])];
		let node: Record<string, unknown> = out;
		path.forEach((k, i) => {
			let key = k;
			if (key === '') key = String(Object.keys(node).length);
			if (i === path.length - 1) node[key] = value;
			else node = (node[key] ??= {}) as Record<string, unknown>;
		});
	}
	return arrays(out) as Fields;
}

/** Objects keyed 0..n-1 become arrays, as PHP's arrays serialize to JSON. */
function arrays(v: unknown): unknown {
	if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
	const o = v as Record<string, unknown>;
	const keys = Object.keys(o);
	const fixed = Object.fromEntries(keys.map((k) => [k, arrays(o[k])]));
	return keys.length && keys.every((k, i) => k === String(i)) ? keys.map((k) => fixed[k]) : fixed;
}

const MULTI = new Set(['EMAIL', 'WEB', 'PHONE', 'IM']);

function multiValues(v: unknown): string[] {
	return Array.isArray(v)
		? (v as Array<{ VALUE?: string }>).map((m) => String(m?.VALUE ?? '').toLowerCase())
		: [];
}

const list = (v: unknown): unknown[] =>
	Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [v];

export function matches(record: Fields, filter: Fields): boolean {
	for (const [rawKey, expected] of Object.entries(filter)) {
		const m = /^(!@|!=|!%|>=|<=|=%|%=|[=!@<>%])?(.+)$/.exec(rawKey)!;
		const op = m[1] ?? '=';
		const field = m[2].toUpperCase();
		const wanted = list(expected).map((x) => String(x).toLowerCase());
		const actual = MULTI.has(field)
			? multiValues(record[field])
			: record[field] === undefined || record[field] === null
				? ['']
				: [String(record[field]).toLowerCase()];
		const any = (f: (a: string, w: string) => boolean) =>
			actual.some((a) => wanted.some((w) => f(a, w)));
		const numeric = (a: string, w: string) =>
			Number.isNaN(Number(a)) || Number.isNaN(Number(w))
				? a.localeCompare(w)
				: Number(a) - Number(w);
		const ok =
			op === '=' || op === '@'
				? any((a, w) => a === w)
				: op === '!' || op === '!=' || op === '!@'
					? !any((a, w) => a === w)
					: op === '%'
						? any((a, w) => a.includes(w))
						: op === '!%'
							? !any((a, w) => a.includes(w))
							: op === '>'
								? any((a, w) => numeric(a, w) > 0)
								: op === '>='
									? any((a, w) => numeric(a, w) >= 0)
									: op === '<'
										? any((a, w) => numeric(a, w) < 0)
										: any((a, w) => numeric(a, w) <= 0);
		if (!ok) return false;
	}
	return true;
}
