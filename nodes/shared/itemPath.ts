// Values of an item's JSON by a dot path, as a no-code admin writes it in a field: `deal.amount`,
// `items[0].id` (or `items.0.id`), and a key that itself contains dots (`deal.amount` as one key) first.
// One reader for every node that takes a field name.

/** Reads a dot path (`deal.amount`, `items[0].id` as `items.0.id`) from an item's JSON. */
export function readPath(json: unknown, path: string): unknown {
	if (path === '') return undefined;
	if (json !== null && typeof json === 'object' && Object.hasOwn(json, path))
		return (json as Record<string, unknown>)[path];
	let current: unknown = json;
	for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}
