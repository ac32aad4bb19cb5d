// Parameters of CRM Match & Create (kept apart so the node file stays glue).
import type { INodeProperties } from 'n8n-workflow';

const rulesOps = { show: { operation: ['matchAndCreate'] } };
const entityOptions = [
	{ name: 'Company', value: 'company' },
	{ name: 'Contact', value: 'contact' },
	{ name: 'Deal', value: 'deal' },
	{ name: 'Lead', value: 'lead' },
];

/** One rule as a section of the panel: a sentence of what it does, then its switch and its settings. */
function rule(key: string, section: string, entity: string, ownerHint: string, enabledDescription: string): INodeProperties[] {
	const show = { show: { operation: ['matchAndCreate'], [`${key}Enabled`]: [true] } };
	return [
		{ displayName: section, name: `${key}Notice`, type: 'notice', default: '', displayOptions: rulesOps },
		{ displayName: 'Create Record', name: `${key}Enabled`, type: 'boolean', default: true, description: enabledDescription, displayOptions: rulesOps },
		{ displayName: 'Record Type', name: `${key}Entity`, type: 'options', options: entityOptions, default: entity, description: 'What to create', displayOptions: show },
		{
			displayName: 'Source Name or ID',
			name: `${key}Source`,
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getSources' },
			default: 'Email',
			description: 'Source written on the new record. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: show,
		},
		{
			displayName: 'Responsible Name or ID',
			name: `${key}Owner`,
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getOwners' },
			default: '',
			description: `Responsible user of the new record. ${ownerHint} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
			displayOptions: show,
		},
	];
}

export const properties: INodeProperties[] = [
	{
		displayName: 'Backend',
		name: 'backend',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'N8n Data Tables', value: 'dataTables', description: 'CRM tables inside this n8n (through its public API)' },
			{ name: 'EspoCRM', value: 'espoCrm', description: 'An EspoCRM site (REST API)' },
		],
		default: 'dataTables',
		description: 'Where the CRM records live',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Create', value: 'create', action: 'Create a record', description: 'Create a contact, company, lead or deal' },
			{ name: 'Find', value: 'find', action: 'Find records', description: 'Find records by email, domain or name' },
			{ name: 'Get', value: 'get', action: 'Get a record', description: 'Get a record by ID' },
			{ name: 'Link Email', value: 'linkEmail', action: 'Link an email to its records', description: 'Record the email on the matched or created records, once per Message-ID' },
			{ name: 'Match', value: 'match', action: 'Match email participants', description: 'Find the records of every participant address' },
			{ name: 'Match & Create', value: 'matchAndCreate', action: 'Match and create missing records', description: 'Match, then create leads / contacts / deals by the rules' },
			{ name: 'Set Up Tables', value: 'setupTables', action: 'Set up the CRM data tables', description: 'Create the CRM data tables that are missing (Data Tables backend)' },
			{ name: 'Update', value: 'update', action: 'Update a record', description: 'Update a record, e.g. move a deal to a stage' },
		],
		default: 'matchAndCreate',
	},
	{
		displayName: 'Record Type',
		name: 'entity',
		type: 'options',
		noDataExpression: true,
		options: entityOptions,
		default: 'contact',
		description: 'Type of CRM record',
		displayOptions: { show: { operation: ['find', 'get', 'create', 'update'] } },
	},
	{ displayName: 'Record ID', name: 'recordId', type: 'string', default: '', required: true, description: 'ID of the record', displayOptions: { show: { operation: ['get', 'update'] } } },
	{ displayName: 'Email', name: 'findEmail', type: 'string', placeholder: 'name@email.com', default: '', description: 'Find records with this address', displayOptions: { show: { operation: ['find'] } } },
	{ displayName: 'Domain', name: 'findDomain', type: 'string', default: '', placeholder: 'acme.com', description: 'Find companies with this web domain', displayOptions: { show: { operation: ['find'], entity: ['company'] } } },
	{ displayName: 'Name Contains', name: 'findName', type: 'string', default: '', description: 'Find records whose name contains this text', displayOptions: { show: { operation: ['find'] } } },
	{ displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return', displayOptions: { show: { operation: ['find'] } } },
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Fields to set',
		displayOptions: { show: { operation: ['create', 'update'] } },
		options: [
			{ displayName: 'Amount', name: 'amount', type: 'number', default: 0, description: 'Deal amount' },
			{ displayName: 'Company ID', name: 'companyId', type: 'string', default: '', description: 'Company of a contact or deal' },
			{ displayName: 'Contact ID', name: 'contactId', type: 'string', default: '', description: 'Contact of a deal' },
			{ displayName: 'Domain', name: 'domain', type: 'string', default: '', description: 'Web domain of a company' },
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Email address (stored lower-cased)' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '', description: 'First name of a contact or lead' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '', description: 'Last name of a contact or lead' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Name of the record' },
			{ displayName: 'Responsible', name: 'ownerId', type: 'string', default: '', description: 'Responsible user (ID; Data Tables: any text, e.g. an email)' },
			{ displayName: 'Source', name: 'source', type: 'string', default: '', description: 'Source of the record' },
			{ displayName: 'Stage', name: 'stage', type: 'string', default: '', description: 'Deal stage (Closed Won / Closed Lost close it)' },
		],
	},
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
	{
		displayName: 'Deal Stage Name or ID',
		name: 'dealStage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getStages' },
		default: 'Prospecting',
		description: 'Stage of deals the rules create. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: rulesOps,
	},
	{ displayName: 'Deal Amount', name: 'dealAmount', type: 'number', default: 0, description: 'Amount of deals the rules create (EspoCRM requires one)', displayOptions: rulesOps },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'Own Addresses', name: 'ownAddresses', type: 'string', default: '', placeholder: 'sales@mycompany.com, me@mycompany.com', description: 'Your mailbox and aliases: never matched or created' },
			{ displayName: 'Internal Domains', name: 'internalDomains', type: 'string', default: '', placeholder: 'mycompany.com', description: "Colleagues' domains: their addresses are ignored" },
			{ displayName: 'Extra Free-Mail Domains', name: 'extraFreeMail', type: 'string', default: '', description: 'More domains (comma-separated) never used to match a company by domain' },
			{ displayName: 'Table Name Prefix', name: 'tablePrefix', type: 'string', default: 'crm_', description: 'Data Tables backend: prefix of the table names (crm_contacts, crm_leads, ...)' },
		],
	},
];
