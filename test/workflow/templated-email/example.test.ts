// examples/deal-stage-offer.json as n8n runs it: the CRM calls the webhook, the offer goes through SMTP (a sink
// that delivers into Dovecot over LMTP, as the `npm start` sandbox does) and lands in the customer's INBOX.
import fs from 'node:fs';
import path from 'node:path';
import {
	deliverLmtp,
	newUser,
	openImap,
	sharedDovecot,
	type DovecotHandle,
} from '../../harness/dovecot';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { WebhookServer } from '../../harness/webhook-server';
import { outputOf, type WorkflowJson } from '../../harness/workflow';
import { smtpCredential } from './helpers';

const example = JSON.parse(
	fs.readFileSync(path.join(__dirname, '../../../examples/deal-stage-offer.json'), 'utf8'),
) as WorkflowJson;

describe('example: deal moved to stage -> send the offer', () => {
	let dv: DovecotHandle;
	let sink: SmtpCapture;
	let server: WebhookServer;
	const customer = newUser('customer');
	beforeAll(async () => {
		dv = await sharedDovecot();
		sink = await startSmtpCapture({
			onMessage: ({ envelope, raw }) => deliverLmtp(dv, envelope.rcptTo, raw, envelope.mailFrom),
		});
		server = new WebhookServer(example, {
			credentials: {
				crmMailSmtp: smtpCredential(sink, { senderName: 'CRM Sales', allowedSenders: '' }),
			},
		});
		await server.start();
	});
	afterAll(async () => {
		await server?.stop();
		await sink?.close();
	});

	it('the webhook call sends the rendered offer into the customer mailbox', async () => {
		const body = {
			deal: {
				id: 'D-1',
				title: 'CRM rollout',
				stage: 'proposal',
				amount: 4800,
				currency: 'EUR',
				validUntil: '2026-12-31',
				items: [{ name: 'Licence', qty: 10, price: 480 }],
				manager: 'Anna Petrova',
			},
			contact: { name: 'Anna', email: customer.user },
		};
		const res = await fetch(server.url('Deal Moved to Stage'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		expect(res.status).toBe(200);
		await sink.waitFor(1);
		// the webhook answers on receipt; the execution finishes after the send
		for (let i = 0; i < 200 && server.runs().length === 0; i++)
			await new Promise((r) => setTimeout(r, 25));
		const [run] = server.runs();
		expect(run.data.resultData.error).toBeUndefined();
		expect(outputOf(run, 'Send the Offer')[0].json).toMatchObject({
			accepted: [customer.user],
			subject: 'Offer for CRM rollout (proposal)',
		});
		const client = await openImap(dv, customer);
		try {
			await client.mailboxOpen('INBOX');
			const [msg] = await client.fetchAll('1:*', { source: true, envelope: true });
			expect(msg.envelope!.subject).toBe('Offer for CRM rollout (proposal)');
			expect(msg.envelope!.from![0]).toEqual({ name: 'CRM Sales', address: 'sales@crm.local' });
			const parsed = await parseCaptured(msg.source!);
			expect(parsed.headers.get('x-crm-deal-id')).toBe('D-1');
			expect(parsed.html).toContain('<td>10 x €480.00</td>');
			expect(parsed.html).toContain('Total: <b>€4,800.00</b>, valid until 31 December 2026.');
			expect(parsed.html).toContain('Best regards,<br>Anna Petrova');
			expect(parsed.text).toContain('Total: €4,800.00');
		} finally {
			await client.logout();
		}
	});
});
