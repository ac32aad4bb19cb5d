// The mailbox part of the OAuth2 credentials: one credential per mailbox serves IMAP (trigger, mailbox actions,
// copy to Sent) and SMTP (sending), because one sign-in grants both scopes. Presets are the provider's servers.
import type { INodeProperties } from 'n8n-workflow';

export interface MailServerPresets {
	addressPlaceholder: string;
	imapHost: string;
	imapPort: number;
	imapSecurity: 'tls' | 'starttls' | 'none';
	smtpHost: string;
	smtpPort: number;
	smtpSecurity: 'tls' | 'starttls' | 'none';
}

const securityOptions = [
	{ name: 'TLS', value: 'tls', description: 'Encrypted from the first byte (ports 993, 465)' },
	{
		name: 'STARTTLS',
		value: 'starttls',
		description: 'Upgraded to TLS; required (ports 143, 587)',
	},
	{
		name: 'None (Trusted Networks Only)',
		value: 'none',
		description: 'No encryption: the token and the mail travel in clear text',
	},
];

/** A fixed OAuth2 setting of n8n's OAuth2 credential machinery, not shown to the admin. */
export const hidden = (name: string, value: string): INodeProperties => ({
	displayName: name,
	name,
	type: 'hidden',
	default: value,
});

/** Also the SMTP Account credential's: where delivery reports go, and the VERP return addresses of tracked mail. */
export const bounceAddressProperty: INodeProperties = {
	displayName: 'Bounce Address (VERP)',
	name: 'bounceAddress',
	type: 'string',
	default: '',
	placeholder: 'bounces@example.com',
	description:
		'Where delivery reports (bounces) go instead of the From address: the envelope sender (Return-Path); the From the recipient sees stays. With Tracking on in Send Templated Email, every email gets its own signed return address, bounces+<code>@example.com, so the IMAP Sync Trigger knows which email bounced even when the report quotes nothing of it. Empty: reports go to the From address.',
	hint: 'The server must accept this address (and its +<code> forms) as sender and deliver plus addresses to the bounce mailbox. Message-IDs are then made on its domain.',
};

export function mailboxProperties(p: MailServerPresets): INodeProperties[] {
	// Gmail replaces an envelope sender that is not the account or a verified alias, and Microsoft 365 refuses
	// one the mailbox may not send as (SendAsDenied); a fresh +<code> address is neither. So the VERP return
	// address is offered only where the admin picks the server (the signed header works with every provider).
	const ownServer = !p.smtpHost;
	return [
		{
			displayName: 'Mailbox Address',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			placeholder: p.addressPlaceholder,
			description:
				'The address of the account you sign in with below. IMAP and SMTP log in as this user, and it is the default sender.',
		},
		{
			displayName: 'Sender Name',
			name: 'senderName',
			type: 'string',
			default: '',
			placeholder: 'Acme Sales',
			description: 'Display name of the default sender (Send Templated Email)',
		},
		{
			displayName: 'Allowed Sender Addresses',
			name: 'allowedSenders',
			type: 'string',
			default: '',
			placeholder: 'Anna Petrova <anna@example.com>, support@example.com',
			description:
				'Other From addresses the account may send as (aliases set up at the provider), comma-separated. Empty: only the mailbox address.',
		},
		{
			displayName: 'IMAP Host',
			name: 'imapHost',
			type: 'string',
			default: p.imapHost,
			description: "The provider's IMAP server. Change it only if the provider tells you to.",
		},
		{
			displayName: 'IMAP Port',
			name: 'imapPort',
			type: 'number',
			default: p.imapPort,
			description: '993 with TLS, 143 with STARTTLS',
		},
		{
			displayName: 'IMAP Security',
			name: 'imapSecurity',
			type: 'options',
			options: securityOptions,
			default: p.imapSecurity,
			description: 'How the IMAP connection is encrypted; it must match the port',
		},
		{
			displayName: 'SMTP Host',
			name: 'smtpHost',
			type: 'string',
			default: p.smtpHost,
			description: "The provider's outgoing mail (SMTP) server",
		},
		{
			displayName: 'SMTP Port',
			name: 'smtpPort',
			type: 'number',
			default: p.smtpPort,
			description: '465 with TLS, 587 with STARTTLS',
		},
		{
			displayName: 'SMTP Security',
			name: 'smtpSecurity',
			type: 'options',
			options: securityOptions,
			default: p.smtpSecurity,
			description: 'How the SMTP connection is encrypted; it must match the port',
		},
		...(ownServer ? [bounceAddressProperty] : []),
	];
}
