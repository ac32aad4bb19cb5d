// The backend of the node's "Backend" choice, talking HTTP through n8n's authenticated request helper.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
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
	const creds = await ctx.getCredentials('crmMailN8nApi');
	return new DataTablesBackend(
		httpFor(ctx, 'crmMailN8nApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		tablePrefix || 'crm_',
	);
}
