import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

/** Lists one data table with the key: tells a wrong key (401) from an n8n without the API (404). */
export async function n8nApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const base = `${String(data.baseUrl ?? '').replace(/\/+$/, '')}/api/v1`;
	try {
		const res = (await this.helpers.request({
			method: 'GET',
			uri: `${base}/data-tables?limit=1`,
			headers: { 'X-N8N-API-KEY': String(data.apiKey ?? '') },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
		})) as { statusCode: number; body: { message?: string } };
		if (res.statusCode === 200) return { status: 'OK', message: 'Connection successful' };
		if (res.statusCode === 401)
			return {
				status: 'Error',
				message: 'n8n refused the API key (401): create one under Settings > n8n API',
			};
		if (res.statusCode === 404)
			return {
				status: 'Error',
				message:
					'No data tables API at this URL (404): n8n 2.7+ with the public API enabled is needed',
			};
		return {
			status: 'Error',
			message: `n8n answered ${res.statusCode}: ${res.body?.message ?? ''}`,
		};
	} catch (e) {
		return {
			status: 'Error',
			message: `Cannot reach n8n at ${base}: ${(e as Error).message}`,
		};
	}
}
