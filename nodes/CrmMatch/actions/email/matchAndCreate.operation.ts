// Match, then create the missing records by three rules, each a section of the panel.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { pickedValue, versionedPicker } from '../../../shared/pickers';
import { matchAndCreate } from '../../matchItems';
import type { Rule, RulesConfig } from '../../rules';
import type { CrmBackend, EntityType } from '../../transport/types';
import { entityOptions } from '../record/recordFields';
import { matchOptionsOf, readEmailItems } from './emailBatch';

const rulesOps = { show: { operation: ['matchAndCreate'] } };

/** One rule as a section of the panel: a sentence of what it does, then its switch and its settings. */
function rule(
	key: string,
	section: string,
	entity: string,
	ownerHint: string,
	enabledDescription: string,
): INodeProperties[] {
	const show = { show: { operation: ['matchAndCreate'], [`${key}Enabled`]: [true] } };
	return [
		{
			displayName: section,
			name: `${key}Notice`,
			type: 'notice',
			default: '',
			displayOptions: rulesOps,
		},
		{
			displayName: 'Create Record',
			name: `${key}Enabled`,
			type: 'boolean',
			default: true,
			description: enabledDescription,
			displayOptions: rulesOps,
		},
		{
			displayName: 'Record Type',
			name: `${key}Entity`,
			type: 'options',
			options: entityOptions,
			default: entity,
			description: 'What to create',
			displayOptions: show,
		},
		...versionedPicker(
			{
				displayName: 'Source Name or ID',
				name: `${key}Source`,
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSources' },
				default: 'Email',
				description:
					'Source written on the new record. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: show,
			},
			'searchSources',
			{ name: 'name', displayName: 'By Name', placeholder: 'Email' },
			'Source written on the new record',
		),
		...versionedPicker(
			{
				displayName: 'Responsible Name or ID',
				name: `${key}Owner`,
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getOwners' },
				default: '',
				description: `Responsible user of the new record. ${ownerHint} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
				displayOptions: show,
			},
			'searchOwners',
			{ name: 'id', displayName: 'By ID', placeholder: 'User ID in the CRM' },
			`Responsible user of the new record; empty = nobody. ${ownerHint}`,
		),
	];
}

export const description: INodeProperties[] = [
	...rule(
		'incomingUnknown',
		'Rule 1 - incoming mail from an unknown address: a new customer writes. Creates a record for the sender (a lead by default), named after the subject. Automated mail never creates records.',
		'lead',
		'',
		'Whether to create a record (named after the subject, with the sender name and address) for mail from an address the CRM does not know',
	),
	...rule(
		'outgoingUnknown',
		'Rule 2 - outgoing mail to an unknown address: you write to someone new. Creates a record (a contact by default) for each To / Cc address the CRM does not know.',
		'contact',
		'"The Sender" = the CRM user with the sending address.',
		'Whether to create a record for each To / Cc address of outgoing mail the CRM does not know',
	),
	...rule(
		'incomingKnown',
		'Rule 3 - incoming mail from a known address: a customer writes again. Creates a deal when the contact / company has no open deal.',
		'deal',
		'"Owner of Matched Record" = the responsible of the matched contact / company.',
		'Whether to create a deal for mail from a known contact / company that has no open deal',
	),
	...versionedPicker(
		{
			displayName: 'Deal Stage Name or ID',
			name: 'dealStage',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getStages' },
			default: 'Prospecting',
			description:
				'Stage of deals the rules create. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: rulesOps,
		},
		'searchStages',
		{ name: 'name', displayName: 'By Name', placeholder: 'Prospecting' },
		'Stage of deals the rules create',
	),
	{
		displayName: 'Deal Amount',
		name: 'dealAmount',
		type: 'number',
		default: 0,
		description: 'Amount of deals the rules create (EspoCRM requires one)',
		displayOptions: rulesOps,
	},
];

function ruleOf(ctx: IExecuteFunctions, key: string): Rule {
	return {
		enabled: ctx.getNodeParameter(`${key}Enabled`, 0, true) as boolean,
		entity: ctx.getNodeParameter(`${key}Entity`, 0, 'lead') as EntityType,
		source: pickedValue(ctx.getNodeParameter(`${key}Source`, 0, '')),
		owner: pickedValue(ctx.getNodeParameter(`${key}Owner`, 0, '')),
	};
}

function rulesOf(ctx: IExecuteFunctions): RulesConfig {
	return {
		incomingUnknown: ruleOf(ctx, 'incomingUnknown'),
		outgoingUnknown: ruleOf(ctx, 'outgoingUnknown'),
		incomingKnown: ruleOf(ctx, 'incomingKnown'),
		dealStage: pickedValue(ctx.getNodeParameter('dealStage', 0, '')),
		dealAmount: ctx.getNodeParameter('dealAmount', 0, 0) as number,
	};
}

export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	items: INodeExecutionData[],
	options: IDataObject,
): Promise<INodeExecutionData[]> {
	const { emails, itemOf, outcomes } = readEmailItems(ctx, items);
	const results = await matchAndCreate(
		backend,
		emails,
		matchOptionsOf(options),
		rulesOf(ctx),
		(k, e) => outcomes.fail(itemOf[k], e),
	);
	itemOf.forEach((i, k) => {
		if (!outcomes.failed(i))
			outcomes.succeed(i, { ...items[i].json, crm: results[k] as unknown as IDataObject });
	});
	return outcomes.list();
}
