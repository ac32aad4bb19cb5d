// Tracking options of Send Templated Email and the message decorator they produce.
// The tracking itself lives in nodes/shared/tracking (no n8n imports);
// this file is only the n8n glue: parameters, the Email Tracking credential, per-item tracking data.
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { trackingDecorator } from '../../../shared/tracking/decorator';
import { parseBaseUrl } from '../../../shared/tracking/urls';
import { sendReferenceDecorator } from '../../message/sendReference';

export const trackingProperties: INodeProperties[] = [
	{
		displayName: 'Tracking',
		name: 'tracking',
		type: 'boolean',
		default: false,
		description:
			'Whether to track opens (pixel), clicks (encrypted redirect links) and one-click unsubscribes through an Email Tracking Trigger workflow. Needs an Email Tracking credential. Adds {{unsubscribeUrl}} to the templates. Events name the first To address: send one email per recipient to tell recipients apart.',
		hint: 'Tracked emails also carry an encrypted X-CRM-Mail-Ref header (and, with a Bounce Address in the SMTP credential, a VERP return address): the IMAP Sync Trigger with "Match Bounces to Sent Emails" turns their bounces into events with this send\'s Message-ID and tracking data',
	},
	{
		displayName: 'Tracking Options',
		name: 'trackingOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { tracking: [true] } },
		options: [
			{
				displayName: 'Track Clicks',
				name: 'click',
				type: 'boolean',
				default: false,
				description:
					'Whether to rewrite every http(s) link of the HTML to an encrypted redirect link. A link opts out with a data-no-track attribute or #notrack at the end of its URL; mailto:, tel:, #anchors and the unsubscribe link are never rewritten.',
			},
			{
				displayName: 'Track Opens',
				name: 'open',
				type: 'boolean',
				default: true,
				description:
					'Whether to add a 1x1 pixel whose loading reports an open (Apple Mail and Gmail proxies load it too; the trigger flags them)',
			},
			{
				displayName: 'Tracking Data',
				name: 'data',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Value',
				description:
					'Key / value pairs carried (encrypted) in the links and in the X-CRM-Mail-Ref header, and returned with every event (bounces too), so the event flow knows which record it concerns. Keep them short: they make the links longer.',
				options: [
					{
						displayName: 'Value',
						name: 'value',
						values: [
							{
								displayName: 'Key',
								name: 'key',
								type: 'string',
								default: '',
								placeholder: 'dealId',
								description: "Name of the value in the event's trackingData",
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								placeholder: '={{ $json.deal.title }}',
								description: 'The value (an expression over the item, usually)',
							},
						],
					},
				],
			},
			{
				displayName: 'Unsubscribe Headers',
				name: 'unsubscribeHeaders',
				type: 'boolean',
				default: true,
				description:
					'Whether to add List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 one-click, required by Gmail and Yahoo for bulk mail); with DKIM both are signed',
			},
			{
				displayName: 'Unsubscribe Mailto',
				name: 'unsubscribeMailto',
				type: 'string',
				default: '',
				placeholder: 'unsubscribe@example.com',
				description:
					'Also offer this address in List-Unsubscribe, for clients that only support mailto',
			},
		],
	},
];

/**
 * The tracking decorator for this run, or none when tracking is off. `campaignFor` names an item's campaign:
 * it goes into the links (the trigger logs and suppresses by it) and into X-CRM-Mail-Ref (bounces name it).
 */
export async function trackingDecorators(
	ctx: IExecuteFunctions,
	campaignFor?: (itemIndex: number) => string | undefined,
) {
	if (!ctx.getNodeParameter('tracking', 0, false)) return [];
	const credentials = await ctx.getCredentials('emailTracking');
	const secret = String(credentials.secret ?? '');
	const base = parseBaseUrl(String(credentials.baseUrl ?? ''));
	if (secret.length < 32 || 'error' in base) {
		throw new NodeOperationError(ctx.getNode(), 'The Email Tracking credential is not usable', {
			description:
				secret.length < 32
					? 'Its secret must have at least 32 characters: generate one with `openssl rand -hex 32`.'
					: `${(base as { error: string }).error}.`,
		});
	}
	const options = (i: number) =>
		ctx.getNodeParameter('trackingOptions', i, {}) as {
			open?: boolean;
			click?: boolean;
			unsubscribeHeaders?: boolean;
			unsubscribeMailto?: string;
		};
	const first = options(0);
	const dataFor = (i: number) => {
		const pairs =
			(ctx.getNodeParameter('trackingOptions.data.value', i, []) as Array<{
				key?: string;
				value?: unknown;
			}>) ?? [];
		return Object.fromEntries(
			pairs.filter((p) => p.key).map((p) => [String(p.key), String(p.value ?? '')]),
		);
	};
	return [
		trackingDecorator({
			secret,
			baseUrl: base.url,
			open: first.open !== false,
			click: first.click === true,
			unsubscribeHeaders: first.unsubscribeHeaders !== false,
			unsubscribeMailto: first.unsubscribeMailto || undefined,
			dataFor,
			campaignFor,
		}),
		// after tracking (it reads the trackingId): the signed X-CRM-Mail-Ref header and the VERP return address
		sendReferenceDecorator({ secret, dataFor, campaignFor }),
	];
}
