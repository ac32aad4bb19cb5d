import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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
}
