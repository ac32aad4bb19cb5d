import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// Shared by Send Templated Email (seals the pixel, click and unsubscribe tokens) and the Email Tracking
// Trigger (opens and verifies them). Tested by the trigger's `methods.credentialTest.emailTrackingTest`: the secret
// must be at least 32 characters and the base URL an http(s) URL without query or fragment.
// Not an HTTP API credential (a signing secret + our own URL), so no -Api suffix; the name is fixed by the issue.
export class EmailTracking implements ICredentialType {
	name = 'emailTracking';

	displayName = 'Email Tracking';

	icon: Icon = { light: 'file:emailTracking.svg', dark: 'file:emailTracking.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-crm-mail#email-tracking-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Encrypts and authenticates every tracking link (the key is derived from it), so nobody can read the recipient or tracking data in a link, forge opens, clicks or unsubscribes, or turn your links into an open redirect. At least 32 random characters: run `openssl rand -hex 32` in a terminal and paste the result. Changing it invalidates the links in emails already sent.',
		},
		{
			displayName: 'Tracking Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://n8n.example.com/webhook/email-tracking',
			description:
				"The public production URL of the Email Tracking Trigger: your n8n's public address, then /webhook/, then the trigger's Path. Recipients' mail clients load this address, so it must be reachable from the internet.",
			hint: 'The trigger adds /open, /click and /unsubscribe itself; do not add them here',
		},
	];
}
