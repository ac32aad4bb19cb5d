import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { bounceAddressProperty } from './mailboxOAuth2Properties';

// Tested by the Send Templated Email node (`testedBy: 'crmMailSmtpTest'`): connects, negotiates TLS as set
// here and authenticates, with an error that names the cause and the fix.
export class CrmMailSmtp implements ICredentialType {
	name = 'crmMailSmtp';

	displayName = 'SMTP Account';

	icon: Icon = { light: 'file:crmMailSmtp.svg', dark: 'file:crmMailSmtp.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#send-templated-email';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'smtp.example.com',
			required: true,
			description: 'Host name of the outgoing mail (SMTP) server',
		},
		{
			displayName: 'Security',
			name: 'security',
			type: 'options',
			options: [
				{
					name: 'TLS (Usually Port 465)',
					value: 'tls',
					description: 'Encrypted from the first byte',
				},
				{
					name: 'STARTTLS (Usually Port 587)',
					value: 'starttls',
					description: 'Plain connection upgraded to TLS; the upgrade is required',
				},
				{
					name: 'None (Trusted Networks Only)',
					value: 'none',
					description: 'No encryption: password and mail travel in clear text',
				},
			],
			default: 'starttls',
			description: 'How the connection is encrypted; it must match the port',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 587,
			description: 'SMTP port: 465 for TLS, 587 (or 25) for STARTTLS',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			placeholder: 'sales@example.com',
			description:
				'Login name, usually the full email address. Leave empty for a relay that needs no login.',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Password', value: 'password', description: 'Password or app password' },
				{
					name: 'OAuth2 Access Token',
					value: 'oauth2AccessToken',
					description: 'XOAUTH2 with an access token obtained elsewhere (Gmail, Microsoft 365)',
				},
			],
			default: 'password',
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
				'The password. Gmail, Yandex, Mail.ru, Outlook and iCloud with two-factor login need an app password.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['oauth2AccessToken'] } },
			description: 'OAuth2 access token with the SMTP scope (for Gmail: https://mail.google.com/)',
			hint: 'This token is never refreshed and stops working when it expires (usually after an hour). For Gmail, Microsoft 365 or another OAuth2 provider, choose that Authentication in the node instead: n8n then keeps the token fresh.',
		},
		{
			displayName: 'Sender Name',
			name: 'senderName',
			type: 'string',
			default: '',
			placeholder: 'Acme Sales',
			description: 'Display name of the default sender',
		},
		{
			displayName: 'Sender Address',
			name: 'senderAddress',
			type: 'string',
			default: '',
			placeholder: 'sales@example.com',
			required: true,
			description: 'Default From address; the node uses it when no other sender is chosen',
		},
		{
			displayName: 'Allowed Sender Addresses',
			name: 'allowedSenders',
			type: 'string',
			default: '',
			placeholder: 'Anna Petrova <anna@example.com>, support@example.com',
			description:
				'Other From addresses this account may send as (comma-separated, "Name <address>" allowed). Empty: only the default sender.',
		},
		bounceAddressProperty,
		{
			displayName: 'DKIM Domain',
			name: 'dkimDomain',
			type: 'string',
			default: '',
			placeholder: 'example.com',
			description:
				'Sign messages with DKIM for this domain. Leave empty when the server signs (most providers do).',
		},
		{
			displayName: 'DKIM Selector',
			name: 'dkimSelector',
			type: 'string',
			default: '',
			placeholder: 'mail',
			description:
				'The selector of the published key (the TXT record is <selector>._domainkey.<domain>)',
		},
		{
			displayName: 'DKIM Private Key',
			name: 'dkimPrivateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'The RSA private key in PEM format matching the published public key',
		},
		{
			displayName: 'Pool Size',
			name: 'poolSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 50 },
			default: 2,
			description: 'Parallel SMTP connections per node run. Many providers allow only a few.',
		},
		{
			displayName: 'Messages per Second',
			name: 'rateLimitPerSecond',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Highest sending rate the provider allows; 0 = no limit',
		},
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description:
				'Whether to accept a certificate that cannot be verified. Only for a server you trust on your own network.',
		},
	];
}
