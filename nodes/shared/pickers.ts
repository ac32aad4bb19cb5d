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

/** The dropdown `v1` for version 1, and a resource locator of the same name from version 2. */
export function versionedPicker(
	v1: INodeProperties,
	searchListMethod: string,
	typed: TypedMode,
	description = v1.description,
): INodeProperties[] {
	const show = v1.displayOptions?.show ?? {};
	return [
		{ ...v1, displayOptions: { ...v1.displayOptions, show: { ...show, '@version': [1] } } },
		{
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
			displayOptions: { ...v1.displayOptions, show: { ...show, '@version': [2] } },
			description,
		},
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
