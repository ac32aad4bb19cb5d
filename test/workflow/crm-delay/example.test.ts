// examples/offer-after-stage.json as n8n runs it: the CRM calls the webhook, CRM Delay waits (seconds here,
// 2 days by default) and the offer goes out through SMTP only after the due time; other deals never wait.
import fs from 'node:fs';
import path from 'node:path';
import { startSmtpCapture, parseCaptured, type SmtpCapture } from '../../harness/smtp-capture';
import { WebhookServer } from '../../harness/webhook-server';
import { didRun, outputOf, type WorkflowJson } from '../../harness/workflow';
import { smtpCredential } from '../templated-email/helpers';

const example = JSON.parse(
	fs.readFileSync(path.join(__dirname, '../../../examples/offer-after-stage.json'), 'utf8'),
) as WorkflowJson;
const DELAY = '2 Days After Stage Offer';

describe('example: 2 days after the deal moved to stage Offer, if amount > 0, send the offer', () => {
	let sink: SmtpCapture;
	let server: WebhookServer;
	const arrivals: number[] = [];
	beforeAll(async () => {
		sink = await startSmtpCapture({ onMessage: async () => void arrivals.push(Date.now()) });
		server = new WebhookServer(example, {
			credentials: { crmMailSmtp: smtpCredential(sink, { allowedSenders: '' }) },
		});
		await server.start();
	});
	afterAll(async () => {
		await server?.stop();
		await sink?.close();
	});

	const post = async (body: object) => {
		const before = server.runs().length;
		const res = await fetch(server.url('Deal Moved to Offer'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		expect(res.status).toBe(200);
		for (let i = 0; i < 800 && server.runs().length === before; i++)
			await new Promise((r) => setTimeout(r, 25));
		return server.runs()[before];
	};
	const deal = (extra: object = {}) => ({
		deal: {
			id: 'D-7',
			title: 'CRM rollout',
			stage: 'Offer',
			amount: 48000,
			currency: 'RUB',
			...extra,
		},
		contact: { name: 'Anna', email: 'anna@client.local' },
	});

	it('with a delay of seconds, the offer arrives after the due time, not before', async () => {
		const run = await post({ ...deal(), delay: 0.05, delayUnit: 'minutes' });
		expect(run.data.resultData.error).toBeUndefined();
		const due = new Date(
			(outputOf(run, DELAY)[0].json.crmDelay as { dueAt: string }).dueAt,
		).getTime();
		expect(sink.messages).toHaveLength(1);
		expect(arrivals[0]).toBeGreaterThanOrEqual(due);
		const mail = await parseCaptured(sink.messages[0]);
		expect(mail.subject).toBe('Our offer for CRM rollout');
		expect(mail.headers.get('x-crm-deal-id')).toBe('D-7');
	});

	it('by default the execution waits 2 days after the stage date, with no mail yet', async () => {
		const sent = sink.messages.length;
		const run = await post(deal({ stageChangedAt: '2030-03-02T10:00:00+03:00' }));
		expect(run.status).toBe('waiting');
		expect(run.waitTill!.toISOString()).toBe('2030-03-04T07:00:00.000Z');
		expect(didRun(run, 'Send the Offer')).toBe(false);
		expect(sink.messages.length).toBe(sent);
	});

	it('a deal without an amount leaves on Not Matched at once and gets no mail', async () => {
		const sent = sink.messages.length;
		const run = await post(deal({ amount: 0 }));
		expect(run.status).toBe('success');
		expect(outputOf(run, 'Not an Offer or No Amount')[0].json.crmDelay).toMatchObject({
			status: 'notMatched',
			reason: 'condition not met: body.deal.amount (0) is greater than "0"',
		});
		expect(didRun(run, 'Send the Offer')).toBe(false);
		expect(sink.messages.length).toBe(sent);
	});
});
