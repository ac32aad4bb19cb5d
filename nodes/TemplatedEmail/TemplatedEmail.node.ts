import type {
	ICredentialDataDecryptedObject,
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
import { formatAddress } from '../shared/addresses';
import { imapMethods } from '../shared/imap/methods';
import { executeSend } from './execute';
import { properties } from './description';
import { verifySmtp } from './transport/sender';
import { smtpSettingsFromCredentials } from './transport/settings';
import { checkTrackingCredential } from '../shared/tracking/credential';

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
			{ name: 'crmMailSmtp', required: true, testedBy: 'crmMailSmtpTest' },
			{
				name: 'crmMailImap',
				required: true,
				testedBy: 'crmMailImapTest',
				displayOptions: { show: { copyToSent: [true] } },
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
		loadOptions: {
			/** The senders the chosen SMTP account allows, default first. */
			async getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const settings = smtpSettingsFromCredentials(
					(await this.getCredentials('crmMailSmtp')) as Record<string, unknown>,
				);
				// '' (the parameter's default) = the account's default sender; listed so the editor shows it as valid
				const fallback: INodePropertyOptions = {
					name: settings.defaultSender
						? `Account Default (${formatAddress(settings.defaultSender)})`
						: 'Account Default',
					value: '',
				};
				return [
					fallback,
					...settings.allowedSenders.map((a) => ({
						name: formatAddress(a),
						value: formatAddress(a),
					})),
				];
			},
		},
		credentialTest: {
			// Email Tracking (issue 6): secret length and base URL shape, shared with the Email Tracking Trigger.
			async emailTrackingTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				return checkTrackingCredential((credential.data ?? {}) as Record<string, unknown>);
			},
			async crmMailSmtpTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				const settings = smtpSettingsFromCredentials(
					(credential.data ?? {}) as Record<string, unknown>,
				);
				if (!settings.host)
					return {
						status: 'Error',
						message: 'The Host is empty: enter the SMTP server name, e.g. smtp.example.com',
					};
				const result = await verifySmtp(settings);
				if (result.ok)
					return {
						status: 'OK',
						message: `Connected to ${settings.host}:${settings.port} and logged in`,
					};
				return { status: 'Error', message: `${result.error.message}. ${result.error.description}` };
			},
			crmMailImapTest: imapMethods.credentialTest.crmMailImapTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await executeSend.call(this)];
	}
}
