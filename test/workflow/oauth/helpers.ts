// Shared by the OAuth2 workflow tests: the fake authorization server, the Dovecot that checks its tokens, and
// the data n8n keeps in a connected "Other Provider Mailbox (IMAP/SMTP) OAuth2 API" credential.
import { ImapFlow } from 'imapflow';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { startOAuth2Fake, type IssuedTokens, type OAuth2Fake } from '../../fakes/oauth2/server';
import { startOAuthMailServer, type OAuthMailServer } from '../../harness/oauth-mail';

export const CLIENT = { clientId: 'n8n-crm-mail', clientSecret: 'workflow-test-secret' };
export const CREDENTIAL_TYPE = 'crmMailOAuth2Api';
export const CREDENTIAL_REF = {
	[CREDENTIAL_TYPE]: { id: 'oauth', name: 'Sales mailbox (OAuth2)' },
};

export interface OAuthSandbox {
	fake: OAuth2Fake;
	mail: OAuthMailServer;
	stop(): Promise<void>;
}

export async function startOAuthSandbox(ttlSeconds: number): Promise<OAuthSandbox> {
	const fake = await startOAuth2Fake({ accessTokenTtlSeconds: ttlSeconds, clients: [CLIENT] });
	const mail = await startOAuthMailServer({ introspectionUrl: fake.introspectionUrl, ...CLIENT });
	return {
		fake,
		mail,
		async stop() {
			await mail.stop();
			await fake.close();
		},
	};
}

/** The credential's data as n8n decrypts it after "Connect my account" (n8n 2.8 stores no expiry time). */
export function connectedCredential(
	sandbox: OAuthSandbox,
	user: string,
	tokens: IssuedTokens,
): ICredentialDataDecryptedObject {
	const { fake, mail } = sandbox;
	return {
		grantType: 'authorizationCode',
		authUrl: fake.authorizationUrl,
		accessTokenUrl: fake.tokenUrl,
		clientId: CLIENT.clientId,
		clientSecret: CLIENT.clientSecret,
		mailScope: 'offline_access mail',
		scope: 'offline_access mail',
		authQueryParameters: '',
		authentication: 'header',
		ignoreSSLIssues: false,
		user,
		senderName: 'Sales',
		imapHost: mail.host,
		imapPort: mail.imapPort,
		imapSecurity: 'none',
		smtpHost: mail.host,
		smtpPort: mail.submissionPort,
		smtpSecurity: 'none',
		oauthTokenData: { ...tokens } as unknown as IDataObject,
	};
}

/** An IMAP client of the test itself, with a token of its own. */
export async function openMailbox(sandbox: OAuthSandbox, user: string): Promise<ImapFlow> {
	const { access_token } = sandbox.fake.issueTokens(user, CLIENT.clientId);
	const client = new ImapFlow({
		host: sandbox.mail.host,
		port: sandbox.mail.imapPort,
		secure: false,
		doSTARTTLS: false,
		auth: { user, accessToken: access_token },
		logger: false,
	});
	client.on('error', () => undefined);
	await client.connect();
	return client;
}

export const rawMail = (user: string, id: string) =>
	[
		'From: Client <client@example.org>',
		`To: ${user}`,
		`Subject: ${id}`,
		`Message-ID: <${id}@oauth.test>`,
		'',
		`Body of ${id}.`,
		'',
	].join('\r\n');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
