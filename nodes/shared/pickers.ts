// Pickers of server-side values across node versions: version 1 keeps its dropdown (what saved workflows hold),
// later versions get n8n's resource locator, a searchable list or a value typed in.
import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

export interface TypedMode {
	name: string;
	displayName: string;
	placeholder: string;
	hint?: string;
}

/** A resource locator in place of the dropdown `v1`: the same name, default and display rules. */
export function pickerFor(
	v1: INodeProperties,
	searchListMethod: string,
	typed: TypedMode,
	description = v1.description,
): INodeProperties {
	return {
		displayName: v1.displayName.replace(/ Name or ID$/, ''),
		name: v1.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: v1.default },
		required: v1.required,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{ ...typed, type: 'string' },
		],
		...(v1.displayOptions ? { displayOptions: v1.displayOptions } : {}),
		description,
	};
}

/** The dropdown `v1` for version 1, and its resource locator from version 2. */
export function versionedPicker(
	v1: INodeProperties,
	searchListMethod: string,
	typed: TypedMode,
	description = v1.description,
): INodeProperties[] {
	const shownIn = (version: number): INodeProperties['displayOptions'] => ({
		...v1.displayOptions,
		show: { ...v1.displayOptions?.show, '@version': [version] },
	});
	return [
		{ ...v1, displayOptions: shownIn(1) },
		{ ...pickerFor(v1, searchListMethod, typed, description), displayOptions: shownIn(2) },
	];
}

/** A listSearch method over a loadOptions method: the options whose name or value contains the filter. */
export function searchable(load: (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>) {
	return async function (
		this: ILoadOptionsFunctions,
		filter?: string,
	): Promise<INodeListSearchResult> {
		const needle = (filter ?? '').trim().toLowerCase();
		const options = await load.call(this);
		return {
			results: options
				.filter((o) => !needle || `${o.name} ${String(o.value)}`.toLowerCase().includes(needle))
				.map((o) => ({ name: o.name, value: String(o.value) })),
		};
	};
}

/**
 * The value of a picker parameter whichever version saved it: a resource locator's value, or the string of a
 * version-1 dropdown. (n8n's `extractValue` would fail on a parameter the panel hides, such as a rule's owner
 * while the rule is off.)
 */
export function pickedValue(value: unknown): string {
	if (value && typeof value === 'object' && 'value' in value)
		return String((value as { value: unknown }).value ?? '');
	return String(value ?? '');
}
