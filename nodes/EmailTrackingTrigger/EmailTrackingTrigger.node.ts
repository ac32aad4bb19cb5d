import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { PIXEL_GIF } from '../shared/tracking/pixel';
import { checkTrackingCredential } from '../shared/tracking/credential';
import { handleTrackingRequest, type EventName, type TrackingResponse } from './handler';
import { errorPage } from './pages';
import { SecretCache } from './secretCache';

const secrets = new SecretCache();

// Three static sub-paths of the configured path (n8n finds static paths with one exact lookup); every
// address answers GET and HEAD, unsubscribe also POST (RFC 8058 one-click). All share the name
// 'default' because n8n 2.8 types allow only 'default' | 'setup'; the node dispatches on the path.
const PATH = '$parameter["path"].split("/").filter(Boolean).join("/")';
const webhook = (method: string, action: string): IWebhookDescription => ({
	name: 'default',
	httpMethod: method,
	isFullPath: true,
	responseMode: 'onReceived',
	path: `={{${PATH} + "/${action}"}}`,
});

// The webhook is not registered at a third party (mail clients call it through links we sign), so there is
// nothing for webhookMethods (checkExists / create / delete) to do.
export class EmailTrackingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Email Tracking Trigger',
		name: 'emailTrackingTrigger',
		icon: { light: 'file:emailTrackingTrigger.svg', dark: 'file:emailTrackingTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description:
			'Starts the workflow when a tracked email (Send Templated Email) is opened, a link in it is clicked, or the recipient unsubscribes',
		defaults: { name: 'Email Tracking Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'emailTracking', required: true, testedBy: 'emailTrackingTest' }],
		webhooks: [
			webhook('GET', 'open'),
			webhook('HEAD', 'open'),
			webhook('GET', 'click'),
			webhook('HEAD', 'click'),
			webhook('GET', 'unsubscribe'),
			webhook('HEAD', 'unsubscribe'),
			webhook('POST', 'unsubscribe'),
		],
		properties: [
			{
				displayName:
					'Activate the workflow, then put its production URL up to the path (without /open) into the Email Tracking credential as the Tracking Base URL. The trigger serves the open pixel, the click redirect and the unsubscribe page itself.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'email-tracking',
				required: true,
				placeholder: 'email-tracking',
				description:
					'Path of the tracking addresses under your n8n webhook URL. The trigger listens on this path followed by /open, /click and /unsubscribe.',
				hint: "The credential's Tracking Base URL must end with /webhook/ followed by this path",
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				default: ['opened', 'clicked', 'unsubscribed'],
				description:
					'Which events start the workflow. The pixel, the redirect and the unsubscribe page are served for all of them anyway.',
				options: [
					{ name: 'Opened', value: 'opened', description: 'The open pixel was loaded' },
					{ name: 'Clicked', value: 'clicked', description: 'A tracked link was followed' },
					{
						name: 'Unsubscribed',
						value: 'unsubscribed',
						description: 'One-click unsubscribe or the button on the unsubscribe page',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Drop Bots and Scanners',
						name: 'dropBots',
						type: 'boolean',
						default: false,
						description:
							'Whether to ignore opens and clicks classified as a bot or a security scanner (crawler user agents, link checkers, hits within 2 seconds of sending). Apple Mail privacy proxy and Gmail / Yahoo image proxy hits are kept (they are flagged in "classification"); unsubscribes are never dropped.',
					},
					{
						displayName: 'Maximum Token Age (Days)',
						name: 'maxAgeDays',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0 },
						description:
							'Ignore opens and clicks from emails sent more than this many days ago (0 = no limit). Old links still redirect; unsubscribes always count.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			async emailTrackingTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return checkTrackingCredential(credential.data ?? {});
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const path = String(req.path ?? req.url ?? '').split('?')[0];
		const action = path.split('/').filter(Boolean).pop() ?? '';
		let response: TrackingResponse;
		let event: IDataObject | undefined;
		// Never throw: an error in webhook() makes n8n start a failed execution, and a missing pixel
		// shows as a broken image in the email.
		try {
			const credentialId = this.getNode().credentials?.emailTracking?.id ?? undefined;
			const secret = await secrets.get(credentialId, async () =>
				String((await this.getCredentials('emailTracking')).secret ?? ''),
			);
			const events = this.getNodeParameter('events', [
				'opened',
				'clicked',
				'unsubscribed',
			]) as EventName[];
			const options = this.getNodeParameter('options', {}) as {
				dropBots?: boolean;
				maxAgeDays?: number;
			};
			const query = (req.query ?? {}) as IDataObject;
			const result = handleTrackingRequest(
				{
					method: req.method,
					action,
					token: query.t,
					ip: req.ip ?? req.socket?.remoteAddress,
					userAgent: req.headers['user-agent'],
				},
				{
					secret,
					events,
					dropBots: options.dropBots === true,
					maxAgeSeconds: Math.max(0, Number(options.maxAgeDays) || 0) * 86400,
				},
			);
			response = result.response;
			event = result.event as IDataObject | undefined;
		} catch {
			response =
				action === 'open'
					? {
							status: 200,
							headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' },
							body: PIXEL_GIF,
						}
					: {
							status: 500,
							headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
							body: errorPage('The tracking service is not configured correctly.'),
						};
		}
		res.statusCode = response.status;
		for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
		res.end(req.method === 'HEAD' ? undefined : response.body);
		if (!event) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: [[{ json: event }]] };
	}
}
