// Match, then create the missing records by three rules, each a section of the panel.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { pickedValue, versionedPicker } from '../../../shared/pickers';
import type { ItemResult } from '../../matchItems';
import { matchAndCreate } from '../../matchItems';
import type { Rule, RuleEntity, RulesConfig } from '../../rules';
import { INCOMING_LEAD } from '../../rules';
import { AmoCrmBackend } from '../../transport/amocrm/backend';
import type { CrmBackend } from '../../transport/types';
import { entityOptions } from '../record/recordFields';
import { matchOptionsOf, readEmailItems } from './emailBatch';

const rulesOps = { show: { operation: ['matchAndCreate'] } };

/** Rule 1's extra record type on amoCRM / Kommo (rules.ts, transport/amocrm/incomingLeads.ts). */
const incomingLeadOption = {
	name: 'Incoming Lead (Unsorted)',
	value: INCOMING_LEAD,
	description:
		"One entry in amoCRM's Incoming leads (of the Deal Stage's pipeline) instead of a contact + lead, for a manager to accept or decline; one per sender while it waits",
};

/** One rule as a section of the panel: a sentence of what it does, then its switch and its settings. */
function rule(
	key: string,
	section: string,
	entity: string,
	ownerHint: string,
	enabledDescription: string,
	amoCrmOption?: (typeof entityOptions)[number] & { description: string },
): INodeProperties[] {
	const show = { show: { operation: ['matchAndCreate'], [`${key}Enabled`]: [true] } };
	const recordType: INodeProperties = {
		displayName: 'Record Type',
		name: `${key}Entity`,
		type: 'options',
		options: entityOptions,
		default: entity,
		description: 'What to create',
		displayOptions: show,
	};
	// the same parameter with one more choice where only amoCRM has it
	const recordTypes: INodeProperties[] = amoCrmOption
		? [
				{ ...recordType, displayOptions: { ...show, hide: { backend: ['amoCrm'] } } },
				{
					...recordType,
					options: [...entityOptions, amoCrmOption].sort((a, b) => a.name.localeCompare(b.name)),
					displayOptions: { show: { ...show.show, backend: ['amoCrm'] } },
				},
			]
		: [recordType];
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
		...recordTypes,
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
		incomingLeadOption,
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
		entity: ctx.getNodeParameter(`${key}Entity`, 0, 'lead') as RuleEntity,
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
	const rules = rulesOf(ctx);
	const incoming = backend instanceof AmoCrmBackend ? backend.incomingLeads : undefined;
	if (rules.incomingUnknown.enabled && rules.incomingUnknown.entity === INCOMING_LEAD && !incoming)
		throw new NodeOperationError(
			ctx.getNode(),
			`Rule 1's record type "Incoming Lead (Unsorted)" exists only in amoCRM / Kommo, not in ${backend.name}`,
			{ description: 'Choose another Record Type for rule 1, or the amoCRM / Kommo backend.' },
		);
	const { emails, itemOf, outcomes } = readEmailItems(ctx, items);
	const results = await matchAndCreate(backend, emails, matchOptionsOf(options), rules, (k, e) =>
		outcomes.fail(itemOf[k], e),
	);
	// `crm.unsorted`: the incoming lead rule 1 made (or found) for the sender, `{ uid, leadId, contactId }`
	const unsortedOf = (r: ItemResult) => {
		for (const c of r.created) {
			const entry = c.rule === 'incomingUnknown' ? incoming?.get(c.id) : undefined;
			if (entry) return { unsorted: entry };
		}
		return {};
	};
	itemOf.forEach((i, k) => {
		const result = results[k];
		if (!outcomes.failed(i) && result)
			outcomes.succeed(i, {
				...items[i].json,
				crm: { ...result, ...unsortedOf(result) } as unknown as IDataObject,
			});
	});
	return outcomes.list();
}
