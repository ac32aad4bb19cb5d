// The two workflows the tracking benchmark compares: the Email Tracking Trigger and n8n's own Webhook node
// answering a GIF, each followed by a No Op.
import { randomUUID } from 'node:crypto';
import { node } from './n8n-load';

export function trackingWorkflow(credentialId: string) {
	return {
		name: 'Bench: Email Tracking Trigger',
		nodes: [
			node(
				'Email Tracking Trigger',
				'n8n-nodes-crm-mail.emailTrackingTrigger',
				1,
				[0, 0],
				{
					path: 'bench-tracking',
					events: ['opened', 'clicked', 'unsubscribed'],
					options: { dropBots: true },
				},
				{
					webhookId: randomUUID(),
					credentials: { emailTracking: { id: credentialId, name: 'Bench Tracking' } },
				},
			),
			node('Done', 'n8n-nodes-base.noOp', 1, [220, 0], {}),
		],
		connections: {
			'Email Tracking Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

// n8n's Webhook node answering at once (onReceived) with GIF headers; its body is n8n's default answer.
export function webhookWorkflow() {
	return {
		name: 'Bench: Webhook node GIF',
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2,
				[0, 0],
				{
					httpMethod: 'GET',
					path: 'bench-gif',
					responseMode: 'onReceived',
					options: {
						responseHeaders: {
							entries: [
								{ name: 'content-type', value: 'image/gif' },
								{ name: 'cache-control', value: 'no-store' },
							],
						},
					},
				},
				{ webhookId: randomUUID() },
			),
			node('Done', 'n8n-nodes-base.noOp', 1, [220, 0], {}),
		],
		connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}
