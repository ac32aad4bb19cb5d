// Email tracking end to end in the real n8n: Send Templated Email sends a tracked offer through the sandbox SMTP;
// the mail is fetched from customer@client.local's INBOX; its open pixel, its rewritten link and its unsubscribe
// address are used once by a plain HTTP client and once by headless Chromium rendering the mail's HTML; an
// active Email Tracking Trigger workflow records every event as an execution.
import { randomUUID } from 'node:crypto';
import { DomUtils, parseDocument } from 'htmlparser2';
import { simpleParser } from 'mailparser';
import type { E2eEnv, Json } from './harness';
import { publicApi, runHelperWorkflow } from './harness';
import { findMail } from './mail';

const rt = require('../../scripts/lib/n8n-runtime');

/** The path of the "Sandbox Email Tracking" credential's base URL (the opened-to-unisender example's path). */
const TRACKING_PATH = 'email-tracking';

export interface TrackingEvent {
	type: string;
	trackingId: string;
	messageId: string;
	recipient: string;
	url: string | null;
	trackingData: Record<string, string>;
	userAgent: string | null;
	classification: { kind: string; reason: string };
}

export interface TrackedMail {
	subject: string;
	/** the offer link as written in the template, and the URL it must lead to */
	target: string;
	html: string;
	listUnsubscribe: string;
	messageId: string;
	/** the credential's tracking base URL: every tracking link must lie under it */
	trackingBase: string;
}

const credential = (env: E2eEnv, id: string) => {
	const saved = env.credentialIds.get(id);
	if (!saved) throw new Error(`The e2e has no credential "${id}" from examples/credentials.json`);
	return { id, name: saved.name };
};

/**
 * Imports and activates a workflow: Email Tracking Trigger for every event type, bots kept, every hit counted
 * (the tests follow each link from two clients and expect an event from each; repeats are the benchmark's).
 * Returns its id.
 */
export async function activateTrackingWorkflow(
	env: E2eEnv,
	replay: 'everyHit' | 'firstPerWindow' = 'everyHit',
): Promise<string> {
	const workflow = {
		name: 'e2e: tracking events',
		nodes: [
			{
				id: randomUUID(),
				name: 'Tracking Event',
				type: `${env.packageName}.emailTrackingTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					path: TRACKING_PATH,
					events: ['opened', 'clicked', 'unsubscribed'],
					options: { dropBots: false, replay },
				},
				credentials: { emailTracking: credential(env, 'sandbox-tracking') },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
	const [saved] = await rt.importWorkflows(
		env.session,
		[{ file: 'e2e-tracking-events', workflow }],
		{ credentialMap: env.credentialIds, activate: true },
	);
	if (!saved.active)
		throw new Error(
			`The tracking workflow was not activated: ${JSON.stringify(saved).slice(0, 300)}`,
		);
	return saved.id;
}

export async function deactivate(env: E2eEnv, workflowId: string): Promise<void> {
	await rt.deactivateWorkflow(env.session, workflowId).catch(() => undefined);
}

/** Sends a tracked offer to customer@client.local through the sandbox and returns it as the mailbox has it. */
export async function sendTrackedMail(env: E2eEnv): Promise<TrackedMail> {
	const subject = `Tracked offer ${randomUUID().slice(0, 8)}`;
	// a query with &amp; in the HTML: the redirect must lead to the decoded URL
	const target = `${env.baseUrl}/healthz?deal=D-7&src=mail`;
	const html =
		'<p>Hello {{name}},</p>' +
		`<p>here is <a href="${target.replace('&', '&amp;')}">our offer</a>.</p>` +
		'<p><a href="mailto:sales@crm.local">Write to us</a> · <a href="{{unsubscribeUrl}}">Unsubscribe</a></p>';
	const execution = await runHelperWorkflow(env, {
		name: 'send-tracked-offer',
		nodes: [
			{
				id: randomUUID(),
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: randomUUID(),
				name: 'Send Tracked Offer',
				type: `${env.packageName}.templatedEmail`,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					mode: 'send',
					to: 'customer@client.local',
					subject,
					htmlSource: 'inline',
					html,
					text: '',
					missingVariables: 'empty',
					copyToSent: false,
					tracking: true,
					trackingOptions: {
						open: true,
						click: true,
						data: { value: [{ key: 'dealId', value: 'D-7' }] },
					},
				},
				credentials: {
					crmMailSmtp: credential(env, 'sandbox-smtp'),
					emailTracking: credential(env, 'sandbox-tracking'),
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Send Tracked Offer', type: 'main', index: 0 }]] } },
	});
	if (execution.status !== 'success')
		throw new Error(
			`Sending the tracked offer failed: ${execution.data?.resultData?.error?.message}`,
		);
	const fetched = await findMail(env, 'customer', subject);
	const parsed = await simpleParser(fetched.source!);
	if (typeof parsed.html !== 'string') throw new Error('The tracked offer arrived without HTML');
	return {
		subject,
		target,
		html: parsed.html,
		// the header as written (mailparser turns List-* headers into objects)
		listUnsubscribe:
			parsed.headerLines
				.find((h) => h.key === 'list-unsubscribe')
				?.line.replace(/\r?\n[ \t]+/g, ' ') ?? '',
		messageId: String(parsed.messageId ?? ''),
		trackingBase: env.tracking.baseUrl.replace(/\/+$/, ''),
	};
}

/** The tracking URLs in the mail: the pixel, the rewritten offer link, the unsubscribe link and header. */
export function trackingUrls(mail: TrackedMail): {
	open: string;
	click: string;
	unsubscribe: string;
	oneClick: string;
} {
	// attribute values as a browser reads them (Handlebars writes "=" as &#x3D;, the template "&" as &amp;)
	const doc = parseDocument(mail.html);
	const find = (
		tag: string,
		attr: string,
		test: (value: string, text: string) => boolean,
		what: string,
	) => {
		const el = DomUtils.findOne(
			(e) => e.name === tag && test(e.attribs[attr] ?? '', DomUtils.textContent(e)),
			doc.children,
			true,
		);
		if (!el) throw new Error(`No ${what} in the mail's HTML:\n${mail.html}`);
		return el.attribs[attr];
	};
	const base = mail.trackingBase;
	const open = find('img', 'src', (src) => src.includes('/open?t='), 'open pixel');
	const click = find(
		'a',
		'href',
		(href, text) => text === 'our offer' && href.includes('/click?t='),
		'rewritten offer link',
	);
	const unsubscribe = find(
		'a',
		'href',
		(href, text) => text === 'Unsubscribe' && href.includes('/unsubscribe?t='),
		'unsubscribe link',
	);
	const oneClick = /<(https?:[^>]+)>/.exec(mail.listUnsubscribe)?.[1];
	if (!oneClick) throw new Error(`No https address in List-Unsubscribe: ${mail.listUnsubscribe}`);
	for (const url of [open, click, unsubscribe, oneClick]) {
		if (!url.startsWith(`${base}/`))
			throw new Error(`${url} is not under the tracking base ${base}`);
	}
	return { open, click, unsubscribe, oneClick };
}

/** The events recorded so far: the trigger item of each execution of the tracking workflow, oldest first. */
export async function trackingEvents(
	env: E2eEnv,
	workflowId: string,
	atLeast: number,
	timeoutMs = 30000,
): Promise<TrackingEvent[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await publicApi(env, 'GET', `/executions?workflowId=${workflowId}&limit=100`);
		const ids: string[] = list.data
			.map((e: Json) => String(e.id))
			.sort((a: string, b: string) => Number(a) - Number(b));
		if (ids.length >= atLeast || Date.now() > deadline) {
			const events: TrackingEvent[] = [];
			for (const id of ids) {
				const execution = await rt.waitForExecution(env.baseUrl, env.apiKey, id, {
					timeoutMs: 15000,
				});
				const item =
					execution.data?.resultData?.runData?.['Tracking Event']?.[0]?.data?.main?.[0]?.[0]?.json;
				if (item) events.push(item as TrackingEvent);
			}
			return events;
		}
		await new Promise((r) => setTimeout(r, 300));
	}
}
