// The mailbox nodes with an OAuth2 credential, inside n8n-core: access tokens that live 2 seconds, refreshed by
// n8n's own refreshOAuth2Token against a local authorization server, saved back into the credential (through
// JSON, as n8n's store does), and checked by a real Dovecot at every IMAP and SMTP login.
import type { IDataObject } from 'n8n-workflow';
import { forgetTrackers } from '../../../nodes/ImapSyncTrigger/engine/deliveryTracker';
import { runWorkflow, startTrigger, outputOf, type WorkflowJson } from '../../harness/workflow';
import {
	CLIENT,
	connectedCredential,
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	openMailbox,
	rawMail,
	sleep,
	startOAuthSandbox,
	type OAuthSandbox,
} from './helpers';

const TTL_SECONDS = 2;
const RECONNECT = /needs to be reconnected: invalid_grant/;

function triggerWorkflow(staticData: IDataObject): WorkflowJson {
	return {
		nodes: [
			{
				id: 'a1f0c9e1-0b1d-4c55-9d1e-000000000017',
				name: 'IMAP Sync Trigger',
				type: 'n8n-nodes-crm-mail.imapSyncTrigger',
				typeVersion: 2,
				position: [0, 0],
				parameters: {
					authentication: 'oAuth2',
					folders: {
						folder: [
							{ path: 'INBOX', direction: 'incoming', load: 'full', afterAction: 'nothing' },
						],
					},
					firstSync: 'all',
				},
				credentials: CREDENTIAL_REF,
			},
		],
		connections: {},
		staticData,
	};
}

function nodeWorkflow(
	type: string,
	typeVersion: number,
	parameters: IDataObject,
	continueOnFail = false,
): WorkflowJson {
	return {
		nodes: [
			{
				id: 'b2f0c9e1-0b1d-4c55-9d1e-000000000017',
				name: 'Node',
				type: `n8n-nodes-crm-mail.${type}`,
				typeVersion,
				position: [0, 0],
				parameters: { authentication: 'oAuth2', ...parameters },
				credentials: CREDENTIAL_REF,
				...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {},
	};
}

const sendParameters = (copyToSent: boolean) => ({
	mode: 'send',
	to: '={{ $json.email }}',
	subject: 'Offer {{n}}',
	html: '<p>Offer {{n}}</p>',
	copyToSent,
});

describe('OAuth2 mailboxes in a workflow', () => {
	let sandbox: OAuthSandbox;
	beforeAll(async () => {
		sandbox = await startOAuthSandbox(TTL_SECONDS);
	}, 60_000);
	afterAll(async () => {
		await sandbox?.stop();
	});
	afterEach(() => forgetTrackers());

	let n = 0;
	const connect = (prefix: string) => {
		const user = `${prefix}-${++n}@oauth.test`;
		const tokens = sandbox.fake.issueTokens(user, CLIENT.clientId, 'offline_access mail');
		return {
			user,
			tokens,
			creds: { [CREDENTIAL_TYPE]: connectedCredential(sandbox, user, tokens) },
		};
	};

	it('the trigger receives every mail once across token expiries and two re-activations; n8n saves each new token', async () => {
		const { user, tokens, creds } = connect('trigger');
		const refreshesBefore = sandbox.fake.stats.refreshGrants;
		const staticData: IDataObject = {};
		const subjects: string[] = [];
		let delivered = 0;
		for (let round = 0; round < 3; round++) {
			const t = await startTrigger(triggerWorkflow(staticData), 'IMAP Sync Trigger', {
				credentials: creds,
			});
			try {
				// mail arrives over several token lifetimes; each round then reconnects with a new activation
				for (let i = 0; i < 6; i++) {
					await sandbox.mail.deliver(user, rawMail(user, `r${round}-m${i}`));
					delivered++;
					await sleep(700);
				}
				const items = await t.waitForItems(6, 30_000);
				subjects.push(...items.map((item) => String(item.json.subject)));
				expect(t.errors).toEqual([]);
				expect(t.failedExecutions).toEqual([]);
			} finally {
				await t.close();
			}
		}
		expect(subjects.length).toBe(delivered);
		expect(new Set(subjects).size).toBe(delivered);
		// 12+ s of 2 s tokens: refreshed ahead of expiry by the trigger, each saved into the credential
		expect(sandbox.fake.stats.refreshGrants - refreshesBefore).toBeGreaterThanOrEqual(4);
		const stored = creds[CREDENTIAL_TYPE].oauthTokenData as IDataObject;
		expect(stored.access_token).not.toBe(tokens.access_token);
		expect(stored.refresh_token).toBe(tokens.refresh_token);
	}, 120_000);

	it('Send Templated Email sends after the first token expired and copies to Sent with the same credential', async () => {
		const { user, creds } = connect('sender');
		const before = sandbox.mail.sink.messages.length;
		await sleep(TTL_SECONDS * 1000 + 500);
		const run = await runWorkflow(nodeWorkflow('templatedEmail', 1, sendParameters(true)), {
			credentials: creds,
			input: [
				{ json: { email: 'a@client.test', n: 1 } },
				{ json: { email: 'b@client.test', n: 2 } },
			],
		});
		const out = outputOf(run, 'Node');
		expect(out.map((item) => item.json.error)).toEqual([undefined, undefined]);
		await sandbox.mail.sink.waitFor(before + 2);
		const sent = sandbox.mail.sink.messages.slice(before);
		expect(sent.map((m) => m.envelope.rcptTo).sort()).toEqual([
			['a@client.test'],
			['b@client.test'],
		]);
		expect(sent.every((m) => m.envelope.mailFrom === user)).toBe(true);
		const imap = await openMailbox(sandbox, user);
		try {
			expect(await imap.status('Sent', { messages: true })).toMatchObject({ messages: 2 });
		} finally {
			await imap.logout();
		}
	}, 60_000);

	it('IMAP Mailbox lists folders with a token it had to refresh', async () => {
		const { creds } = connect('mailbox');
		sandbox.fake.expireAccessTokens();
		const run = await runWorkflow(
			nodeWorkflow('imapMailbox', 2, { resource: 'folder', operation: 'listFolders' }),
			{ credentials: creds } as never,
		);
		const paths = outputOf(run, 'Node').map((item) => item.json.path);
		expect(paths).toContain('INBOX');
	}, 60_000);

	it('a revoked consent: every node says to reconnect the credential, the active trigger at once', async () => {
		const { user, tokens, creds } = connect('revoked');
		const t = await startTrigger(triggerWorkflow({}), 'IMAP Sync Trigger', { credentials: creds });
		try {
			sandbox.fake.revoke(tokens.refresh_token);
			// the trigger's next refresh (within a token lifetime) is refused: a failed execution that says what to do
			for (let i = 0; i < 100 && !t.failedExecutions.length; i++) await sleep(100);
			expect(t.failedExecutions.map((e) => e.message)).toEqual([expect.stringMatching(RECONNECT)]);
			expect(t.failedExecutions[0].message).toContain('"Sales mailbox (OAuth2)"');
		} finally {
			await t.close();
		}

		await expect(
			startTrigger(triggerWorkflow({}), 'IMAP Sync Trigger', { credentials: creds }),
		).rejects.toThrow(RECONNECT);

		const send = await runWorkflow(nodeWorkflow('templatedEmail', 1, sendParameters(false), true), {
			credentials: creds,
			input: [{ json: { email: 'c@client.test', n: 3 } }],
		});
		const [failed] = outputOf(send, 'Node');
		expect(failed.json.error).toMatch(RECONNECT);
		expect(failed.json.description).toMatch(/Reconnect my account/);

		const list = await runWorkflow(
			nodeWorkflow('imapMailbox', 2, { resource: 'folder', operation: 'listFolders' }),
			{ credentials: creds } as never,
		);
		expect(list.data.resultData.error?.message).toMatch(RECONNECT);
		expect(user).toMatch(/@oauth\.test$/);
	}, 60_000);
});
