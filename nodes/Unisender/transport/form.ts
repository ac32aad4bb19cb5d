// PHP-style form encoding Unisender expects (no n8n imports): nested objects become `fields[email]`,
// arrays `field_names[0]` and 2-D arrays `data[0][1]`. Everything ends up as flat string pairs in a
// form-encoded POST body; nothing ever goes in the query string (keys would leak into proxy logs).

export type FormValue =
	string | number | boolean | null | undefined | FormValue[] | { [key: string]: FormValue };
export type FormParams = Record<string, string>;

function scalar(v: string | number | boolean | null): string {
	if (v === null) return '';
	if (typeof v === 'boolean') return v ? '1' : '0';
	return String(v);
}

function put(out: FormParams, key: string, value: FormValue): void {
	if (value === undefined) return;
	if (Array.isArray(value)) {
		value.forEach((v, i) => put(out, `${key}[${i}]`, v === undefined ? null : v));
		return;
	}
	if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) put(out, `${key}[${k}]`, v);
		return;
	}
	out[key] = scalar(value);
}

/** Flattens method arguments into form pairs; top-level `undefined` arguments are left out. */
export function toForm(params: Record<string, FormValue>): FormParams {
	const out: FormParams = {};
	for (const [k, v] of Object.entries(params)) put(out, k, v);
	return out;
}

/** `list_ids` / `tags` are comma lists: accepts an array, or a string already separated by commas. */
export function commaList(
	values: string | number | Array<string | number> | undefined | null,
): string {
	if (values === undefined || values === null) return '';
	const parts = Array.isArray(values) ? values : String(values).split(',');
	return parts
		.map((v) => String(v).trim())
		.filter((v) => v !== '')
		.join(',');
}

/** Unisender HTML-encodes error messages (`Contact &quot;x&quot; not found`). */
export function decodeHtml(s: string): string {
	return s
		.replace(/&quot;/g, '"')
		.replace(/&#0?39;|&apos;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
		.replace(/&amp;/g, '&');
}
