import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { hidden, mailboxProperties } from './mailboxOAuth2Properties';

// Tested by the nodes' credential tests (IMAP login with the stored access token); n8n refreshes the token,
// the nodes decide when (nodes/shared/oauth/tokenSource.ts).
export class CrmMailMicrosoftOAuth2Api implements ICredentialType {
	name = 'crmMailMicrosoftOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft 365 Mailbox (IMAP/SMTP) OAuth2 API';

	icon: Icon = { light: 'file:crmMailImap.svg', dark: 'file:crmMailImap.dark.svg' };

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-crm-mail#gmail-and-microsoft-365-oauth2';

	properties: INodeProperties[] = [
		{
			displayName: 'Tenant',
			name: 'tenantId',
			type: 'string',
			default: 'organizations',
			placeholder: 'contoso.onmicrosoft.com',
			description:
				'Your Microsoft Entra tenant: its ID or domain (shown on the app\'s Overview page as "Directory (tenant) ID"), or "organizations" for any work or school account ("common" also allows personal Outlook.com accounts)',
		},
		hidden('grantType', 'authorizationCode'),
		hidden(
			'authUrl',
			'=https://login.microsoftonline.com/{{$self["tenantId"] || "organizations"}}/oauth2/v2.0/authorize',
		),
		hidden(
			'accessTokenUrl',
			'=https://login.microsoftonline.com/{{$self["tenantId"] || "organizations"}}/oauth2/v2.0/token',
		),
		// delegated Exchange Online scopes for IMAP and SMTP AUTH; offline_access brings the refresh token
		hidden(
			'scope',
			'offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send',
		),
		hidden('authQueryParameters', 'response_mode=query&prompt=select_account'),
		hidden('authentication', 'body'),
		...mailboxProperties({
			addressPlaceholder: 'name@contoso.com',
			imapHost: 'outlook.office365.com',
			imapPort: 993,
			imapSecurity: 'tls',
			smtpHost: 'smtp.office365.com',
			smtpPort: 587,
			smtpSecurity: 'starttls',
		}),
	];
}
