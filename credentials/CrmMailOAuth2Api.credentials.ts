import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { hidden, mailboxProperties } from './mailboxOAuth2Properties';

// Any provider that takes OAuth2 tokens over IMAP and SMTP (XOAUTH2 / OAUTHBEARER), e.g. a self-hosted
// Dovecot with its oauth2 passdb behind Keycloak. Tested like the Gmail and Microsoft variants.
export class CrmMailOAuth2Api implements ICredentialType {
	name = 'crmMailOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Other Provider Mailbox (IMAP/SMTP) OAuth2 API';

	icon: Icon = { light: 'file:crmMailImap.svg', dark: 'file:crmMailImap.dark.svg' };

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-crm-mail#gmail-and-microsoft-365-oauth2';

	properties: INodeProperties[] = [
		hidden('grantType', 'authorizationCode'),
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://sso.example.com/realms/mail/protocol/openid-connect/auth',
			description: "The provider's authorization endpoint, where you sign in and allow access",
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://sso.example.com/realms/mail/protocol/openid-connect/token',
			description: "The provider's token endpoint; n8n also refreshes the token there",
		},
		{
			displayName: 'Scope',
			name: 'mailScope',
			type: 'string',
			default: '',
			placeholder: 'offline_access mail',
			description:
				'Space-separated scopes that allow IMAP and SMTP for the mailbox. Include the one that returns a refresh token (often offline_access), or the connection stops when the first token expires.',
		},
		// n8n drops a stored "scope" of OAuth2 types it does not know; a hidden expression survives that
		hidden('scope', '={{$self["mailScope"]}}'),
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'string',
			default: '',
			placeholder: 'access_type=offline&prompt=consent',
			description: 'Extra parameters for the authorization URL, if the provider needs them',
		},
		{
			displayName: 'Client Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Send Auth Header', value: 'header', description: 'HTTP Basic (RFC 6749 §2.3.1)' },
				{
					name: 'Send Credentials in Body',
					value: 'body',
					description: 'client_id and client_secret as form fields',
				},
			],
			default: 'header',
			description: 'How n8n sends the client ID and secret to the token endpoint',
		},
		...mailboxProperties({
			addressPlaceholder: 'name@example.com',
			imapHost: '',
			imapPort: 993,
			imapSecurity: 'tls',
			smtpHost: '',
			smtpPort: 587,
			smtpSecurity: 'starttls',
		}),
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description:
				"Whether to connect even if the mail server's certificate cannot be verified. Only for your own server on a trusted network.",
		},
	];
}
