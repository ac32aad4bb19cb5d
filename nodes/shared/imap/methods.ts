// n8n glue shared by the IMAP nodes: the folder dropdown and search, and the credential test. Both nodes list them in `methods`.
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { toNodeError } from '../errors';
import { searchable } from '../pickers';
import { crmMailOAuth2Test, imapSettingsFor } from '../oauth/mailAccount';
import {
	closeImap,
	connectImap,
	explainImapError,
	imapSettingsFromCredentials,
	testImapConnection,
} from './connection';
import { folderOptions, listFolders } from './folders';

export const IMAP_CREDENTIAL_TYPE = 'crmMailImap';

/** loadOptions: the folders of the node's mailbox (password or OAuth2 credential). */
export async function getFolders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const settings = await imapSettingsFor(this);
	let client;
	try {
		client = await connectImap(settings, { logger: this.logger, extra: { disableAutoIdle: true } });
		return folderOptions(await listFolders(client));
	} catch (error) {
		throw toNodeError(this.getNode(), error, undefined, (e) => ({
			...explainImapError(e, settings),
			service: true,
		}));
	} finally {
		await closeImap(client);
	}
}

/** listSearch: the folders whose name or path contains the filter (case-insensitive). */
export const searchFolders = searchable(getFolders);

/** credentialTest: logs in and lists folders; the message names the cause and what to check. */
export async function crmMailImapTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	return await testImapConnection(
		imapSettingsFromCredentials((credential.data ?? {}) as Record<string, unknown>),
	);
}

export const imapMethods = {
	loadOptions: { getFolders },
	listSearch: { searchFolders },
	credentialTest: { crmMailImapTest, crmMailOAuth2Test },
};
