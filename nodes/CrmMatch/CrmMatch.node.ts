import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import { n8nApiTest } from './methods/credentialTest';
import { getOwners, getSources, getStages } from './methods/loadOptions';

export class CrmMatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Match & Create',
		name: 'crmMatch',
		icon: { light: 'file:crmMatch.svg', dark: 'file:crmMatch.dark.svg' },
		group: ['transform'],
		version: 1,
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
				testedBy: 'n8nApiTest',
				displayOptions: { show: { backend: ['dataTables'] } },
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
		credentialTest: { n8nApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
