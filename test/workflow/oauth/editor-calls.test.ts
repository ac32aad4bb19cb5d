// What the editor asks of the mailbox nodes with an OAuth2 credential: the folder and sender dropdowns (which
// refresh an expired token through n8n like a run does) and the credential's "Test" button (which cannot).
import { ImapMailbox } from '../../../nodes/ImapMailbox/ImapMailbox.node';
import { ImapSyncTrigger } from '../../../nodes/ImapSyncTrigger/ImapSyncTrigger.node';
import { TemplatedEmail } from '../../../nodes/TemplatedEmail/TemplatedEmail.node';
import { loadOptions, testCredential } from '../../harness/node-methods';
import {
	CLIENT,
	connectedCredential,
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	startOAuthSandbox,
	type OAuthSandbox,
} from './helpers';

describe('editor calls with an OAuth2 mailbox credential', () => {
	let sandbox: OAuthSandbox;
	beforeAll(async () => {
		sandbox = await startOAuthSandbox(60);
	}, 60_000);
	afterAll(async () => {
		await sandbox?.stop();
	});

	const connected = (user: string) =>
		connectedCredential(sandbox, user, sandbox.fake.issueTokens(user, CLIENT.clientId));
	const editor = (data: ReturnType<typeof connected>) => ({
		credentials: { [CREDENTIAL_TYPE]: data },
		credentialRefs: CREDENTIAL_REF,
		parameters: { authentication: 'oAuth2' },
	});

	it('the folder dropdowns of both IMAP nodes log in with a token refreshed after the stored one was refused', async () => {
		const data = connected('folders@oauth.test');
		const first = (data.oauthTokenData as { access_token: string }).access_token;
		const calls = editor(data);
		for (const node of [new ImapMailbox(), new ImapSyncTrigger()]) {
			sandbox.fake.expireAccessTokens();
			const refreshes = sandbox.fake.stats.refreshGrants;
			const folders = await loadOptions(node, 'getFolders', calls);
			expect(folders.map((f) => f.value)).toContain('INBOX');
			expect(sandbox.fake.stats.refreshGrants).toBe(refreshes + 1);
		}
		// saved through n8n into the credential, as a run saves it
		const stored = calls.credentials[CREDENTIAL_TYPE].oauthTokenData as { access_token: string };
		expect(stored.access_token).not.toBe(first);
	});

	it('the sender dropdown offers the mailbox address and its aliases', async () => {
		const data = { ...connected('sender@oauth.test'), allowedSenders: 'Support <help@oauth.test>' };
		const senders = await loadOptions(new TemplatedEmail(), 'getSenders', editor(data));
		expect(senders.map((s) => s.name)).toEqual([
			'Account Default (Sales <sender@oauth.test>)',
			'Sales <sender@oauth.test>',
			'Support <help@oauth.test>',
		]);
	});

	it('the credential test logs in with the stored token and says what to do when it cannot', async () => {
		const data = connected('test@oauth.test');
		for (const node of [new ImapMailbox(), new ImapSyncTrigger(), new TemplatedEmail()])
			expect(await testCredential(node, CREDENTIAL_TYPE, data)).toEqual({
				status: 'OK',
				message: expect.stringMatching(/^Connected as test@oauth\.test; \d+ folder\(s\) found$/),
			});
		sandbox.fake.expireAccessTokens();
		expect(await testCredential(new ImapMailbox(), CREDENTIAL_TYPE, data)).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^The server refused the stored access token\. It may simply have expired: the nodes refresh it/,
			),
		});
		const { oauthTokenData: _never, ...notConnected } = data;
		expect(await testCredential(new ImapMailbox(), CREDENTIAL_TYPE, notConnected)).toEqual({
			status: 'Error',
			message:
				'The account is not connected yet. Click "Connect my account" and sign in, then test again.',
		});
	});
});
