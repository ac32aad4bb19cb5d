import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

// The key goes into the form-encoded POST body (`authenticate` below), never the query string, as
// Unisender recommends: URLs end up in proxy logs. Tested by the Unisender node's
// `methods.credentialTest.unisenderApiTest` (getLists): Unisender answers a wrong key with HTTP 200 and
// an `error` field, so the test must read the body.
export class UnisenderApi implements ICredentialType {
	name = 'unisenderApi';

	displayName = 'Unisender API';

	icon: Icon = { light: 'file:unisender.svg', dark: 'file:unisender.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#unisender';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'In Unisender: Settings > Integrations and API. The API must be enabled for the account.',
		},
		{
			displayName: 'API Language',
			name: 'lang',
			type: 'options',
			default: 'en',
			options: [
				{ name: 'English', value: 'en' },
				{ name: 'Russian', value: 'ru' },
				{ name: 'Ukrainian', value: 'ua' },
			],
			description: 'Language of the messages Unisender returns (error texts included)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.unisender.com',
			placeholder: 'https://api.unisender.com',
			description:
				'Leave as is for Unisender. Use https://api.selzy.com for Selzy (the former international Unisender).',
			hint: 'Without /en/api at the end: the node adds the language and the method',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			body: { api_key: '={{$credentials.apiKey}}' },
		},
	};

	// Lists the lists. Unisender answers a wrong key with HTTP 200 and `{ error, code }`, so the rules read the
	// body: known codes first, then any answer without `result` (another error, or not the Unisender API).
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL:
				'={{ ($credentials.baseUrl || "https://api.unisender.com").trim().replace(/\\/+$/, "") + "/" + ($credentials.lang || "en") + "/api" }}',
			url: '/getLists',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: { format: 'json' },
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 'invalid_api_key',
					message:
						'Unisender rejected the API key: paste it again from Unisender > Settings > Integrations and API, and check that the Base URL is of the same service (api.unisender.com or api.selzy.com)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 'access_denied',
					message:
						'Unisender denied access: enable API access in Settings > Integrations and API, or use the key of a user with API rights',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'result',
					value: undefined,
					message:
						'The Base URL did not answer like the Unisender API: use https://api.unisender.com (or https://api.selzy.com) and check the API key',
				},
			},
		],
	};
}
