import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { executeUnisender } from './actions';
import { toNodeError } from '../shared/errors';
import { errorFromAnswer } from './client/errors';
import { properties } from './description';
import { apiUrl, clientFor } from './transport';

export class Unisender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Unisender',
		name: 'unisender',
		icon: { light: 'file:unisender.svg', dark: 'file:unisender.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Add contacts to Unisender lists, import, exclude or unsubscribe them, and manage lists',
		defaults: { name: 'Unisender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'unisenderApi', required: true, testedBy: 'unisenderApiTest' }],
		properties,
	};

	methods = {
		loadOptions: {
			async getLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const client = await clientFor(this);
				try {
					const lists = await client.getLists();
					return lists
						.map((l) => ({ name: `${l.title} (${l.id})`, value: String(l.id) }))
						.sort((a, b) => a.name.localeCompare(b.name));
				} catch (e) {
					throw toNodeError(this.getNode(), e);
				}
			},
		},
		credentialTest: {
			// getLists with the key in the POST body. Unisender answers a wrong key with HTTP 200 and
			// `error`, so success is the absence of `error` in the body, not the status.
			async unisenderApiTest(
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
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeUnisender.call(this);
	}
}
