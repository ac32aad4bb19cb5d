// An OAuth2 mailbox in a real n8n: the fake authorization server (test/fakes/oauth2), a Dovecot that takes only
// its tokens (test/harness/oauth-mail.ts), n8n with this package installed, the "Other Provider" OAuth2
// credential, and the two workflows that use it: IMAP Sync Trigger -> No Operation, and Webhook -> Send
// Templated Email. Shared by test/e2e/oauth-in-n8n.test.ts and `npm run bench -- oauth-soak`.
import { randomUUID } from 'node:crypto';
import { startOAuth2Fake, type OAuth2Fake } from '../fakes/oauth2/server';
import { startOAuthMailServer, type OAuthMailServer } from '../harness/oauth-mail';
import type { Json } from './harness';
import { activate, createTriggerWorkflow } from './imap-flow';
import { startPackagedN8n, type N8nInstance } from './n8n-instance';

/** The client n8n signs in with; any redirect URI is allowed (n8n's callback is on a free port). */
export const APP = { clientId: 'n8n-crm-mail', clientSecret: 'n8n-crm-mail-secret' };
// Dovecot introspects tokens as a resource server with a client of its own
const DOVECOT = { clientId: 'dovecot', clientSecret: 'dovecot-secret' };
export const CREDENTIAL_TYPE = 'crmMailOAuth2Api';

export interface OAuthWorld {
	fake: OAuth2Fake;
	mail: OAuthMailServer;
	n8n: N8nInstance;
	/** The mailbox address: the SASL user of IMAP and SMTP, and who signs in on the consent page. */
	mailbox: string;
	stop(): Promise<void>;
}

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

/** Starts the provider, the mail server and n8n (`name`: its folder under .e2e/). */
export async function startOAuthWorld(o: {
	name: string;
	accessTokenTtlSeconds: number;
	log?: (m: string) => void;
}): Promise<OAuthWorld> {
	const started: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const s of started.splice(0).reverse()) await s().catch(() => undefined);
	};
	try {
		const fake = await startOAuth2Fake({
			clients: [APP, DOVECOT],
			accessTokenTtlSeconds: o.accessTokenTtlSeconds,
		});
		started.push(() => fake.close());
		const mail = await startOAuthMailServer({
			introspectionUrl: fake.introspectionUrl,
			...DOVECOT,
		});
		started.push(() => mail.stop());
		const n8n = await startPackagedN8n({ name: o.name, log: o.log });
		started.push(() => n8n.stop());
		return { fake, mail, n8n, mailbox: 'sales@oauth.test', stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Saves an "Other Provider Mailbox (IMAP/SMTP) OAuth2 API" credential as an admin fills it in (not connected). */
export async function createOAuthCredential(world: OAuthWorld): Promise<CredentialRef> {
	const { fake, mail } = world;
	const saved = await world.n8n.session.post('/rest/credentials', {
		name: `OAuth2 mailbox ${world.mailbox}`,
		type: CREDENTIAL_TYPE,
		data: {
			clientId: APP.clientId,
			clientSecret: APP.clientSecret,
			authUrl: fake.authorizationUrl,
			accessTokenUrl: fake.tokenUrl,
			mailScope: 'offline_access mail',
			authQueryParameters: '',
			authentication: 'header',
			user: world.mailbox,
			senderName: 'OAuth Sales',
			allowedSenders: '',
			imapHost: mail.host,
			imapPort: mail.imapPort,
			imapSecurity: 'none',
			smtpHost: mail.host,
			smtpPort: mail.submissionPort,
			smtpSecurity: 'none',
			allowSelfSigned: false,
		},
	});
	return { id: saved.id, name: saved.name, type: CREDENTIAL_TYPE };
}

/** Whether n8n holds tokens for the credential (its REST API answers `oauthTokenData: true`, never the tokens). */
export async function hasStoredTokens(world: OAuthWorld, credential: CredentialRef) {
	const c = await world.n8n.session.get(`/rest/credentials/${credential.id}?includeData=true`);
	return c?.data?.oauthTokenData === true;
}

/** IMAP Sync Trigger (OAuth2, INBOX, new mail only) -> No Operation, active; returns the workflow id. */
export async function activeOAuthTrigger(
	world: OAuthWorld,
	credential: CredentialRef,
): Promise<string> {
	const id = await createTriggerWorkflow(world.n8n, {
		kind: 'ours',
		credential,
		parameters: { authentication: 'oAuth2' },
		name: `OAuth2 trigger ${world.mailbox}`,
	});
	await activate(world.n8n, id);
	return id;
}

export interface SendWorkflow {
	id: string;
	path: string;
}

/** Webhook -> Send Templated Email (OAuth2, copy to Sent), active; the webhook answers when the run ended. */
export async function activeSendWorkflow(
	world: OAuthWorld,
	credential: CredentialRef,
): Promise<SendWorkflow> {
	const path = `oauth-send-${randomUUID().slice(0, 8)}`;
	const saved = await world.n8n.session.post('/rest/workflows', {
		name: `OAuth2 send ${world.mailbox}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				parameters: { path, httpMethod: 'POST', responseMode: 'lastNode', options: {} },
				webhookId: randomUUID(),
			},
			{
				id: randomUUID(),
				name: 'Send Offer',
				type: 'n8n-nodes-crm-mail.templatedEmail',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					authentication: 'oAuth2',
					mode: 'send',
					to: 'customer@client.test',
					subject: 'Offer {{body.n}}',
					htmlSource: 'inline',
					html: '<p>Hello {{default body.name "there"}}, here is offer {{body.n}}.</p>',
					text: '',
					missingVariables: 'fail',
					copyToSent: true,
				},
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Send Offer', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});
	await activate(world.n8n, saved.id);
	return { id: saved.id, path };
}

export interface SendResult {
	n: number;
	status: string;
	error?: string;
	subject: string;
}

/** Runs the send workflow for offer `n`; returns how its execution ended (with n8n's error message). */
export async function sendOffer(
	world: OAuthWorld,
	workflow: SendWorkflow,
	n: number,
): Promise<SendResult> {
	const before = await latestExecutionId(world, workflow.id);
	// responseMode lastNode: the answer comes when the run has ended (500 if it failed)
	await fetch(`${world.n8n.baseUrl}/webhook/${workflow.path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ n, name: 'Anna' }),
	}).then((r) => r.text());
	const deadline = Date.now() + 60000;
	for (;;) {
		const latest = await latestExecution(world, workflow.id);
		if (
			latest &&
			Number(latest.id) > before &&
			!['new', 'running', 'waiting'].includes(latest.status)
		)
			return {
				n,
				status: latest.status,
				error: latest.data?.resultData?.error?.message,
				subject: `Offer ${n}`,
			};
		if (Date.now() > deadline) throw new Error(`The send run of offer ${n} did not finish in 60 s`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

async function latestExecution(world: OAuthWorld, workflowId: string): Promise<Json | undefined> {
	const page = await world.n8n.publicApi(
		'GET',
		`/executions?workflowId=${workflowId}&includeData=true&limit=1`,
	);
	return page.data[0];
}

async function latestExecutionId(world: OAuthWorld, workflowId: string): Promise<number> {
	return Number((await latestExecution(world, workflowId))?.id ?? 0);
}

/** Messages in a folder of the mailbox, as Dovecot counts them (no token needed). */
export function messagesIn(world: OAuthWorld, folder: string): number {
	try {
		const out = world.mail.doveadm('mailbox', 'status', '-u', world.mailbox, 'messages', folder);
		return Number(/messages=(\d+)/.exec(out)?.[1] ?? 0);
	} catch {
		return 0; // the folder does not exist yet
	}
}

/**
 * Ends every IMAP session of the mailbox (a server restart or a network drop, as the client sees it); false when
 * there was none to end.
 */
export function kickImapSessions(world: OAuthWorld): boolean {
	try {
		world.mail.doveadm('kick', world.mailbox);
		return true;
	} catch (error) {
		// doveadm kick fails when the user has no session (exit code 68, "no users kicked")
		if (!world.mail.doveadm('who').includes(world.mailbox)) return false;
		throw error;
	}
}

/** A plain message for the mailbox's INBOX. */
export function inboundMail(world: OAuthWorld, messageId: string): string {
	return [
		'From: Client <client@example.org>',
		`To: ${world.mailbox}`,
		`Subject: Request ${messageId}`,
		`Message-ID: <${messageId}>`,
		`Date: ${new Date().toUTCString()}`,
		'',
		`Body of ${messageId}.`,
		'',
	].join('\r\n');
}
