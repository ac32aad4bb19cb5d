import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { hidden } from './mailboxOAuth2Properties';

// amoCRM / Kommo through an integration's OAuth 2.0 (developers.kommo.com, "OAuth 2.0"): the admin allows the
// integration at www.amocrm.ru/oauth (Kommo: www.kommo.com/oauth), the account's own host issues the tokens
// (`https://<subdomain>.<region>/oauth2/access_token`). The access token lives 24 hours; the refresh token is
// single-use, so only n8n refreshes it and saves the new pair.
const account = (ref: string) =>
	`(${ref}["region"] === "custom" ? String(${ref}["baseUrl"] || "").trim().replace(/\\/+$/, "") : "https://" + String(${ref}["subdomain"] || "").trim() + "." + ${ref}["region"])`;

export class AmoCrmOAuth2Api implements ICredentialType {
	name = 'crmMailAmoCrmOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'amoCRM / Kommo OAuth2 API';

	icon: Icon = { light: 'file:amoCrmOAuth2Api.svg', dark: 'file:amoCrmOAuth2Api.dark.svg' };

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
				'The first part of the account address: mycompany for https://mycompany.amocrm.ru. The integration is created there: Settings > Integrations > Create integration, with the OAuth Redirect URL shown here as its redirect link.',
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
		hidden('grantType', 'authorizationCode'),
		hidden(
			'authUrl',
			'={{$self["region"] === "kommo.com" ? "https://www.kommo.com/oauth" : $self["region"] === "custom" ? String($self["baseUrl"] || "").trim().replace(/\\/+$/, "") + "/oauth" : "https://www.amocrm.ru/oauth"}}',
		),
		hidden('accessTokenUrl', `={{${account('$self')}}}/oauth2/access_token`),
		// the integration's scopes are chosen when it is created in the account, not in the authorization
		hidden('scope', ''),
		hidden('authQueryParameters', ''),
		// amoCRM takes client_id and client_secret in the body of the token request
		hidden('authentication', 'body'),
	];

	// The stored token only: a credential test cannot save a refreshed one (the nodes refresh when they run).
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{${account('$credentials')}}}`,
			url: '/api/v4/account',
			method: 'GET',
			headers: { Authorization: '=Bearer {{$credentials.oauthTokenData.access_token}}' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'amoCRM refused the stored access token (401): it lives 24 hours and the node renews it when it runs; if the node fails too, click "Reconnect my account"',
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
