// OAuth2 of the Bitrix24 and amoCRM backends without a server: which answers refuse a token, the one renewal
// and repeat, and the URLs n8n builds from the two credentials (their hidden fields are n8n expressions over
// the admin's fields, resolved with `$self` as n8n's credentials helper does).
import type { INode, INodeParameters } from 'n8n-workflow';
import { AmoCrmOAuth2Api } from '../../../credentials/AmoCrmOAuth2Api.credentials';
import { Bitrix24OAuth2Api } from '../../../credentials/Bitrix24OAuth2Api.credentials';
import { amoCrmTokenVerdict } from '../../../nodes/CrmMatch/transport/amocrm/client';
import { bitrix24TokenVerdict } from '../../../nodes/CrmMatch/transport/bitrix24/client';
import { withAccessToken } from '../../../nodes/CrmMatch/transport/http';
import type { HttpRequest, HttpResponse } from '../../../nodes/CrmMatch/transport/types';
import { isReconnectError } from '../../../nodes/shared/oauth/tokenSource';
import { createWorkflow } from '../../harness/workflow';

const answer = (status: number, body: unknown): HttpResponse => ({ status, body, headers: {} });
const b24 = (status: number, error: string, error_description = '') =>
	answer(status, { error, error_description });

describe('which answers refuse the access token', () => {
	test('Bitrix24: 401 expired_token, invalid_token, NO_AUTH_FOUND; not a missing scope, the request limit or a CRM check', () => {
		for (const code of ['expired_token', 'invalid_token', 'NO_AUTH_FOUND'])
			expect(bitrix24TokenVerdict(b24(401, code, 'x'))).toEqual({
				refused: true,
				reason: `Bitrix24 refused the access token (401 ${code}: x)`,
			});
		expect(bitrix24TokenVerdict(b24(403, 'insufficient_scope')).refused).toBe(false);
		expect(bitrix24TokenVerdict(b24(503, 'QUERY_LIMIT_EXCEEDED')).refused).toBe(false);
		expect(bitrix24TokenVerdict(b24(400, '', 'Not found')).refused).toBe(false);
		expect(bitrix24TokenVerdict(answer(200, { result: [] })).refused).toBe(false);
		expect(bitrix24TokenVerdict(answer(401, '<html>proxy</html>')).refused).toBe(false);
	});

	test('amoCRM: every 401, with its problem+json words; not 402, 403 or 429', () => {
		expect(
			amoCrmTokenVerdict(
				answer(401, { title: 'Unauthorized', detail: 'Invalid user name or password' }),
			),
		).toEqual({
			refused: true,
			reason: 'amoCRM refused the access token (401 Unauthorized: Invalid user name or password)',
		});
		for (const status of [402, 403, 429, 200])
			expect(amoCrmTokenVerdict(answer(status, {})).refused).toBe(false);
	});
});

describe('withAccessToken', () => {
	/** Tokens like n8n's credential: renew gives the next token (a refresh) and counts it. */
	const tokens = () => {
		let current = 'token-1';
		const t = {
			renewals: [] as string[],
			token: async () => current,
			renew: async (rejected: string) => {
				t.renewals.push(rejected);
				current = `token-${Number(current.split('-')[1]) + 1}`;
				return current;
			},
		};
		return t;
	};
	const req: HttpRequest = { method: 'POST', path: '/crm.lead.add.json', body: { fields: {} } };

	test('an accepted token: one request, no renewal', async () => {
		const t = tokens();
		const sent: string[] = [];
		const http = withAccessToken(
			async (_r, token) => (sent.push(token), answer(200, { result: 1 })),
			t,
			bitrix24TokenVerdict,
			'Portal',
		);
		expect(await http(req)).toMatchObject({ status: 200 });
		expect(sent).toEqual(['token-1']);
		expect(t.renewals).toEqual([]);
	});

	test('a refused token: renewed once and the same request repeated with the new one', async () => {
		const t = tokens();
		const sent: Array<[HttpRequest, string]> = [];
		const http = withAccessToken(
			async (r, token) => {
				sent.push([r, token]);
				return token === 'token-1'
					? b24(401, 'expired_token', 'The access token provided has expired.')
					: answer(200, { result: 7 });
			},
			t,
			bitrix24TokenVerdict,
			'Portal',
		);
		expect(await http(req)).toMatchObject({ status: 200, body: { result: 7 } });
		expect(sent).toEqual([
			[req, 'token-1'],
			[req, 'token-2'],
		]);
		expect(t.renewals).toEqual(['token-1']);
	});

	test('refused again after the renewal: "needs to be reconnected" with the CRM\'s words, no third request', async () => {
		const t = tokens();
		let sent = 0;
		const http = withAccessToken(
			async () => (sent++, b24(401, 'invalid_token', 'The access token provided is invalid.')),
			t,
			bitrix24TokenVerdict,
			'My portal',
		);
		const error = await http(req).catch((e: unknown) => e);
		expect(isReconnectError(error)).toBe(true);
		expect((error as Error).message).toBe(
			'The OAuth2 credential "My portal" needs to be reconnected: Bitrix24 refused the access token (401 invalid_token: The access token provided is invalid.)',
		);
		expect(sent).toBe(2);
	});

	test("other failures are the backend's to report: returned as they are, no renewal", async () => {
		const t = tokens();
		const http = withAccessToken(
			async () => b24(403, 'insufficient_scope'),
			t,
			bitrix24TokenVerdict,
			'Portal',
		);
		expect(await http(req)).toMatchObject({ status: 403 });
		expect(t.renewals).toEqual([]);
	});
});

describe('the URLs n8n builds from the credentials', () => {
	const node: INode = {
		id: 'n',
		name: 'CRM',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = createWorkflow({ nodes: [node], connections: {} });
	/** The hidden fields' defaults with the admin's fields, resolved as n8n's credentials helper does. */
	const resolved = (
		properties: Array<{ name: string; type: string; default: unknown }>,
		fields: Record<string, string>,
	) => {
		const data = Object.fromEntries(properties.map((p) => [p.name, p.default])) as INodeParameters;
		Object.assign(data, fields);
		return workflow.expression.getComplexParameterValue(
			node,
			data,
			'internal',
			{},
			undefined,
			undefined,
			data,
		) as Record<string, string>;
	};

	test('Bitrix24: authorization on the portal (whatever form of its address), tokens from oauth.bitrix.info, client secret in the body', () => {
		const props = new Bitrix24OAuth2Api().properties;
		for (const portal of [
			'mycompany.bitrix24.com',
			'https://mycompany.bitrix24.com/',
			' https://mycompany.bitrix24.com/crm/deal/ ',
		])
			expect(resolved(props, { portal })).toMatchObject({
				authUrl: 'https://mycompany.bitrix24.com/oauth/authorize/',
				accessTokenUrl: 'https://oauth.bitrix.info/oauth/token/',
				grantType: 'authorizationCode',
				authentication: 'body',
			});
		expect(resolved(props, { portal: 'http://192.168.1.5:8080' }).authUrl).toBe(
			'http://192.168.1.5:8080/oauth/authorize/',
		);
		// before the admin typed the address: no expression error, an address that cannot be opened
		expect(resolved(props, {}).authUrl).toBe('https:///oauth/authorize/');
	});

	test('amoCRM / Kommo: authorization at www.amocrm.ru or www.kommo.com, tokens from the account itself', () => {
		const props = new AmoCrmOAuth2Api().properties;
		expect(resolved(props, { region: 'amocrm.ru', subdomain: 'mycompany' })).toMatchObject({
			authUrl: 'https://www.amocrm.ru/oauth',
			accessTokenUrl: 'https://mycompany.amocrm.ru/oauth2/access_token',
			authentication: 'body',
		});
		expect(resolved(props, { region: 'kommo.com', subdomain: ' mycompany ' })).toMatchObject({
			authUrl: 'https://www.kommo.com/oauth',
			accessTokenUrl: 'https://mycompany.kommo.com/oauth2/access_token',
		});
		expect(resolved(props, { region: 'custom', baseUrl: 'http://127.0.0.1:9000/' })).toMatchObject({
			authUrl: 'http://127.0.0.1:9000/oauth',
			accessTokenUrl: 'http://127.0.0.1:9000/oauth2/access_token',
		});
	});
});
