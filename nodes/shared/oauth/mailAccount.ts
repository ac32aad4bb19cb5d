// n8n glue for how a node logs in to a mailbox: the "Authentication" parameter, the credentials it shows, and
// the IMAP / SMTP settings of the chosen credential. With an OAuth2 credential the access token comes from n8n
// (stored by "Connect my account", refreshed and saved by n8n's refreshOAuth2Token) on every login.
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodeProperties,
	ITriggerFunctions,
} from 'n8n-workflow';
import { CheckFailure } from '../failure';
import type { ImapSecurity, ImapSettings } from '../imap/connection';
import { imapSettingsFromCredentials, testImapConnection } from '../imap/connection';
import { AccessTokenSource, type AccessTokenProvider, type OAuthTokenData } from './tokenSource';

type MailContext = IExecuteFunctions | ITriggerFunctions | ILoadOptionsFunctions;

export const MAIL_ACCOUNT = 'mailAccount';

/** The OAuth2 credential types, by the value of the node's Authentication parameter. */
const OAUTH2_VARIANTS = [
	{ option: 'gmailOAuth2', credential: 'crmMailGmailOAuth2Api' },
	{ option: 'microsoftOAuth2', credential: 'crmMailMicrosoftOAuth2Api' },
	{ option: 'oAuth2', credential: 'crmMailOAuth2Api' },
] as const;

export type MailAuthentication = typeof MAIL_ACCOUNT | (typeof OAUTH2_VARIANTS)[number]['option'];

/** The node parameter; `accountName` names the password credential ("IMAP Account", "SMTP Account"). */
export function authenticationProperty(accountName: string): INodeProperties {
	return {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: `${accountName} (Password or Token)`,
				value: MAIL_ACCOUNT,
				description: 'Server, user and password (or app password) of any mail provider',
			},
			{
				name: 'Gmail (OAuth2)',
				value: 'gmailOAuth2',
				description: 'Sign in with Google; n8n keeps the access token fresh',
			},
			{
				name: 'Microsoft 365 (OAuth2)',
				value: 'microsoftOAuth2',
				description: 'Sign in with Microsoft (Exchange Online); n8n keeps the access token fresh',
			},
			{
				name: 'OAuth2 (Other Provider)',
				value: 'oAuth2',
				description:
					'Any server that accepts OAuth2 tokens for IMAP and SMTP (XOAUTH2, OAUTHBEARER)',
			},
		],
		default: MAIL_ACCOUNT,
		description:
			'How to log in to the mailbox. Microsoft 365 no longer accepts passwords for IMAP, and Google Workspace admins may require OAuth2.',
	};
}

// The nodes list the credential entries literally (n8n's lint reads them); their names are the ones above.
/** The chosen OAuth2 credential type, or undefined for the password credential. */
export function oauth2CredentialType(ctx: MailContext, itemIndex = 0): string | undefined {
	// only an action node's parameters are per item; triggers and dropdowns read the node's one value
	const auth = (
		'getInputData' in ctx
			? ctx.getNodeParameter('authentication', itemIndex, MAIL_ACCOUNT)
			: ctx.getNodeParameter('authentication', MAIL_ACCOUNT)
	) as MailAuthentication;
	return OAUTH2_VARIANTS.find((v) => v.option === auth)?.credential;
}

/** Where `type`'s tokens come from in this node: n8n's credential store and n8n's refresh. */
export function tokenSourceFor(ctx: MailContext, type: string): AccessTokenSource {
	const credentialName = ctx.getNode().credentials?.[type]?.name ?? type;
	return new AccessTokenSource(
		{
			load: async () =>
				(await ctx.getCredentials(type)).oauthTokenData as OAuthTokenData | undefined,
			refresh: async () => (await ctx.helpers.refreshOAuth2Token.call(ctx, type)) as OAuthTokenData,
		},
		{ credentialName },
	);
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
const security = (v: unknown, fallback: ImapSecurity): ImapSecurity =>
	(['tls', 'starttls', 'none'] as const).find((s) => s === v) ?? fallback;

/** The IMAP side of an OAuth2 credential (its data as n8n gives it to nodes). */
export function oauth2ImapSettings(
	data: Record<string, unknown>,
	tokens: AccessTokenProvider,
): ImapSettings {
	const sec = security(data.imapSecurity, 'tls');
	return {
		host: str(data.imapHost),
		port: Number(data.imapPort) > 0 ? Number(data.imapPort) : sec === 'tls' ? 993 : 143,
		security: sec,
		user: str(data.user),
		authentication: 'oauth2',
		tokens,
		allowSelfSigned: data.allowSelfSigned === true || data.allowSelfSigned === 'true',
	};
}

/** The SMTP credential's fields, from an OAuth2 credential (as smtpSettingsFromCredentials reads them). */
export function oauth2SmtpFields(data: Record<string, unknown>): Record<string, unknown> {
	const sec = security(data.smtpSecurity, 'starttls');
	return {
		host: data.smtpHost,
		port: Number(data.smtpPort) > 0 ? Number(data.smtpPort) : sec === 'tls' ? 465 : 587,
		security: sec,
		user: data.user,
		authentication: 'oauth2',
		senderName: data.senderName,
		senderAddress: data.user,
		allowedSenders: data.allowedSenders,
		allowSelfSigned: data.allowSelfSigned,
	};
}

/** The IMAP settings of the node's chosen credential, password or OAuth2. */
export async function imapSettingsFor(ctx: MailContext, itemIndex = 0): Promise<ImapSettings> {
	const type = oauth2CredentialType(ctx, itemIndex);
	if (!type)
		return imapSettingsFromCredentials(
			(await ctx.getCredentials('crmMailImap')) as Record<string, unknown>,
		);
	const data = (await ctx.getCredentials(type)) as Record<string, unknown>;
	return oauth2ImapSettings(data, tokenSourceFor(ctx, type));
}

/** The stored token only: a credential test cannot refresh (n8n gives it no way to save the new token). */
function storedTokenOnly(data: Record<string, unknown>): AccessTokenProvider {
	const token = str((data.oauthTokenData as OAuthTokenData | undefined)?.access_token);
	return {
		token: async () => {
			if (token) return token;
			throw new CheckFailure(
				'The account is not connected yet',
				'Click "Connect my account" and sign in, then test again.',
			);
		},
		renew: async () => {
			throw new CheckFailure(
				'The server refused the stored access token',
				'It may simply have expired: the nodes refresh it when they run. If a node fails too, click "Reconnect my account".',
			);
		},
	};
}

/** credentialTest of the OAuth2 credentials: IMAP login with the stored token, folders listed. */
export async function crmMailOAuth2Test(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as Record<string, unknown>;
	if (!str(data.user))
		return {
			status: 'Error',
			message: 'Mailbox Address is empty: enter the address you sign in with',
		};
	const settings = oauth2ImapSettings(data, storedTokenOnly(data));
	try {
		await settings.tokens?.token();
	} catch (error) {
		return {
			status: 'Error',
			message: `${(error as CheckFailure).message}. ${(error as CheckFailure).description}`,
		};
	}
	return await testImapConnection(settings);
}
