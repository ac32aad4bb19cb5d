import { createHmac } from 'node:crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/** EspoCRM's HMAC header: base64(apiKey + ':' + hex(HMAC-SHA256(secret, 'METHOD /ResourcePath'))), path without query. */
export function espoHmacHeader(
	apiKey: string,
	secret: string,
	method: string,
	url: string,
): string {
	const path = new URL(url, 'http://x').pathname.replace(/^.*?\/api\/v1/, '') || '/';
	const hash = createHmac('sha256', secret).update(`${method.toUpperCase()} ${path}`).digest('hex');
	return Buffer.from(`${apiKey}:${hash}`).toString('base64');
}

export class EspoCrmApi implements ICredentialType {
	name = 'crmMailEspoCrmApi';

	displayName = 'CRM Mail EspoCRM API';

	icon: Icon = { light: 'file:espoCrmApi.svg', dark: 'file:espoCrmApi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#crm-match--create';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://crm.example.com',
			description: 'Address of your EspoCRM site (without /api/v1)',
			required: true,
		},
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'API Key', value: 'apiKey', description: 'Header X-Api-Key' },
				{
					name: 'HMAC',
					value: 'hmac',
					description: 'Signed requests (X-Hmac-Authorization); the secret never travels',
				},
			],
			default: 'apiKey',
			description:
				'The authentication method set for the API user in EspoCRM (Administration > API Users)',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The API user's key",
			required: true,
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The API user's secret key (HMAC only)",
			displayOptions: { show: { authType: ['hmac'] } },
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers = { ...(requestOptions.headers ?? {}) };
		if (credentials.authType === 'hmac') {
			const url = `${requestOptions.baseURL ?? ''}${requestOptions.url}`;
			headers['X-Hmac-Authorization'] = espoHmacHeader(
				String(credentials.apiKey),
				String(credentials.secretKey),
				requestOptions.method ?? 'GET',
				url,
			);
		} else headers['X-Api-Key'] = String(credentials.apiKey);
		return { ...requestOptions, headers };
	}

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/api/v1', url: '/App/user' },
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'EspoCRM refused the key (401): copy the API key (and for HMAC the secret) of the API user again',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No EspoCRM API at this URL (404): use the address of the EspoCRM site, e.g. https://crm.example.com',
				},
			},
		],
	};
}
