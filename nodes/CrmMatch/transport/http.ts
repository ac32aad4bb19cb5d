// The backend of the node's "Backend" choice, talking HTTP through n8n's authenticated request helper.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { AmoCrmBackend } from './amocrm/backend';
import { Bitrix24Backend } from './bitrix24/backend';
import { DataTablesBackend } from './dataTables/backend';
import { EspoCrmBackend } from './espocrm/backend';
import type { CrmBackend, Http } from './types';

type Ctx = IExecuteFunctions | ILoadOptionsFunctions;

function httpFor(ctx: Ctx, credentialType: string, base: string): Http {
	return async (req) => {
		const res = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
			method: req.method,
			url: `${base}${req.path}`,
			qs: req.query,
			headers: req.headers,
			body: req.body as IDataObject,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown; headers: Record<string, string> };
		return { status: res.statusCode, body: res.body, headers: res.headers };
	};
}

export async function backendFor(ctx: Ctx, tablePrefix = 'crm_'): Promise<CrmBackend> {
	const kind = ctx.getNodeParameter('backend', 'dataTables') as string;
	if (kind === 'espoCrm') {
		const creds = await ctx.getCredentials('crmMailEspoCrmApi');
		return new EspoCrmBackend(
			httpFor(ctx, 'crmMailEspoCrmApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		);
	}
	if (kind === 'bitrix24') {
		const creds = await ctx.getCredentials('crmMailBitrix24Api');
		const webhook = String(creds.webhookUrl).trim().replace(/\/+$/, '');
		return new Bitrix24Backend(httpFor(ctx, 'crmMailBitrix24Api', webhook), portalOf(webhook));
	}
	if (kind === 'amoCrm') {
		const creds = await ctx.getCredentials('crmMailAmoCrmApi');
		const base = amoCrmBase(creds.region, creds.subdomain, creds.baseUrl);
		return new AmoCrmBackend(httpFor(ctx, 'crmMailAmoCrmApi', `${base}/api/v4`), portalOf(base));
	}
	const creds = await ctx.getCredentials('crmMailN8nApi');
	return new DataTablesBackend(
		httpFor(ctx, 'crmMailN8nApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		tablePrefix || 'crm_',
	);
}

/** The portal of a webhook URL (its host): Bitrix24's request limit counts per portal. */
function portalOf(webhook: string): string {
	try {
		return new URL(webhook).host;
	} catch {
		return webhook;
	}
}

/** The account's own host: `https://<subdomain>.<amocrm.ru|kommo.com>`, or a custom base URL. */
function amoCrmBase(region: unknown, subdomain: unknown, baseUrl: unknown): string {
	if (region === 'custom')
		return String(baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
	const sub = String(subdomain ?? '')
		.trim()
		.replace(/^https?:\/\//, '')
		.split('.')[0];
	return `https://${sub}.${String(region || 'amocrm.ru')}`;
}
