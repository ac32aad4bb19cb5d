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
import {
	handleTrackingRequest,
	type EventName,
	type TrackingEvent,
	type TrackingResponse,
} from './handler';
import { applyCampaignEffects, type CampaignSettings } from './campaignEffects';
import { campaignOptions, pageSettings, pagesProperty } from './campaignProperties';
import { errorPage } from './pages';
import { admitEvent, DEFAULT_REPLAY_WINDOW_MINUTES, type ReplayMode } from './replayGate';
import { SecretCache } from './secretCache';
import { replayStoreFor, type ReplayStore } from '../shared/tracking/replay/store';

const secrets = new SecretCache();
// One replay store per process, shared by every tracking workflow in it (keys are per token, which is
// unique). Its warnings go to the logger of the latest hit.
let replayStore: ReplayStore | undefined;
let warn: (message: string) => void = () => undefined;
const DAY = 86400;

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
		credentials: [
			{ name: 'emailTracking', required: true, testedBy: 'emailTrackingTest' },
			// optional: only the suppression list and the campaign log need it
			{ name: 'crmMailN8nApi', required: false },
		],
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
						displayName: 'Accept Old Readable Links (Days)',
						name: 'legacyLinkDays',
						type: 'number',
						default: 90,
						typeOptions: { minValue: 0 },
						description:
							"Links made by earlier versions of this package carry the recipient's address and the tracking data readable in the link. They keep working while younger than this many days, then are refused (no event, their clicks get an error page). Current links are encrypted. 0 = refuse them now. Unsubscribes are always honoured.",
					},
					{
						displayName: 'Drop Bots and Scanners',
						name: 'dropBots',
						type: 'boolean',
						default: false,
						description:
							'Whether to ignore opens and clicks classified as a bot or a security scanner (crawler user agents, link checkers, hits within 2 seconds of sending). Apple Mail privacy proxy and Gmail / Yahoo image proxy hits are kept (they are flagged in "classification"); unsubscribes are never dropped.',
					},
					{
						displayName: 'Link Lifetime (Days)',
						name: 'maxAgeDays',
						type: 'number',
						default: 365,
						typeOptions: { minValue: 0 },
						description:
							'Opens and clicks of emails sent more than this many days ago start no execution (0 = links never expire). Expired links still redirect and the pixel is still served; unsubscribes always count.',
					},
					{
						displayName: 'Repeated Hits',
						name: 'replay',
						type: 'options',
						default: 'firstPerWindow',
						description:
							'Whether a repeated open, click of the same link or unsubscribe of the same email starts another execution. Repeats are always answered normally (pixel, redirect, page).',
						options: [
							{
								name: 'First Hit per Window',
								value: 'firstPerWindow',
								description:
									'Only the first hit of each link within the Replay Window starts an execution (in queue mode shared through n8n’s Redis)',
							},
							{
								name: 'Every Hit',
								value: 'everyHit',
								description: 'Every valid hit starts an execution',
							},
						],
					},
					{
						displayName: 'Replay Window (Minutes)',
						name: 'replayWindowMinutes',
						type: 'number',
						default: DEFAULT_REPLAY_WINDOW_MINUTES,
						typeOptions: { minValue: 1 },
						description:
							'With "First Hit per Window": how long repeats of a link are ignored after its first hit',
					},
					// the campaign options (suppression list, campaign log, table prefix)
					...campaignOptions,
				],
			},
			pagesProperty,
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
		let pendingCheck: ReturnType<typeof admitEvent> | undefined;
		let unsubscribed: TrackingEvent | undefined;
		let campaign: CampaignSettings | undefined;
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
				legacyLinkDays?: number;
				replay?: ReplayMode;
				replayWindowMinutes?: number;
			} & Partial<CampaignSettings>;
			campaign = {
				suppressUnsubscribes: options.suppressUnsubscribes ?? 'campaign',
				campaignLog: options.campaignLog !== false,
				tablePrefix: options.tablePrefix ?? 'crm_',
			};
			const days = (value: unknown, fallback: number) =>
				Math.max(0, value === undefined || value === '' ? fallback : Number(value) || 0);
			const query = (req.query ?? {}) as IDataObject;
			const result = handleTrackingRequest(
				{
					method: req.method,
					action,
					token: query.t,
					ip: req.ip ?? req.socket?.remoteAddress,
					userAgent: req.headers['user-agent'],
					acceptLanguage: req.headers['accept-language'],
				},
				{
					secret,
					events,
					dropBots: options.dropBots === true,
					maxAgeSeconds: days(options.maxAgeDays, 365) * DAY,
					legacyMaxAgeSeconds: days(options.legacyLinkDays, 90) * DAY,
					pages: pageSettings(this.getNodeParameter('pages', {}) as IDataObject),
				},
			);
			response = result.response;
			unsubscribed = result.unsubscribed;
			if (result.event) {
				warn = (message) => this.logger.warn(message);
				replayStore ??= replayStoreFor(process.env, (message) => warn(message));
				// after the answer is out: the replay check must not delay the pixel
				pendingCheck = admitEvent(result, replayStore, {
					mode: options.replay === 'everyHit' ? 'everyHit' : 'firstPerWindow',
					windowMs:
						Math.max(1, Number(options.replayWindowMinutes) || DEFAULT_REPLAY_WINDOW_MINUTES) *
						60_000,
				});
			}
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
							body: errorPage('notConfigured'),
						};
		}
		res.statusCode = response.status;
		for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
		res.end(req.method === 'HEAD' ? undefined : response.body);
		const event = (await pendingCheck)?.event;
		// after the answer and the replay check: the tables cost time, never the pixel's or the page's
		const outcomes =
			campaign && (event || unsubscribed)
				? await applyCampaignEffects(this, campaign, { emitted: event, unsubscribed }).catch(
						(error: Error) => {
							this.logger.warn(`Email Tracking Trigger: campaign tables: ${error.message}`);
							return { campaignError: error.message };
						},
					)
				: {};
		if (!event) return { noWebhookResponse: true };
		return {
			noWebhookResponse: true,
			workflowData: [[{ json: { ...event, ...outcomes } as unknown as IDataObject }]],
		};
	}
}
