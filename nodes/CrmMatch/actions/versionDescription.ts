// The node's parameters in panel order: backend and operation, the record operations' fields, the rules of
// Match & Create, then the options of the email operations.
import type { INodeProperties } from 'n8n-workflow';
import * as markUndeliverable from './email/markUndeliverable.operation';
import * as matchAndCreate from './email/matchAndCreate.operation';
import { recordFields } from './record/recordFields';

export const properties: INodeProperties[] = [
	{
		displayName: 'Backend',
		name: 'backend',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'N8n Data Tables',
				value: 'dataTables',
				description: 'CRM tables inside this n8n (through its public API)',
			},
			{
				name: 'amoCRM / Kommo',
				value: 'amoCrm',
				description: "An amoCRM or Kommo account, through a private integration's long-lived token",
			},
			{
				name: 'Bitrix24',
				value: 'bitrix24',
				description: 'A Bitrix24 portal (cloud or on-premise), through an inbound webhook',
			},
			{ name: 'EspoCRM', value: 'espoCrm', description: 'An EspoCRM site (REST API)' },
		],
		default: 'dataTables',
		description: 'Where the CRM records live',
	},
	// Authentication per backend; the default is what workflows saved before OAuth2 existed use
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Inbound Webhook',
				value: 'webhook',
				description: 'A webhook URL with its secret code, made in the portal in a minute',
			},
			{
				name: 'OAuth2 (Local Application)',
				value: 'oAuth2',
				description: 'Sign in to the portal; n8n keeps the hourly access token fresh',
			},
		],
		default: 'webhook',
		description: 'How the node signs in to Bitrix24',
		displayOptions: { show: { backend: ['bitrix24'] } },
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Long-Lived Token',
				value: 'accessToken',
				description: "A private integration's token, pasted into the credential",
			},
			{
				name: 'OAuth2',
				value: 'oAuth2',
				description: 'Sign in to amoCRM / Kommo; n8n keeps the daily access token fresh',
			},
		],
		default: 'accessToken',
		description: 'How the node signs in to amoCRM / Kommo',
		displayOptions: { show: { backend: ['amoCrm'] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a record',
				description: 'Create a contact, company, lead or deal',
			},
			{
				name: 'Find',
				value: 'find',
				action: 'Find records',
				description: 'Find records by email, domain or name',
			},
			{ name: 'Get', value: 'get', action: 'Get a record', description: 'Get a record by ID' },
			{
				name: 'Link Email',
				value: 'linkEmail',
				action: 'Link an email to its records',
				description: 'Record the email on the matched or created records, once per Message-ID',
			},
			{
				name: 'Mark Undeliverable',
				value: 'markUndeliverable',
				action: 'Mark an address undeliverable',
				description:
					'Act on a bounce or spam complaint: mark the address undeliverable on every record with it',
			},
			{
				name: 'Match',
				value: 'match',
				action: 'Match email participants',
				description: 'Find the records of every participant address',
			},
			{
				name: 'Match & Create',
				value: 'matchAndCreate',
				action: 'Match and create missing records',
				description: 'Match, then create leads / contacts / deals by the rules',
			},
			{
				name: 'Set Up Tables',
				value: 'setupTables',
				action: 'Set up the CRM data tables',
				description: 'Create the CRM data tables that are missing (Data Tables backend)',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a record',
				description: 'Update a record, e.g. move a deal to a stage',
			},
		],
		default: 'matchAndCreate',
	},
	...recordFields,
	...matchAndCreate.description,
	...markUndeliverable.description,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Own Addresses',
				name: 'ownAddresses',
				type: 'string',
				default: '',
				placeholder: 'sales@mycompany.com, me@mycompany.com',
				description: 'Your mailbox and aliases: never matched or created',
			},
			{
				displayName: 'Internal Domains',
				name: 'internalDomains',
				type: 'string',
				default: '',
				placeholder: 'mycompany.com',
				description: "Colleagues' domains: their addresses are ignored",
			},
			{
				displayName: 'Extra Free-Mail Domains',
				name: 'extraFreeMail',
				type: 'string',
				default: '',
				description: 'More domains (comma-separated) never used to match a company by domain',
			},
			{
				displayName: 'Table Name Prefix',
				name: 'tablePrefix',
				type: 'string',
				default: 'crm_',
				description:
					'Data Tables backend: prefix of the table names (crm_contacts, crm_leads, ...)',
			},
		],
	},
];
