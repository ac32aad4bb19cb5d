import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { messageFields } from './actions/email/messageFields';
import { messageOptions } from './actions/email/messageOptions';
import * as send from './actions/email/send.operation';
import * as testSend from './actions/email/testSend.operation';
import { trackingProperties } from './actions/email/tracking';
import { router } from './actions/router';
import { crmMailImapTest, crmMailSmtpTest, emailTrackingTest } from './methods/credentialTest';
import { getSenders } from './methods/loadOptions';
import {
	authenticationProperty,
	crmMailOAuth2Test,
	MAIL_ACCOUNT,
} from '../shared/oauth/mailAccount';

const properties: INodeProperties[] = [
	authenticationProperty('SMTP Account'),
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Send', value: 'send', description: 'Send every message to its recipients' },
			{
				name: 'Preview',
				value: 'preview',
				description: 'Render subject, HTML and text and return them; nothing is sent',
			},
			{
				name: 'Test Send',
				value: 'test',
				description: 'Send every message to one test address instead of its recipients',
			},
		],
		default: 'send',
		description: 'Whether to send, only render, or send to a test address',
	},
	...testSend.description,
	...messageFields,
	...send.description,
	...messageOptions,
	...trackingProperties,
];

export class TemplatedEmail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Templated Email',
		name: 'templatedEmail',
		icon: { light: 'file:templatedEmail.svg', dark: 'file:templatedEmail.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["mode"] === "send" ? "Send" : $parameter["mode"] === "preview" ? "Preview" : "Test send" }}',
		description:
			'Send Handlebars-templated emails over pooled SMTP, with threading, attachments and copy to Sent',
		defaults: { name: 'Send Templated Email' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'crmMailSmtp',
				required: true,
				testedBy: 'crmMailSmtpTest',
				displayOptions: { show: { authentication: [MAIL_ACCOUNT] } },
			},
			{
				name: 'crmMailGmailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['gmailOAuth2'] } },
			},
			{
				name: 'crmMailMicrosoftOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['microsoftOAuth2'] } },
			},
			{
				name: 'crmMailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			// the copy to Sent: the IMAP side of the same mailbox (an OAuth2 credential has both sides)
			{
				name: 'crmMailImap',
				required: true,
				testedBy: 'crmMailImapTest',
				displayOptions: { show: { copyToSent: [true], authentication: [MAIL_ACCOUNT] } },
			},
			{
				name: 'emailTracking',
				required: true,
				testedBy: 'emailTrackingTest',
				displayOptions: { show: { tracking: [true] } },
			},
		],
		properties,
	};

	methods = {
		loadOptions: { getSenders },
		credentialTest: { emailTrackingTest, crmMailSmtpTest, crmMailImapTest, crmMailOAuth2Test },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
