// examples/deal-stage-offer.json in a real n8n: the CRM's webhook call sends the offer through the sandbox SMTP
// (sales@crm.local), which delivers it into the sandbox mailbox customer@client.local; the mail is found there.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck } from '../harness';
import { findMail } from '../mail';

const title = `CRM rollout ${randomUUID().slice(0, 8)}`;

const check: ExampleCheck = {
	webhookBody: {
		deal: {
			id: 'D-1',
			title,
			stage: 'proposal',
			amount: 4800,
			currency: 'EUR',
			validUntil: '2026-12-31',
			items: [{ name: 'Licence', qty: 10, price: 480 }],
		},
		contact: { name: 'Anna', email: 'customer@client.local' },
	},
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const msg = await findMail(env, 'customer', title);
		const subject = `Offer for ${title} (proposal)`;
		if (msg.envelope?.subject !== subject)
			throw new Error(`Expected the subject "${subject}", got "${msg.envelope?.subject}"`);
		const source = msg.source!.toString();
		if (!/^From: CRM Sales <sales@crm\.local>|^From: .*sales@crm\.local/m.test(source))
			throw new Error(`Unexpected From in:\n${source.slice(0, 600)}`);
		// header names are case-insensitive (nodemailer writes X-Crm-Deal-ID)
		if (!/^X-CRM-Deal-ID:[ \t]*D-1\r?$/im.test(source))
			throw new Error(
				`The custom header X-CRM-Deal-ID: D-1 is missing in:\n${source.split(/\r?\n\r?\n/)[0]}`,
			);
	},
	timeoutMs: 60000,
};

export default check;
