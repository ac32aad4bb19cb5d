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
import { campaignResourceProperties } from './actions/suppression/description';
import { CAMPAIGN, SUPPRESSION } from './actions/suppression/fields';
import { crmMailImapTest, crmMailSmtpTest, emailTrackingTest } from './methods/credentialTest';
import { getSenders } from './methods/loadOptions';
import {
	authenticationProperty,
	crmMailOAuth2Test,
	MAIL_ACCOUNT,
} from '../shared/oauth/mailAccount';

// The email resource's fields, shown only for it (existing workflows have no resource: it defaults to email).
const onlyForEmail = (p: INodeProperties): INodeProperties => ({
	...p,
	displayOptions: {
		...p.displayOptions,
		show: { ...p.displayOptions?.show, resource: ['email'] },
	},
});

const emailProperties: INodeProperties[] = [
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

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: 'email',
		options: [
			{ name: 'Email', value: 'email', description: 'Send, preview or test-send templated emails' },
			{
				name: 'Suppression List',
				value: SUPPRESSION,
				description:
					'Addresses no campaign email goes to (unsubscribed, complaint, hard bounce, manual), in an n8n data table',
			},
			{
				name: 'Campaign',
				value: CAMPAIGN,
				description: 'Figures of campaigns from the campaign log',
			},
		],
		description: 'What to work on',
	},
	...emailProperties.map(onlyForEmail),
	...campaignResourceProperties,
];

export class TemplatedEmail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Templated Email',
		name: 'templatedEmail',
		icon: { light: 'file:templatedEmail.svg', dark: 'file:templatedEmail.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["resource"] === "suppressionList" ? "Suppression list: " + $parameter["operation"] : $parameter["resource"] === "campaign" ? "Campaign report" : $parameter["mode"] === "send" ? "Send" : $parameter["mode"] === "preview" ? "Preview" : "Test send" }}',
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
				displayOptions: { show: { resource: ['email'], authentication: [MAIL_ACCOUNT] } },
			},
			{
				name: 'crmMailGmailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { resource: ['email'], authentication: ['gmailOAuth2'] } },
			},
			{
				name: 'crmMailMicrosoftOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { resource: ['email'], authentication: ['microsoftOAuth2'] } },
			},
			{
				name: 'crmMailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { resource: ['email'], authentication: ['oAuth2'] } },
			},
			// the copy to Sent: the IMAP side of the same mailbox (an OAuth2 credential has both sides)
			{
				name: 'crmMailImap',
				required: true,
				testedBy: 'crmMailImapTest',
				displayOptions: {
					show: { resource: ['email'], copyToSent: [true], authentication: [MAIL_ACCOUNT] },
				},
			},
			{
				name: 'emailTracking',
				required: true,
				testedBy: 'emailTrackingTest',
				displayOptions: { show: { resource: ['email'], tracking: [true] } },
			},
			// the suppression list and the campaign log: n8n data tables through the public API. One entry (n8n
			// reads the first of a name): the email resource hides it unless Send mode has "Send as Campaign" on;
			// the other resources have no such parameter, so nothing hides it there.
			{
				name: 'crmMailN8nApi',
				required: true,
				displayOptions: {
					show: { resource: [SUPPRESSION, CAMPAIGN, 'email'] },
					hide: { sendAsCampaign: [false], mode: ['preview', 'test'] },
				},
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
