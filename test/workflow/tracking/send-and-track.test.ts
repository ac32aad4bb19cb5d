// The whole loop in the workflow harness: Send Templated Email with tracking on sends through a real SMTP
// sink; the captured mail's pixel, link and unsubscribe URL are then requested over HTTP from the Email
// Tracking Trigger, which starts executions carrying the tracking data given to the send node.
import { randomBytes } from 'node:crypto';
import { decodeHTML } from 'entities';
import type { IConnections } from 'n8n-workflow';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { NODE, sendWorkflow, smtpCredential } from '../templated-email/helpers';

const SECRET = randomBytes(32).toString('hex');
const CHROME =
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
let sink: SmtpCapture;
let server: WebhookServer;

const triggerWf = {
	nodes: [
		{
			id: 'c3d4e5f6-0000-4000-8000-000000000001',
			name: 'Tracking',
			type: 'n8n-nodes-crm-mail.emailTrackingTrigger',
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: 'd4e5f6a7-1111-4222-8333-444455556666',
			parameters: { path: 'track' },
			credentials: { emailTracking: { id: 'x', name: 'x' } },
		},
	],
	connections: {} as IConnections,
};

beforeAll(async () => {
	sink = await startSmtpCapture();
});
afterAll(async () => sink?.close());
afterEach(async () => server?.stop());

it('sends a tracked mail whose pixel, link and one-click unsubscribe come back as events with the tracking data', async () => {
	server = new WebhookServer(triggerWf, {
		credentials: { emailTracking: { secret: SECRET, baseUrl: 'unused' } },
	});
	await server.start();
	const tracking = {
		emailTracking: { secret: SECRET, baseUrl: `${server.baseUrl}/webhook/track` },
	};
	const wf = sendWorkflow({
		to: '={{ $json.email }}',
		subject: 'Your offer',
		html: '<html><body><p>Hello {{name}}, <a href="https://shop.example.com/offer?id=7&amp;src=mail">see the offer</a>.</p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a> <a href="mailto:sales@crm.local">Write to us</a></p></body></html>',
		tracking: true,
		trackingOptions: {
			click: true,
			data: { value: [{ key: 'dealId', value: '={{ $json.deal }}' }] },
		},
	});
	wf.nodes[0].credentials = { ...wf.nodes[0].credentials, emailTracking: { id: 't', name: 't' } };
	const run = await runWorkflow(wf, {
		credentials: { crmMailSmtp: smtpCredential({ host: sink.host, port: sink.port }), ...tracking },
		input: [{ json: { email: 'ann@client.local', name: 'Ann', deal: 'D-42' } }],
	});
	const [out] = outputOf(run, NODE);
	expect(out.json.trackingId).toEqual(expect.any(String));

	const [captured] = await sink.waitFor(1);
	const mail = await parseCaptured(captured);
	const html = String(mail.html);
	// as a mail client reads them: attribute values entity-decoded (Handlebars writes `=` as &#x3D;)
	const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => decodeHTML(m[1]));
	const pixel = decodeHTML(/<img src="([^"]+)"/.exec(html)![1]);
	expect(links[0].startsWith(`${server.baseUrl}/webhook/track/click?t=`)).toBe(true);
	expect(links[1].startsWith(`${server.baseUrl}/webhook/track/unsubscribe?t=`)).toBe(true);
	expect(links[2]).toBe('mailto:sales@crm.local');
	const headerLine = (key: string) =>
		mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ');
	expect(headerLine('list-unsubscribe')).toBe(`List-Unsubscribe: <${links[1]}>`);
	// the loopback base URL is http: RFC 8058 one-click needs https, so no List-Unsubscribe-Post here
	// (test/unit/tracking/decorator.test.ts has the https case, DKIM-signed)
	expect(headerLine('list-unsubscribe-post')).toBeUndefined();
	// the generated text part keeps the clean link
	expect(mail.text).toContain('https://shop.example.com/offer?id=7&src=mail');

	// the events (the tokens were issued just now, so they count as fast hits: classification says so)
	expect(
		(await fetch(pixel, { headers: { 'user-agent': CHROME } })).headers.get('content-type'),
	).toBe('image/gif');
	const click = await fetch(links[0], { redirect: 'manual', headers: { 'user-agent': CHROME } });
	expect(click.headers.get('location')).toBe('https://shop.example.com/offer?id=7&src=mail');
	await fetch(links[1], {
		method: 'POST',
		body: 'List-Unsubscribe=One-Click',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	const events = server.runs().map((r) => outputOf(r, 'Tracking')[0].json);
	expect(
		events.map((e) => [e.type, e.recipient, e.messageId, e.trackingId, e.trackingData]),
	).toEqual(
		['opened', 'clicked', 'unsubscribed'].map((type) => [
			type,
			'ann@client.local',
			mail.messageId,
			out.json.trackingId,
			{ dealId: 'D-42' },
		]),
	);
});
