// n8n glue shared by the IMAP Sync Trigger and IMAP Mailbox's Get Messages: the "Match Bounces to Sent Emails"
// switch, the test of the Email Tracking credential it asks for (the nodes list that credential literally, with
// displayOptions { matchSentEmails: [true] }: n8n's lint reads the entries), and that credential's secret, which
// verifies what Send Templated Email signed (./sent.ts). The secret goes to the bounce library only: never into
// an item or a log.
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeProperties,
	ITriggerFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkTrackingCredential, MIN_SECRET_LENGTH } from '../tracking/credential';

export const MATCH_SENT_EMAILS = 'matchSentEmails';

const HINT =
	'sent = { messageId, recipient, trackingId, trackingData, sentAt, via }: via "header" from the encrypted X-CRM-Mail-Ref header of the quoted original (tracking data included), via "verp" from the Bounce Address (VERP) the report came back to (Message-ID, and the recipient when the failed address is it; no tracking data). null when neither verifies: a report that merely names a Message-ID is not believed.';

/** The switch; `show` limits it to some operations (IMAP Mailbox). */
export function matchSentEmailsProperty(
	needs: string,
	show?: Record<string, string[]>,
): INodeProperties {
	return {
		displayName: 'Match Bounces to Sent Emails',
		name: MATCH_SENT_EMAILS,
		type: 'boolean',
		default: false,
		...(show ? { displayOptions: { show } } : {}),
		description: `Whether to add "sent" to every bounce and complaint: the email it is about, as Send Templated Email (with Tracking on) signed it. Needs the Email Tracking credential of that send node, and ${needs}.`,
		hint: HINT,
	};
}

/** The credential test: the same checks as the send node's. */
export async function emailTrackingTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	return checkTrackingCredential((credential.data ?? {}) as Record<string, unknown>);
}

/** The Email Tracking secret when the switch is on, else undefined. */
export async function referenceSecretOf(
	ctx: IExecuteFunctions | ITriggerFunctions,
	itemIndex = 0,
): Promise<string | undefined> {
	const on =
		'getInputData' in ctx
			? ctx.getNodeParameter(MATCH_SENT_EMAILS, itemIndex, false)
			: ctx.getNodeParameter(MATCH_SENT_EMAILS, false);
	if (!on) return undefined;
	const secret = String((await ctx.getCredentials('emailTracking')).secret ?? '');
	if (secret.length < MIN_SECRET_LENGTH)
		throw new NodeOperationError(ctx.getNode(), 'The Email Tracking credential is not usable', {
			description: `Its secret must have at least ${MIN_SECRET_LENGTH} characters and be the one of the Send Templated Email credential that signed the emails.`,
			...('getInputData' in ctx ? { itemIndex } : {}),
		});
	return secret;
}
