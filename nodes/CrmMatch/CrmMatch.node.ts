import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import {
	getOwners,
	getSources,
	getStages,
	searchOwners,
	searchSources,
	searchStages,
} from './methods/loadOptions';

export class CrmMatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Match & Create',
		name: 'crmMatch',
		icon: { light: 'file:crmMatch.svg', dark: 'file:crmMatch.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Link emails to CRM contacts, companies, leads and deals by address, and create the missing ones by rules',
		defaults: { name: 'CRM Match & Create' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'crmMailN8nApi',
				required: true,
				displayOptions: { show: { backend: ['dataTables'] } },
			},
			{
				name: 'crmMailBitrix24Api',
				required: true,
				displayOptions: { show: { backend: ['bitrix24'], authentication: ['webhook'] } },
			},
			{
				name: 'crmMailBitrix24OAuth2Api',
				required: true,
				displayOptions: { show: { backend: ['bitrix24'], authentication: ['oAuth2'] } },
			},
			{
				name: 'crmMailAmoCrmApi',
				required: true,
				displayOptions: { show: { backend: ['amoCrm'], authentication: ['accessToken'] } },
			},
			{
				name: 'crmMailAmoCrmOAuth2Api',
				required: true,
				displayOptions: { show: { backend: ['amoCrm'], authentication: ['oAuth2'] } },
			},
			{
				name: 'crmMailEspoCrmApi',
				required: true,
				displayOptions: { show: { backend: ['espoCrm'] } },
			},
		],
		properties,
	};

	methods = {
		loadOptions: { getOwners, getSources, getStages },
		listSearch: { searchOwners, searchSources, searchStages },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
