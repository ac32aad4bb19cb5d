// The workflows of the campaign benchmark, each started by a Webhook node that answers with the last node's
// first item (so one HTTP call runs it and times it end to end):
//   seed     Webhook -> Code (the suppressed addresses) -> Send Templated Email, Suppression List > Add
//   send     Webhook -> Code (N recipients) -> Send Templated Email (tracked; campaign or plain) -> Code (summary)
//   report   Webhook -> Send Templated Email, Campaign > Report
//   tracking Email Tracking Trigger (Write Campaign Log on) -> No Op
import { randomUUID } from 'node:crypto';
import { node } from './n8n-load';

const TYPE = 'n8n-nodes-crm-mail.templatedEmail';
export const LINK = 'https://shop.example.com/spring?utm=bench';

export interface CampaignCredentials {
	smtp: { id: string; name: string };
	tracking: { id: string; name: string };
	dataTables: { id: string; name: string };
}

const webhook = (path: string) =>
	node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		[0, 0],
		{ httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
		{ webhookId: randomUUID() },
	);

// The recipients of a run: `count` addresses `<prefix><i * step>@bench.local`, each with the campaign named in
// the body (a real flow takes it from its trigger).
const recipientsCode = `const { count, prefix, step = 1, campaign = '' } = $input.first().json.body;
const out = new Array(count);
for (let i = 0; i < count; i++) {
	const n = i * step;
	out[i] = { json: { email: prefix + n + '@bench.local', name: 'Client ' + n, campaign, deal: { id: String(n), title: 'Deal #' + n } } };
}
return out;`;

// One item out of the send node's many: how many were sent, and every item that was not (with its json).
const summaryCode = `const all = $input.all();
let sent = 0;
const other = [];
for (const item of all) {
	const j = item.json;
	if (j.messageId && Array.isArray(j.accepted) && j.accepted.length) sent++;
	else other.push(j);
}
return [{ json: { items: all.length, sent, other } }];`;

const chain = (names: string[]) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

export function seedWorkflow(creds: CampaignCredentials) {
	return {
		name: 'Bench campaign: seed the suppression list',
		nodes: [
			webhook('bench-campaign-seed'),
			node('Recipients', 'n8n-nodes-base.code', 2, [220, 0], { jsCode: recipientsCode }),
			node(
				'Suppress',
				TYPE,
				1,
				[440, 0],
				{
					resource: 'suppressionList',
					operation: 'add',
					email: '={{ $json.email }}',
					reason: 'unsubscribed',
					note: 'benchmark',
				},
				{ credentials: { crmMailN8nApi: creds.dataTables } },
			),
			node('Count', 'n8n-nodes-base.code', 2, [660, 0], {
				jsCode:
					'const all = $input.all(); return [{ json: { items: all.length, added: all.filter((i) => i.json.added).length } }];',
			}),
		],
		connections: chain(['Webhook', 'Recipients', 'Suppress', 'Count']),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The send workflow. `campaign` set: the campaign fields of the send node (`campaignParameters`); unset: the
 * same tracked send without them (the anchor).
 */
export function sendWorkflow(
	path: string,
	creds: CampaignCredentials,
	campaignParameters: Record<string, unknown> | undefined,
) {
	const parameters: Record<string, unknown> = {
		resource: 'email',
		mode: 'send',
		to: '={{ $json.email }}',
		subject: 'Spring offer for {{name}}: {{deal.title}}',
		htmlSource: 'inline',
		html: `<html><body><p>Hello {{name}},</p><p>Our spring offer for <b>{{deal.title}}</b> is ready.</p><p><a href="${LINK}">See the offer</a></p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p></body></html>`,
		tracking: true,
		trackingOptions: {
			open: true,
			click: true,
			data: { value: [{ key: 'dealId', value: '={{ $json.deal.id }}' }] },
		},
		options: {},
		...(campaignParameters ?? {}),
	};
	return {
		name: `Bench campaign: send (${campaignParameters ? 'campaign' : 'plain'})`,
		nodes: [
			webhook(path),
			node('Recipients', 'n8n-nodes-base.code', 2, [220, 0], { jsCode: recipientsCode }),
			node('Send', TYPE, 1, [440, 0], parameters, {
				credentials: {
					crmMailSmtp: creds.smtp,
					emailTracking: creds.tracking,
					crmMailN8nApi: creds.dataTables,
				},
			}),
			node('Summary', 'n8n-nodes-base.code', 2, [660, 0], { jsCode: summaryCode }),
		],
		connections: chain(['Webhook', 'Recipients', 'Send', 'Summary']),
		settings: { executionOrder: 'v1' },
	};
}

export function reportWorkflow(creds: CampaignCredentials) {
	return {
		name: 'Bench campaign: report',
		nodes: [
			webhook('bench-campaign-report'),
			node(
				'Report',
				TYPE,
				1,
				[220, 0],
				{ resource: 'campaign', operation: 'report', campaigns: '={{ $json.body.campaign }}' },
				{ credentials: { crmMailN8nApi: creds.dataTables } },
			),
		],
		connections: chain(['Webhook', 'Report']),
		settings: { executionOrder: 'v1' },
	};
}

export function campaignTrackingWorkflow(path: string, creds: CampaignCredentials) {
	return {
		name: 'Bench campaign: Email Tracking Trigger',
		nodes: [
			node(
				'Email Tracking Trigger',
				'n8n-nodes-crm-mail.emailTrackingTrigger',
				1,
				[0, 0],
				{
					path,
					events: ['opened', 'clicked', 'unsubscribed'],
					options: { campaignLog: true, suppressUnsubscribes: 'campaign' },
				},
				{
					webhookId: randomUUID(),
					credentials: { emailTracking: creds.tracking, crmMailN8nApi: creds.dataTables },
				},
			),
			node('Done', 'n8n-nodes-base.noOp', 1, [220, 0], {}),
		],
		connections: chain(['Email Tracking Trigger', 'Done']),
		settings: { executionOrder: 'v1' },
	};
}
