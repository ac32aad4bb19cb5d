// CRM Match & Create on amoCRM / Kommo through an integration's OAuth2, in real workflows: n8n-core's own
// refreshOAuth2Token against the fake account's `/oauth2/access_token` (refresh tokens work once), the new pair
// saved into the credential (through JSON, as n8n's store does), access tokens expiring in the middle of a run
// while several requests are in flight.
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { loadOptions, testCredential } from '../../harness/node-methods';
import { FakeAmoCrm } from '../../fakes/amocrm/server';
import type { AmoCrmTokens } from '../../fakes/amocrm/oauth';
import { CrmMatch } from '../../../nodes/CrmMatch/CrmMatch.node';
import { setAccountLimits } from '../../../nodes/CrmMatch/transport/amocrm/client';

const TYPE = 'crmMailAmoCrmOAuth2Api';
const INTEGRATION = {
	clientId: '6a2d4741-1b2c-4d5e-8f90-92277723dcea',
	clientSecret: 'integration-secret',
	redirectUri: 'http://localhost:5678/rest/oauth2-credential/callback',
};
let fake: FakeAmoCrm;

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
				backend: 'amoCrm',
				authentication: 'oAuth2',
				options: { ownAddresses: 'sales@mycompany.com' },
				...parameters,
			},
			credentials: { [TYPE]: { id: 'amo', name: 'amoCRM (OAuth2)' } },
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
const connected = (tokens: AmoCrmTokens) => ({
	[TYPE]: {
		region: 'custom',
		baseUrl: fake.baseUrl,
		clientId: INTEGRATION.clientId,
		clientSecret: INTEGRATION.clientSecret,
		// what the hidden expression gives for this account (checked in test/unit/crm-match)
		accessTokenUrl: `${fake.baseUrl}/oauth2/access_token`,
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
const emailOf = (row: IDataObject) =>
	(row.custom_fields_values as Array<{ values: Array<{ value: string }> }> | null)?.[0]?.values?.[0]
		?.value;

beforeEach(async () => {
	fake = new FakeAmoCrm();
	fake.perSecond = 10_000;
	await fake.start();
	fake.oauth.addIntegration(INTEGRATION);
	setAccountLimits(new URL(fake.baseUrl).host, { perSecond: 10_000 });
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});

test('Match & Create over OAuth2: the token expires while lookups are in flight; ONE refresh (a second would spend the single-use refresh token), the new pair saved, one contact and lead per sender', async () => {
	const tokens = fake.oauth.issueTokens(INTEGRATION.clientId);
	const creds = connected(tokens);
	// two of the six parallel lookups pass, the others meet the expired token at once
	fake.oauth.expireAfterCalls(2);
	const res = await run(
		creds,
		senders.map((s, i) => incoming(s, `Quote ${i}`)),
	);
	expect(res.data.resultData.error).toBeUndefined();
	// several requests met the expired token together; they shared the one refresh
	expect(fake.oauth.stats.refusedTokens).toBeGreaterThan(1);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	expect(fake.oauth.stats.refreshFailures).toBe(0);
	expect(fake.list('contacts').map(emailOf).sort()).toEqual([...senders].sort());
	expect(fake.list('leads')).toHaveLength(senders.length);
	for (const item of outputOf(res, 'CRM'))
		expect(((item.json.crm as IDataObject).created as IDataObject[]).length).toBeGreaterThan(0);
	// n8n saved the rotated pair; the old refresh token is spent
	const saved = creds[TYPE].oauthTokenData as IDataObject;
	expect(saved.access_token).not.toBe(tokens.access_token);
	expect(saved.refresh_token).not.toBe(tokens.refresh_token);
	const reuse = await fetch(`${fake.baseUrl}/oauth2/access_token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			client_id: INTEGRATION.clientId,
			client_secret: INTEGRATION.clientSecret,
			grant_type: 'refresh_token',
			refresh_token: tokens.refresh_token,
		}),
	});
	expect(reuse.status).toBe(400);

	// the next run with the saved token finds everything and creates nothing, without a refresh
	const again = await run(
		creds,
		senders.map((s, i) => incoming(s, `Follow-up ${i}`)),
	);
	expect(again.data.resultData.error).toBeUndefined();
	expect(fake.list('contacts')).toHaveLength(senders.length);
	expect(fake.list('leads')).toHaveLength(senders.length);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	for (const item of outputOf(again, 'CRM'))
		expect((item.json.crm as IDataObject).created).toEqual([]);
});

test('four executions at once meet the expired token: they share one refresh (a second would fail: the refresh token works once), all succeed', async () => {
	const tokens = fake.oauth.issueTokens(INTEGRATION.clientId);
	const creds = connected(tokens);
	fake.oauth.expireAccessTokens();
	const runs = await Promise.all(
		senders.slice(0, 4).map((s, i) => run(creds, [incoming(s, `Parallel ${i}`)])),
	);
	for (const r of runs) expect(r.data.resultData.error).toBeUndefined();
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	expect(fake.oauth.stats.refreshFailures).toBe(0);
	expect(fake.list('contacts')).toHaveLength(4);
});

test("a refused refresh (integration removed, token revoked) says to reconnect the credential by name, with amoCRM's words", async () => {
	const tokens = fake.oauth.issueTokens(INTEGRATION.clientId);
	fake.oauth.expireAccessTokens();
	fake.oauth.store.revokeAll();
	const res = await run(connected(tokens), [incoming('new@prospect.io', 'Hello')]);
	const error = res.data.resultData.error as unknown as {
		name: string;
		message: string;
		description: string;
	};
	expect(error.name).toBe('NodeApiError');
	expect(error.message).toMatch(
		/"amoCRM \(OAuth2\)" needs to be reconnected: .*refused the refresh token \(HTTP 400.*Token has been revoked/,
	);
	expect(error.description).toMatch(/Reconnect my account/);
	expect(fake.list('contacts')).toEqual([]);
	expect(fake.list('leads')).toEqual([]);
});

test('dropdowns work over OAuth2 (refreshing an expired token); the credential test reads /account with the stored token', async () => {
	const tokens = fake.oauth.issueTokens(INTEGRATION.clientId);
	const credentials = connected(tokens);
	const node = new CrmMatch();
	const parameters = { backend: 'amoCrm', authentication: 'oAuth2' };
	fake.oauth.expireAccessTokens();
	expect(await loadOptions(node, 'getStages', { credentials, parameters })).toEqual([
		{ name: 'Sales / First contact', value: '10:11' },
		{ name: 'Sales / Negotiation', value: '10:12' },
	]);
	expect(fake.oauth.stats.refreshGrants).toBe(1);
	const fresh = credentials[TYPE];
	expect(await testCredential(node, TYPE, fresh)).toEqual({
		status: 'OK',
		message: 'Connection successful',
	});
	const account = fake.requests.filter((r) => r.path === '/api/v4/account').pop()!;
	expect(account.headers.authorization).toBe(
		`Bearer ${(fresh.oauthTokenData as IDataObject).access_token}`,
	);
	fake.oauth.expireAccessTokens();
	expect(await testCredential(node, TYPE, fresh)).toEqual({
		status: 'Error',
		// n8n's tester words a 401 itself on some versions, else the rule's message
		message: expect.stringMatching(/refused the stored access token \(401\)|Authorization failed/),
	});
});
