import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { hidden } from './mailboxOAuth2Properties';

// A Bitrix24 local application (OAuth 2.0, apidocs.bitrix24.com "OAuth 2.0 protocol"): the admin signs in on
// the portal (`https://<portal>/oauth/authorize/`), Bitrix24's OAuth server (`oauth.bitrix.info`) issues the
// tokens. The access token lives an hour and goes with every call as the `auth` parameter; n8n refreshes it
// (the refresh token is single-use: n8n saves the new one).
// `https://<portal>` from what the admin typed (a bare host, or an address copied from the browser)
const portalUrl = (field: string) => {
	const typed = `String(${field} || "").trim()`;
	return `((/^https?:\\/\\//i.test(${typed}) ? "" : "https://") + ${typed}).replace(/^(https?:\\/\\/[^/]+).*$/i, "$1")`;
};

export class Bitrix24OAuth2Api implements ICredentialType {
	name = 'crmMailBitrix24OAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Bitrix24 OAuth2 API';

	icon: Icon = { light: 'file:bitrix24OAuth2Api.svg', dark: 'file:bitrix24OAuth2Api.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#crm-match--create';

	properties: INodeProperties[] = [
		{
			displayName: 'Portal Address',
			name: 'portal',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'yourcompany.bitrix24.com',
			description:
				'The address of your Bitrix24 (cloud or on-premise), as in your browser. The local application is created there: Developer resources > Other > Local application, server type, with the permissions CRM (crm) and Users (user); its handler path and initial installation path are the OAuth Redirect URL shown here.',
		},
		hidden('grantType', 'authorizationCode'),
		hidden('authUrl', `={{${portalUrl('$self["portal"]')}}}/oauth/authorize/`),
		hidden('accessTokenUrl', 'https://oauth.bitrix.info/oauth/token/'),
		// a local application's permissions are set on the portal, not asked for in the authorization
		hidden('scope', ''),
		hidden('authQueryParameters', ''),
		// Bitrix24 takes client_id and client_secret as parameters of the token request
		hidden('authentication', 'body'),
	];

	// The stored token only: a credential test cannot save a refreshed one (the nodes refresh when they run).
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{${portalUrl('$credentials.portal')}}}/rest`,
			url: '/profile.json',
			method: 'POST',
			body: { auth: '={{$credentials.oauthTokenData.access_token}}' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Bitrix24 refused the stored access token (401): it lives an hour and the node renews it when it runs; if the node fails too, click "Reconnect my account"',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Bitrix24 refused the application (403): the REST API needs a commercial plan, and the local application the CRM (crm) permission',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Bitrix24 REST API at this portal address (404): enter the address you open Bitrix24 with, e.g. yourcompany.bitrix24.com',
				},
			},
		],
	};
}
