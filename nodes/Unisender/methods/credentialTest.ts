import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { errorFromAnswer } from '../transport/errors';
import { apiUrl } from '../transport/http';

// getLists with the key in the POST body. Unisender answers a wrong key with HTTP 200 and
// `error`, so success is the absence of `error` in the body, not the status.
export async function unisenderApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	if (!data.apiKey)
		return {
			status: 'Error',
			message: 'Enter the API key from Unisender > Settings > Integrations and API',
		};
	let body: { error?: unknown; code?: unknown; result?: unknown };
	try {
		// ICredentialTestFunctions only offers `request` in n8n 2.8.
		body = await this.helpers.request({
			method: 'POST',
			uri: apiUrl(data.baseUrl, data.lang, 'getLists'),
			form: { format: 'json', api_key: data.apiKey },
			json: true,
			timeout: 20_000,
		});
	} catch (e) {
		return {
			status: 'Error',
			message: `Could not reach Unisender at ${String(data.baseUrl)}: ${(e as Error).message.split('\n')[0]}. Check the Base URL.`,
		};
	}
	if (body && typeof body === 'object' && body.error !== undefined && body.error !== null) {
		const err = errorFromAnswer('getLists', body);
		return { status: 'Error', message: `${err.message}. ${err.description}` };
	}
	if (!body || typeof body !== 'object' || !('result' in body)) {
		return {
			status: 'Error',
			message:
				'The Base URL did not answer like the Unisender API. Use https://api.unisender.com (or https://api.selzy.com).',
		};
	}
	return { status: 'OK', message: 'Connection successful' };
}
