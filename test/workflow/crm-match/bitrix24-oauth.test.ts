// CRM Match & Create on Bitrix24 through an OAuth2 local application, in real workflows: n8n-core's own
// refreshOAuth2Token against the fake portal's token endpoint (single-use refresh tokens), the new pair saved
// into the credential (through JSON, as n8n's store does), access tokens that expire in the middle of a run.
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeHttpServer } from '../../harness/fake-http';
import { FakeBitrix24 } from '../../fakes/bitrix24/server';
import type { Bitrix24Tokens } from '../../fakes/bitrix24/oauth';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';
import { setPortalLimits } from '../../../nodes/CrmMatch/transport/bitrix24/client';

const TYPE = 'crmMailBitrix24OAuth2Api';
const APP = { clientId: 'local.65f1c0a2b3d4e5.12345678', clientSecret: 'app-secret-1' };
let fake: FakeBitrix24;

const wf = (parameters: Record<string, unknown>): WorkflowJson => ({
	nodes: [
		{
			id: 's',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'c',
			name: 'CRM',
			type: 'n8n-nodes-crm-mail.crmMatch',
			typeVersion: 2,
			position: [200, 0],
			parameters: {
				backend: 'bitrix24',
				authentication: 'oAuth2',
				options: { ownAddresses: 'sales@mycompany.com' },
				...parameters,
			},
			credentials: { [TYPE]: { id: 'b24', name: 'Portal (OAuth2)' } },
		},
	],
	connections: { Start: { main: [[{ node: 'CRM', type: NodeConnectionTypes.Main, index: 0 }]] } },
});

const incoming = (from: string, subject: string) => ({
	json: {
		from: [{ name: 'Jane Doe', address: from }],
		to: [{ name: 'Sales', address: 'sales@mycompany.com' }],
		cc: [],
		subject,
		messageId: `<${subject.replace(/\W/g, '')}@x>`,
		direction: 'incoming',
		headers: {},
	},
});

/** The credential's data as n8n decrypts it after "Connect my account" (n8n 2.8 stores no expiry time). */
const connected = (tokens: Bitrix24Tokens, portal = fake.baseUrl) => ({
	[TYPE]: {
		portal,
		clientId: APP.clientId,
		clientSecret: APP.clientSecret,
		// on a real portal oauth.bitrix.info/oauth/token/; the fake serves it on its own host
		accessTokenUrl: `${fake.baseUrl}/oauth/token/`,
		oauthTokenData: { ...tokens } as unknown as IDataObject,
	} as ICredentialDataDecryptedObject,
});

const run = async (
	creds: Record<string, ICredentialDataDecryptedObject>,
	input: Array<{ json: IDataObject }>,
	parameters: Record<string, unknown> = { operation: 'matchAndCreate' },
) =>
	await runWorkflow(wf(parameters), { credentials: creds, input: input as INodeExecutionData[] });

const senders = Array.from({ length: 6 }, (_, i) => `buyer${i}@prospect${i}.io`);
const restCalls = () => fake.requests.filter((r) => /^\/rest\/[a-z]/i.test(r.path));

beforeEach(async () => {
	fake = new FakeBitrix24();
	fake.limits = { burst: 10_000, perSecond: 10_000 };
	await fake.start();
	fake.oauth.addApp(APP);
	setPortalLimits(new URL(fake.baseUrl).host, { burst: 10_000, perSecond: 10_000 });
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Match & Create over OAuth2: the access token expires mid-run; ONE refresh through n8n, the rotated pair saved, every sender created once', async () => {
	const tokens = fake.oauth.issueTokens(APP.clientId);
	const creds = connected(tokens);
	// the lookup (2 batches) and the first sender's lead go through (4 calls); the token expires before the
	// second sender's crm.lead.add
	fake.oauth.expireAfterCalls(7);
	const res = await run(
		creds,
		senders.map((s, i) => incoming(s, `Quote ${i}`)),
	);
	expect(res.data.resultData.error).toBeUndefined();
	expect(fake.oauth.stats.refusedTokens).toBe(1);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	// the refused create (it did nothing) is sent again after the refresh
	const paths = fake.requests.map((r) => r.path);
	const refresh = paths.indexOf('/oauth/token/');
	expect(paths.slice(refresh - 1, refresh + 2)).toEqual([
		'/rest/crm.lead.add.json',
		'/oauth/token/',
		'/rest/crm.lead.add.json',
	]);
	// every item has its lead, and the portal holds exactly one lead per sender
	const leads = fake.list('lead');
	expect(leads.map((l) => (l.EMAIL as IDataObject[])[0].VALUE).sort()).toEqual([...senders].sort());
	const out = outputOf(res, 'CRM');
	expect(out).toHaveLength(senders.length);
	for (const item of out)
		expect((item.json.crm as IDataObject).created).toEqual([
			expect.objectContaining({ type: 'lead', created: true }),
		]);
	// calls went to /rest/<method> with the token in `auth`, never in the URL
	expect(restCalls().length).toBeGreaterThan(2);
	expect(restCalls().every((r) => !('auth' in r.query))).toBe(true);
	// n8n saved the new pair: both tokens replaced (Bitrix24's refresh token works once)
	const saved = creds[TYPE].oauthTokenData as IDataObject;
	expect(saved.access_token).not.toBe(tokens.access_token);
	expect(saved.refresh_token).not.toBe(tokens.refresh_token);
	const reuse = await fetch(
		`${fake.baseUrl}/oauth/token/?grant_type=refresh_token&client_id=${APP.clientId}&client_secret=${APP.clientSecret}&refresh_token=${tokens.refresh_token}`,
	);
	expect(reuse.status).toBe(400);
	expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });

	// the next run uses the saved token: matched, nothing created, no refresh
	const again = await run(
		creds,
		senders.map((s, i) => incoming(s, `Follow-up ${i}`)),
	);
	expect(again.data.resultData.error).toBeUndefined();
	expect(fake.list('lead')).toHaveLength(senders.length);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	expect(outputOf(again, 'CRM').every((o) => (o.json.crm as IDataObject).primary !== null)).toBe(
		true,
	);
});

test('four executions at once meet the expired token: one refresh serves them all (the refresh token works once), every lead created once', async () => {
	const tokens = fake.oauth.issueTokens(APP.clientId);
	const creds = connected(tokens);
	fake.oauth.expireAccessTokens();
	const runs = await Promise.all(
		senders.slice(0, 4).map((s, i) => run(creds, [incoming(s, `Parallel ${i}`)])),
	);
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	expect(fake.oauth.stats.refreshFailures).toBe(0);
	expect(fake.list('lead')).toHaveLength(4);
});

test('a refresh the portal refuses (application deleted) says to reconnect the credential, by name, and creates nothing', async () => {
	const tokens = fake.oauth.issueTokens(APP.clientId);
	fake.oauth.expireAccessTokens();
	fake.oauth.store.revokeAll();
	const res = await run(connected(tokens), [incoming('new@prospect.io', 'Hello')]);
	const error = res.data.resultData.error as unknown as {
		name: string;
		message: string;
		description: string;
	};
	expect(error.name).toBe('NodeApiError');
	expect(error.message).toMatch(/"Portal \(OAuth2\)" needs to be reconnected: .*invalid_grant/);
	expect(error.description).toMatch(/Reconnect my account/);
	expect(fake.list('lead')).toEqual([]);
});

test('a token the portal does not know (invalid_token) is renewed once; a credential never connected says to connect it', async () => {
	const tokens = fake.oauth.issueTokens(APP.clientId);
	const creds = connected({ ...tokens, access_token: 'from-another-portal' });
	const res = await run(creds, [incoming('known@b.com', 'Hi')], { operation: 'match' });
	expect(res.data.resultData.error).toBeUndefined();
	expect(fake.oauth.stats.refreshGrants).toBe(1);

	const never = connected(tokens);
	delete never[TYPE].oauthTokenData;
	const failed = await run(never, [incoming('known@b.com', 'Hi')], { operation: 'match' });
	expect(failed.data.resultData.error?.message).toMatch(/needs to be reconnected: .*not connected/);
});

test('dropdowns work over OAuth2 (refreshing an expired token); the credential test calls profile with the stored token', async () => {
	const tokens = fake.oauth.issueTokens(APP.clientId);
	const credentials = connected(tokens);
	const node = new CrmMatch();
	const parameters = { backend: 'bitrix24', authentication: 'oAuth2' };
	fake.oauth.expireAccessTokens();
	expect(
		(await loadOptions(node, 'getSources', { credentials, parameters })).map((o) => o.value),
	).toEqual(['CALL', 'EMAIL', 'WEB', 'OTHER']);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	const owners = await loadOptions(node, 'getOwners', { credentials, parameters });
	expect(owners.map((o) => o.value)).toContain('1');

	const fresh = credentials[TYPE];
	expect(await testCredential(node, TYPE, fresh)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	expect(fake.requests.some((r) => r.path === '/rest/profile.json')).toBe(true);
	fake.oauth.expireAccessTokens();
	expect(await testCredential(node, TYPE, fresh)).toEqual({
		status: 'Error',
		// n8n's tester words a 401 itself on some versions, else the rule's message
		message: expect.stringMatching(
			/refused the stored access token \(401\).*Reconnect my account|Authorization failed/,
		),
	});
	const notBitrix = new FakeHttpServer();
	await notBitrix.start();
	try {
		// an address copied from the browser: the path is left out, the host has no REST API
		expect(
			await testCredential(node, TYPE, { ...fresh, portal: `${notBitrix.baseUrl}/crm/deal/` }),
		).toEqual({
			status: 'Error',
			message: expect.stringMatching(/No Bitrix24 REST API.*404|could not be found/),
		});
		expect(notBitrix.requests.map((r) => r.path)).toEqual(['/rest/profile.json']);
	} finally {
		await notBitrix.stop();
	}
});
