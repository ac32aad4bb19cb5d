import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// Tested by the nodes' `methods.credentialTest.crmMailImapTest` (logs in and lists folders): IMAP is not HTTP,
// so a declarative request test is impossible.
export class CrmMailImap implements ICredentialType {
	name = 'crmMailImap';

	displayName = 'IMAP Account';

	icon: Icon = { light: 'file:crmMailImap.svg', dark: 'file:crmMailImap.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#imap-mailbox';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'imap.gmail.com',
			description:
				"Name of the IMAP server, from your provider's help pages. Examples: imap.gmail.com, outlook.office365.com, imap.yandex.com, imap.mail.ru.",
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 993,
			description: 'Almost always 993 (with Security "TLS"). Use 143 with Security "STARTTLS".',
		},
		{
			displayName: 'Security',
			name: 'security',
			type: 'options',
			default: 'tls',
			options: [
				{
					name: 'TLS (Port 993)',
					value: 'tls',
					description: 'Encrypted from the first byte (implicit TLS, "SSL/TLS"). The usual choice.',
				},
				{
					name: 'STARTTLS (Port 143)',
					value: 'starttls',
					description:
						'Starts unencrypted, then upgrades to TLS. Fails if the server cannot upgrade.',
				},
				{
					name: 'None (Unencrypted)',
					value: 'none',
					description:
						'No encryption: password and mail travel in clear text. Only on a trusted local network.',
				},
			],
			description:
				'How the connection is encrypted. It must match the port: 993 with TLS, 143 with STARTTLS.',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'name@example.com',
			description: 'The mailbox login, usually the full email address',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'password',
			options: [
				{
					name: 'Password',
					value: 'password',
					description: 'Password or app password',
				},
				{
					name: 'OAuth2 Access Token',
					value: 'oauth2AccessToken',
					description: 'An OAuth2 access token sent with XOAUTH2 (Gmail, Microsoft 365)',
				},
			],
			description: 'How to log in',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['password'] } },
			description:
				"The mailbox password. Gmail, Outlook.com, Yahoo, Yandex and Mail.ru require an app password (created in the account's security settings) when two-step verification is on, and IMAP access must be enabled in the mailbox settings.",
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['oauth2AccessToken'] } },
			description:
				'A valid OAuth2 access token for this user with the IMAP scope (Gmail: https://mail.google.com/, Microsoft: IMAP.AccessAsUser.All). Access tokens expire, usually after one hour: fill this field with an expression that returns a fresh token.',
			hint: 'This token is never refreshed and stops working when it expires (usually after an hour). For Gmail, Microsoft 365 or another OAuth2 provider, choose that Authentication in the node instead: n8n then keeps the token fresh.',
		},
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description:
				"Whether to connect even if the server's certificate cannot be verified. Warning: this makes the connection open to interception; turn it on only for your own server on a trusted network.",
		},
	];
}
