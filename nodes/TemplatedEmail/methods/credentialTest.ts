import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { imapMethods } from '../../shared/imap/methods';
import { checkTrackingCredential } from '../../shared/tracking/credential';
import { verifySmtp } from '../transport/sender';
import { smtpSettingsFromCredentials } from '../transport/settings';

/** Secret length and base URL shape, shared with the Email Tracking Trigger. */
export async function emailTrackingTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	return checkTrackingCredential((credential.data ?? {}) as Record<string, unknown>);
}

/** Connects and logs in to the SMTP server. */
export async function crmMailSmtpTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const settings = smtpSettingsFromCredentials((credential.data ?? {}) as Record<string, unknown>);
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
}

export const crmMailImapTest = imapMethods.credentialTest.crmMailImapTest;
