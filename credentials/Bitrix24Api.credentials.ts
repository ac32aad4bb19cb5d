import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// A Bitrix24 inbound webhook for the CRM Match & Create node: the URL itself carries the secret code, so
// nothing is added to requests. (An OAuth2 local application is not offered yet.)
export class Bitrix24Api implements ICredentialType {
	name = 'crmMailBitrix24Api';

	displayName = 'Bitrix24 API';

	icon: Icon = { light: 'file:bitrix24Api.svg', dark: 'file:bitrix24Api.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#crm-match--create';

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the URL carries the webhook's secret code
		{
			displayName: 'Inbound Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'https://yourcompany.bitrix24.com/rest/1/abcdef0123456789/',
			description:
				'In Bitrix24: Developer resources > Other > Inbound webhook, with the permissions CRM (crm) and Users (user). The URL contains a secret code: keep it like a password.',
			required: true,
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.webhookUrl.trim().replace(/\\/+$/, "")}}',
			url: '/profile.json',
			method: 'POST',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Bitrix24 does not know this webhook (401): copy the inbound webhook URL again, or recreate a deleted one',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Bitrix24 refused the webhook (403): the REST API needs a commercial plan and an active webhook user',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Bitrix24 webhook at this URL (404): it must look like https://<portal>/rest/<user>/<code>/',
				},
			},
		],
	};
}
