// The one place that does HTTP to Unisender (n8n glue): POST {baseUrl}/{lang}/api/{method}, everything
// (format, api_key via the credential's `authenticate`, arguments) in a form-encoded body.
import type { IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';
import { UnisenderClient } from './client';
import type { Transport } from './client';
import { httpError } from './errors';
import { pacerFor } from './pacer';

export const DEFAULT_BASE_URL = 'https://api.unisender.com';

export function apiUrl(baseUrl: unknown, lang: unknown, method: string): string {
	const base = String(baseUrl || DEFAULT_BASE_URL)
		.trim()
		.replace(/\/+$/, '');
	return `${base}/${String(lang || 'en')}/api/${encodeURIComponent(method)}`;
}

export async function clientFor(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
): Promise<UnisenderClient> {
	const creds = await ctx.getCredentials('unisenderApi');
	const transport: Transport = async (method, params) => {
		const options: IHttpRequestOptions = {
			method: 'POST',
			url: apiUrl(creds.baseUrl, creds.lang, method),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: { format: 'json', ...params },
			json: true,
			// importContacts can take up to 30 s (documented); give it some slack.
			timeout: 45_000,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		};
		let response: { statusCode: number; body: unknown };
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				'unisenderApi',
				options,
			)) as typeof response;
		} catch (e) {
			// Only the cause's message: n8n's error objects can carry the request, api_key included.
			throw httpError(
				method,
				undefined,
				String((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message),
			);
		}
		if (response.statusCode < 200 || response.statusCode >= 300)
			throw httpError(method, response.statusCode, `HTTP ${response.statusCode}`);
		let body = response.body;
		if (typeof body === 'string') {
			try {
				body = JSON.parse(body);
			} catch {
				throw httpError(
					method,
					undefined,
					'the answer was not JSON; check the Base URL of the credential',
					false,
				);
			}
		}
		return body;
	};
	return new UnisenderClient(transport, {
		pacer: pacerFor(String(creds.baseUrl || DEFAULT_BASE_URL), String(creds.apiKey)),
	});
}
