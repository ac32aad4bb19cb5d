// OAuth2 mailboxes in a real n8n (the package packed and installed as the Community Nodes screen does), against
// a local OAuth2 provider and a Dovecot that takes only its tokens: "Connect my account" in the editor, an
// active IMAP Sync Trigger and Send Templated Email living through many token lifetimes and cut sessions, and a
// revoked consent reported as "needs to be reconnected".
// Knobs: CRM_MAIL_OAUTH_E2E_MINUTES (1.5) and CRM_MAIL_OAUTH_E2E_TOKEN_S (20, the access token lifetime).
import * as path from 'node:path';
import { SCREENSHOTS } from './harness';
import { connectInEditor } from './oauth-connect';
import {
	createOAuthCredential,
	hasStoredTokens,
	startOAuthWorld,
	type CredentialRef,
	type OAuthWorld,
} from './oauth-flow';
import { revokeConsent, runOAuthSoak, type SoakResult } from './oauth-soak';

const MINUTES = Number(process.env.CRM_MAIL_OAUTH_E2E_MINUTES ?? 1.5);
const TOKEN_S = Number(process.env.CRM_MAIL_OAUTH_E2E_TOKEN_S ?? 20);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const log = (m: string) => process.stdout.write(`[oauth-e2e] ${m}\n`);

let world: OAuthWorld;
let credential: CredentialRef;
let connected = false;
let soak: SoakResult | undefined;

beforeAll(
	async () => {
		world = await startOAuthWorld({ name: 'oauth', accessTokenTtlSeconds: TOKEN_S, log });
		credential = await createOAuthCredential(world);
	},
	10 * 60 * 1000,
);

afterAll(async () => {
	await world?.stop();
}, 60 * 1000);

test('Gmail and Microsoft 365: n8n sends the admin to the provider with the URLs, scopes and parameters that yield a refresh token', async () => {
	const authorizationUrl = async (type: string, data: Record<string, unknown>) => {
		const saved = await world.n8n.session.post('/rest/credentials', {
			name: `${type} preset`,
			type,
			data: { clientId: 'app-id', clientSecret: 'app-secret', user: 'sales@example.com', ...data },
		});
		// what "Connect my account" opens (n8n's own endpoint, as the editor calls it)
		const url = new URL(
			String(await world.n8n.session.get(`/rest/oauth2-credential/auth?id=${saved.id}`)),
		);
		return { url, query: Object.fromEntries(url.searchParams) };
	};
	const callback = `${world.n8n.baseUrl}/rest/oauth2-credential/callback`;

	const google = await authorizationUrl('crmMailGmailOAuth2Api', {});
	expect(`${google.url.origin}${google.url.pathname}`).toBe(
		'https://accounts.google.com/o/oauth2/v2/auth',
	);
	expect(google.query).toMatchObject({
		client_id: 'app-id',
		response_type: 'code',
		scope: 'https://mail.google.com/',
		access_type: 'offline',
		prompt: 'consent',
		redirect_uri: callback,
	});

	const microsoft = await authorizationUrl('crmMailMicrosoftOAuth2Api', {
		tenantId: 'contoso.onmicrosoft.com',
	});
	expect(`${microsoft.url.origin}${microsoft.url.pathname}`).toBe(
		'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
	);
	expect(microsoft.query).toMatchObject({
		client_id: 'app-id',
		scope:
			'offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send',
		response_mode: 'query',
		redirect_uri: callback,
	});
});

test(
	'"Connect my account" in the editor signs in at the provider and n8n stores the tokens',
	async () => {
		expect(await hasStoredTokens(world, credential)).toBe(false);
		const result = await connectInEditor(world, credential, {
			screenshotsDir: path.join(SCREENSHOTS, 'oauth'),
			log,
		});
		expect(result.consentTitle).toMatch(/Authorize n8n-crm-mail/);
		expect(
			result.callbackUrl.startsWith(`${world.n8n.baseUrl}/rest/oauth2-credential/callback?`),
		).toBe(true);
		expect(result.banner).toMatch(/Account connected/i);
		expect(world.fake.stats).toMatchObject({ consents: 1, codeGrants: 1 });
		expect(await hasStoredTokens(world, credential)).toBe(true);
		connected = true;
	},
	3 * 60 * 1000,
);

test(
	`for ${MINUTES} min with ${TOKEN_S} s tokens and cut IMAP sessions, every mail starts one execution and Send Templated Email sends over SMTP`,
	async () => {
		if (!connected) throw new Error('The credential was not connected (see the test before)');
		soak = await runOAuthSoak(world, credential, {
			minutes: MINUTES,
			tokenLifetimeS: TOKEN_S,
			deliverEveryMs: 3000,
			reconnectEveryS: 25,
			sendEveryS: 30,
			log,
		});
		const { sends, missing, failedExecutions, ...figures } = soak;
		log(`figures: ${JSON.stringify({ ...figures, sendWorkflow: undefined })}`);
		expect(failedExecutions.map((e) => e.error)).toEqual([]);
		expect(missing).toEqual([]);
		expect(soak.emitted).toBe(soak.delivered);
		expect(soak.duplicates).toBe(0);
		expect(soak.delivered).toBeGreaterThanOrEqual(Math.floor((MINUTES * 60) / 3));
		expect(soak.kicks).toBeGreaterThanOrEqual(2);
		// each token lifetime needs a refresh; the trigger refreshes a quarter of a lifetime ahead
		expect(soak.refreshes).toBeGreaterThanOrEqual(Math.floor(((MINUTES * 60) / TOKEN_S) * 0.75));
		expect(sends.map((s) => [s.n, s.status, s.error])).toEqual(
			sends.map((s) => [s.n, 'success', undefined]),
		);
		expect(sends.length).toBeGreaterThanOrEqual(2);
		expect(soak.firstSendAtS).toBeGreaterThan(TOKEN_S);
		expect(soak.smtpSent).toBe(sends.length);
		expect(soak.smtpFailed).toBe(0);
		expect(soak.sentCopies).toBe(sends.length);
	},
	(MINUTES * 60 + 5 * 60) * 1000,
);

test(
	'a revoked consent: the active trigger reports a failed execution and a send run fails, both saying to reconnect',
	async () => {
		if (!soak) throw new Error('The soak did not run (see the test before)');
		const result = await revokeConsent(world, soak, log);
		log(`trigger reported after ${result.reportedAfterS} s: ${result.triggerError}`);
		// the reason after the colon: the provider's words (2.8), or ours where n8n 2.41 already reworded it
		const reconnect = new RegExp(
			`^The OAuth2 credential "${escape(credential.name)}" needs to be reconnected: `,
		);
		expect(result.triggerError).toMatch(reconnect);
		expect(result.send.status).toBe('error');
		expect(result.send.error).toMatch(reconnect);
		// said once, whatever words n8n itself wraps the provider's refusal in
		for (const message of [result.triggerError, result.send.error])
			expect(String(message).match(/needs to be reconnected/g)).toHaveLength(1);
	},
	5 * 60 * 1000,
);
