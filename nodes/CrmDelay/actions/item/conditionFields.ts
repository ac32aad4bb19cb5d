// The fields of one condition row (CRM Delay's "Conditions" parameter).
import type { INodeProperties } from 'n8n-workflow';

function operatorParameter(type: 'string' | 'number' | 'date' | 'boolean'): INodeProperties {
	const defaultOperator = type === 'number' ? 'gt' : type === 'boolean' ? 'isTrue' : 'equals';
	return {
		displayName: 'Operator',
		name: `${type}Operator`,
		type: 'options',
		options: [
			{ name: 'Equals', value: 'equals' },
			{ name: 'Does Not Equal', value: 'notEquals' },
			...(type === 'string'
				? [
						{ name: 'Contains', value: 'contains' },
						{ name: 'Does Not Contain', value: 'notContains' },
						{ name: 'Starts With', value: 'startsWith' },
					]
				: []),
			...(type === 'number' || type === 'date'
				? [
						{ name: type === 'date' ? 'Is After' : 'Is Greater Than', value: 'gt' },
						{
							name: type === 'date' ? 'Is After or Equal' : 'Is Greater Than or Equal',
							value: 'gte',
						},
						{ name: type === 'date' ? 'Is Before' : 'Is Less Than', value: 'lt' },
						{
							name: type === 'date' ? 'Is Before or Equal' : 'Is Less Than or Equal',
							value: 'lte',
						},
						{ name: 'Is Between (Inclusive)', value: 'between' },
					]
				: []),
			...(type === 'boolean'
				? [
						{ name: 'Is True', value: 'isTrue' },
						{ name: 'Is False', value: 'isFalse' },
					]
				: []),
			{ name: 'Is Empty', value: 'isEmpty', description: 'Missing, null, blank text, empty list' },
			{ name: 'Is Not Empty', value: 'isNotEmpty' },
		],
		default: defaultOperator,
		displayOptions: { show: { type: [type] } },
		description: 'How to compare',
	};
}

const COMPARING: Record<string, string[]> = {
	string: ['equals', 'notEquals', 'contains', 'notContains', 'startsWith'],
	number: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between'],
	date: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between'],
	boolean: ['equals', 'notEquals'],
};

function compareParameter(type: 'string' | 'number' | 'date' | 'boolean'): INodeProperties {
	return {
		displayName: 'Compare With',
		name: 'compareTo',
		type: 'string',
		default: '',
		placeholder:
			type === 'date'
				? 'e.g. 2025-01-01 or {{ $now }}'
				: type === 'number'
					? 'e.g. 0'
					: type === 'boolean'
						? 'e.g. true'
						: 'e.g. Offer',
		displayOptions: { show: { type: [type], [`${type}Operator`]: COMPARING[type] } },
		description:
			'The value to compare with (the lower bound for "between"), read as the chosen type',
	};
}

function upperBoundParameter(type: 'number' | 'date'): INodeProperties {
	return {
		displayName: 'And',
		name: 'compareTo2',
		type: 'string',
		default: '',
		placeholder: type === 'date' ? 'e.g. 2025-12-31' : 'e.g. 1000000',
		displayOptions: { show: { type: [type], [`${type}Operator`]: ['between'] } },
		description: 'The upper bound (inclusive)',
	};
}

export const conditionFields: INodeProperties[] = [
	{
		displayName: 'Check',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'A Field of the Item',
				value: 'field',
				description: 'Name the field, e.g. amount or deal.amount',
			},
			{
				name: 'A Value or Expression',
				value: 'value',
				description: 'Any value, usually an expression over the item',
			},
		],
		default: 'field',
		description: 'Whether to check a field by its name or a value you compute with an expression',
	},
	{
		displayName: 'Field Name',
		name: 'field',
		type: 'string',
		default: '',
		placeholder: 'e.g. amount or body.deal.amount',
		requiresDataPath: 'single',
		displayOptions: { show: { source: ['field'] } },
		description: 'The field to check. Use a dot for nested fields: body.deal.amount.',
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.body.deal.amount }}',
		displayOptions: { show: { source: ['value'] } },
		description: 'The value to check, usually an expression',
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'String', value: 'string', description: 'Text, e.g. a stage name' },
			{
				name: 'Number',
				value: 'number',
				description: 'Amounts; "1000" and "1 000,50" are read as numbers',
			},
			{
				name: 'Date',
				value: 'date',
				description: 'ISO dates (2025-03-28T10:00), dd.MM.yyyy HH:mm or Unix timestamps',
			},
			{ name: 'Boolean', value: 'boolean', description: 'True / false, yes / no, 1 / 0' },
		],
		default: 'string',
		description:
			'How to read the value. A value that cannot be read as this type stops with an error naming the field.',
	},
	...(['string', 'number', 'date', 'boolean'] as const).map((type): INodeProperties =>
		operatorParameter(type),
	), // The same parameter name per type: n8n shows one at a time, and only for operators that compare.
	...(['string', 'number', 'date', 'boolean'] as const).map((type): INodeProperties =>
		compareParameter(type),
	),
	...(['number', 'date'] as const).map((type): INodeProperties => upperBoundParameter(type)),
];
