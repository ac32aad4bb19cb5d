// The campaign tables of the n8n instance a node's "CRM Mail Data Tables API" credential points at, with
// requests sent through n8n's authenticated request helper (the API key never passes through our code).
// Typed structurally, so this module needs no n8n import: execute and webhook contexts both fit.
import type { Http } from '../../CrmMatch/transport/types';
import { CampaignTables, DEFAULT_TABLE_PREFIX } from './tables';

export const DATA_TABLES_CREDENTIAL = 'crmMailN8nApi';

interface RequestOptions {
	method: string;
	url: string;
	qs?: Record<string, string>;
	headers?: Record<string, string>;
	body?: unknown;
	json: boolean;
	returnFullResponse: boolean;
	ignoreHttpStatusErrors: boolean;
}
type AuthenticatedRequest = (
	this: unknown,
	credentialsType: string,
	options: RequestOptions,
) => Promise<unknown>;
export interface DataTablesContext {
	getCredentials(type: string): Promise<object>;
	helpers: { httpRequestWithAuthentication: unknown };
}

export async function campaignTablesFor(
	ctx: DataTablesContext,
	prefix = DEFAULT_TABLE_PREFIX,
): Promise<CampaignTables> {
	const creds = (await ctx.getCredentials(DATA_TABLES_CREDENTIAL)) as { baseUrl?: unknown };
	const request = ctx.helpers.httpRequestWithAuthentication as AuthenticatedRequest;
	const base = `${String(creds.baseUrl ?? '').replace(/\/+$/, '')}/api/v1`;
	const http: Http = async (req) => {
		const res = (await request.call(ctx, DATA_TABLES_CREDENTIAL, {
			method: req.method,
			url: `${base}${req.path}`,
			qs: req.query,
			headers: req.headers,
			body: req.body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown; headers: Record<string, string> };
		return { status: res.statusCode, body: res.body, headers: res.headers };
	};
	return new CampaignTables(http, base, prefix.trim() || DEFAULT_TABLE_PREFIX);
}
