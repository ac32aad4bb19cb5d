import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { hidden, mailboxProperties } from './mailboxOAuth2Properties';

// Tested by the nodes' credential tests (IMAP login with the stored access token); n8n refreshes the token,
// the nodes decide when (nodes/shared/oauth/tokenSource.ts).
export class CrmMailGmailOAuth2Api implements ICredentialType {
	name = 'crmMailGmailOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Gmail Mailbox (IMAP/SMTP) OAuth2 API';

	icon: Icon = { light: 'file:crmMailImap.svg', dark: 'file:crmMailImap.dark.svg' };

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-crm-mail#gmail-and-microsoft-365-oauth2';

	properties: INodeProperties[] = [
		hidden('grantType', 'authorizationCode'),
		hidden('authUrl', 'https://accounts.google.com/o/oauth2/v2/auth'),
		hidden('accessTokenUrl', 'https://oauth2.googleapis.com/token'),
		// the one Google scope that allows IMAP and SMTP; offline + consent make Google return a refresh token
		hidden('scope', 'https://mail.google.com/'),
		hidden('authQueryParameters', 'access_type=offline&prompt=consent'),
		hidden('authentication', 'body'),
		...mailboxProperties({
			addressPlaceholder: 'name@gmail.com',
			imapHost: 'imap.gmail.com',
			imapPort: 993,
			imapSecurity: 'tls',
			smtpHost: 'smtp.gmail.com',
			smtpPort: 465,
			smtpSecurity: 'tls',
		}),
	];
}
