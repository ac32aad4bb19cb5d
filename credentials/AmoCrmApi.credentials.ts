import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

// amoCRM / Kommo for the CRM Match & Create node: the long-lived token of a private integration, sent as a
// Bearer token to the account's own host (`<subdomain>.amocrm.ru` or `<subdomain>.kommo.com`: the two
// differ only in the base domain). (OAuth2 is not offered yet.)
export class AmoCrmApi implements ICredentialType {
	name = 'crmMailAmoCrmApi';

	displayName = 'amoCRM / Kommo API';

	icon: Icon = { light: 'file:amoCrmApi.svg', dark: 'file:amoCrmApi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#crm-match--create';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'amoCRM (amocrm.ru)', value: 'amocrm.ru' },
				{ name: 'Kommo (kommo.com)', value: 'kommo.com' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'amocrm.ru',
			description: 'Where the account lives: amoCRM (Russia) or Kommo (international)',
		},
		{
			displayName: 'Subdomain',
			name: 'subdomain',
			type: 'string',
			default: '',
			placeholder: 'mycompany',
			description:
				'The first part of the account address: mycompany for https://mycompany.amocrm.ru',
			displayOptions: { show: { region: ['amocrm.ru', 'kommo.com'] } },
			required: true,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://mycompany.amocrm.ru',
			description: 'The account address without /api/v4 (a proxy, or a test server)',
			displayOptions: { show: { region: ['custom'] } },
			required: true,
		},
		{
			displayName: 'Long-Lived Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'In amoCRM / Kommo: Settings > Integrations > Create integration (private) > Keys and scopes > Generate long-lived token. An administrator creates it; it expires on the date chosen there.',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.region === "custom" ? $credentials.baseUrl.trim().replace(/\\/+$/, "") : "https://" + $credentials.subdomain.trim() + "." + $credentials.region}}',
			url: '/api/v4/account',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'amoCRM refused the token (401): it is expired, revoked or wrong; generate a new long-lived token in the private integration',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 402,
					message: 'The amoCRM / Kommo account has no active subscription (402)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'amoCRM refused access (403): the account or IP may be blocked for exceeding the request limit',
				},
			},
		],
	};
}
