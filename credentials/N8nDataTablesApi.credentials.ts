import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

// An n8n API key for the CRM Match & Create node's Data Tables backend: n8n refuses its in-process
// data-table helpers to community nodes, so the node goes through n8n's public REST API (n8n >= 2.7).
export class N8nDataTablesApi implements ICredentialType {
	name = 'crmMailN8nApi';

	displayName = 'CRM Mail Data Tables API';

	icon: Icon = { light: 'file:n8nDataTablesApi.svg', dark: 'file:n8nDataTablesApi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#crm-match--create';

	properties: INodeProperties[] = [
		{
			displayName: 'n8n Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678',
			placeholder: 'https://n8n.example.com',
			description:
				'The address of this n8n instance as the node can reach it (in queue mode: as the workers reach the main instance)',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Create one in n8n under Settings > n8n API. It needs the data table scopes.',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/api/v1',
			url: '/data-tables',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'n8n refused the API key (401): create one under Settings > n8n API',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No data tables API at this URL (404): n8n 2.7+ with the public API enabled is needed',
				},
			},
		],
	};
}
