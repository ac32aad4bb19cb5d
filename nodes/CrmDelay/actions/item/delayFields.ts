// The CRM Delay node's parameters. Written for a no-code admin: every field says what it does in CRM terms.
import type { INodeProperties } from 'n8n-workflow';
import { conditionFields } from './conditionFields';

const unitOptions = [
	{ name: 'Minutes', value: 'minutes' },
	{ name: 'Hours', value: 'hours' },
	{
		name: 'Days',
		value: 'days',
		description:
			'Calendar days: the same clock time on the later day, also across a daylight-saving change',
	},
	{ name: 'Weeks', value: 'weeks' },
	{
		name: 'Months',
		value: 'months',
		description: 'Calendar months; Jan 31 + 1 month = Feb 28 (29)',
	},
];

const dateModes = ['relative', 'atDate'];

export const properties: INodeProperties[] = [
	{
		displayName: 'When',
		name: 'when',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Immediately',
				value: 'immediately',
				description: 'No waiting; only the conditions are checked',
			},
			{
				name: 'After a Delay',
				value: 'afterNow',
				description: 'N minutes / hours / days / weeks after the item arrives here',
			},
			{
				name: 'Before or After a Date in the Item',
				value: 'relative',
				description: "E.g. 2 days after the deal's stage date, 1 hour before the meeting start.",
			},
			{
				name: 'At a Date in the Item',
				value: 'atDate',
				description: 'Exactly at the date and time a field holds',
			},
		],
		default: 'afterNow',
		description: 'When the items leave on the "Due" output',
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 2,
		displayOptions: { show: { when: ['afterNow', 'relative'] } },
		description:
			'How many units to wait (or how far before / after the date). Whole numbers for days, weeks and months.',
	},
	{
		displayName: 'Unit',
		name: 'unit',
		type: 'options',
		options: unitOptions,
		default: 'days',
		displayOptions: { show: { when: ['afterNow', 'relative'] } },
		description:
			'Minutes and hours are elapsed time; days, weeks and months keep the clock time in the time zone',
	},
	{
		displayName: 'Before or After',
		name: 'direction',
		type: 'options',
		options: [
			{ name: 'After the Date', value: 'after' },
			{ name: 'Before the Date', value: 'before' },
		],
		default: 'after',
		displayOptions: { show: { when: ['relative'] } },
		description: 'Whether the time is before or after the date',
	},
	{
		displayName: 'Date From',
		name: 'dateSource',
		type: 'options',
		options: [
			{
				name: 'A Field of the Item',
				value: 'field',
				description: 'Name the field, e.g. stage_changed_at',
			},
			{
				name: 'A Value or Expression',
				value: 'value',
				description: 'An expression over the item, e.g. the deal stage date in the webhook body',
			},
		],
		default: 'field',
		displayOptions: { show: { when: dateModes } },
		description: 'Where the date comes from',
	},
	{
		displayName: 'Date Field',
		name: 'dateField',
		type: 'string',
		default: '',
		placeholder: 'e.g. stage_changed_at or body.deal.stageDate',
		requiresDataPath: 'single',
		displayOptions: { show: { when: dateModes, dateSource: ['field'] } },
		description:
			"The item's field holding the date, e.g. the deal's stage date. Use a dot for nested fields.",
		hint: 'ISO dates, "yyyy-MM-dd HH:mm", "dd.MM.yyyy HH:mm" or Unix timestamps. A date without an offset is read in the time zone.',
	},
	{
		displayName: 'Date',
		name: 'dateValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.body.deal.stageDate }}',
		displayOptions: { show: { when: dateModes, dateSource: ['value'] } },
		description: 'The date, usually an expression',
		hint: 'ISO dates, "yyyy-MM-dd HH:mm", "dd.MM.yyyy HH:mm" or Unix timestamps. A date without an offset is read in the time zone.',
	},
	{
		displayName: 'Only Items Where',
		name: 'combine',
		type: 'options',
		options: [
			{ name: 'All Conditions Are Met', value: 'all' },
			{ name: 'Any Condition Is Met', value: 'any' },
		],
		default: 'all',
		description:
			'Items that do not meet the conditions leave at once on "Not Matched" and are never delayed',
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		placeholder: 'Add Condition',
		description: 'E.g. amount is greater than 0. Without conditions every item is delayed.',
		options: [{ name: 'conditions', displayName: 'Condition', values: conditionFields }],
	},
	{
		displayName: 'Only Send Within Hours',
		name: 'useWindow',
		type: 'boolean',
		default: false,
		description:
			'Whether to move a due time outside working hours to the next open slot, e.g. Saturday 10:00 to Monday 09:00',
	},
	{
		displayName: 'Sending Days',
		name: 'windowDays',
		type: 'multiOptions',
		options: [
			{ name: 'Monday', value: 1 },
			{ name: 'Tuesday', value: 2 },
			{ name: 'Wednesday', value: 3 },
			{ name: 'Thursday', value: 4 },
			{ name: 'Friday', value: 5 },
			{ name: 'Saturday', value: 6 },
			{ name: 'Sunday', value: 7 },
		],
		default: [1, 2, 3, 4, 5],
		displayOptions: { show: { useWindow: [true] } },
		description: 'Days on which items may leave',
	},
	{
		displayName: 'From',
		name: 'windowFrom',
		type: 'string',
		default: '09:00',
		placeholder: '09:00',
		displayOptions: { show: { useWindow: [true] } },
		description: 'Start of the sending hours (HH:mm)',
	},
	{
		displayName: 'To',
		name: 'windowTo',
		type: 'string',
		default: '18:00',
		placeholder: '18:00',
		displayOptions: { show: { useWindow: [true] } },
		description:
			'End of the sending hours (HH:mm, 24:00 for midnight). Earlier than From means the hours span midnight.',
	},
	{
		displayName: 'Sending Hours Time Zone',
		name: 'windowTimezone',
		type: 'string',
		default: '',
		placeholder: 'e.g. Europe/Moscow (empty: the time zone below)',
		displayOptions: { show: { useWindow: [true] } },
		description: "The recipients' time zone for the sending hours; empty uses the node's time zone",
	},
	{
		displayName: 'If the Time Is Already Past',
		name: 'ifPast',
		type: 'options',
		options: [
			{
				name: 'Run Now',
				value: 'runNow',
				description: 'Leave on "Due" at once (inside the sending hours, if set)',
			},
			{
				name: 'Treat as Too Late',
				value: 'tooLate',
				description: 'Leave on "Not Matched" at once, with crmDelay.status "tooLate"',
			},
		],
		default: 'runNow',
		description: 'What to do when the computed time has passed, e.g. the date is a week old',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Time Zone',
				name: 'timezone',
				type: 'string',
				default: '',
				placeholder: 'e.g. Europe/Moscow',
				description:
					"Time zone for days / weeks / months, for dates without an offset and for the sending hours. Empty: the workflow's time zone.",
			},
			{
				displayName: 'Items Due at Different Times',
				name: 'differentTimes',
				type: 'options',
				options: [
					{
						name: 'Wait for the Latest',
						value: 'latest',
						description:
							'All items of this execution leave together at the latest of their times (none leaves early)',
					},
					{
						name: 'Stop With an Error',
						value: 'error',
						description: 'Stop the execution; nothing leaves',
					},
				],
				default: 'latest',
				description:
					'One execution waits once. For a time per record, start one execution per record (see the docs). Items that do not match never wait: they leave on Not Matched first.',
			},
			{
				displayName: 'Ignore Case',
				name: 'ignoreCase',
				type: 'boolean',
				default: true,
				description: 'Whether text conditions ignore upper / lower case ("offer" equals "Offer")',
			},
			{
				displayName: 'Put Result In Field',
				name: 'outputField',
				type: 'string',
				default: 'crmDelay',
				description:
					'Field added to every item with the due time and the reason (the item keeps its own fields)',
			},
		],
	},
];
