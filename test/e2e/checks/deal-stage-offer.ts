// examples/deal-stage-offer.json in a real n8n: the CRM's webhook call sends the offer through the sandbox SMTP
// (sales@crm.local), which delivers it into the sandbox mailbox customer@client.local; the mail is found there.
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { E2eEnv, Execution, ExampleCheck } from '../harness';

const title = `CRM rollout ${randomUUID().slice(0, 8)}`;

async function findOffer(env: E2eEnv, subject: string, timeoutMs = 30000) {
	const sandbox = env.sandbox;
	if (!sandbox) throw new Error('The mail sandbox is not running (Dovecot missing?)');
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const client = new ImapFlow({ host: sandbox.host, port: sandbox.imapPort, secure: false, auth: { user: sandbox.users.customer.user, pass: sandbox.users.customer.pass }, logger: false });
		client.on('error', () => undefined);
		await client.connect();
		try {
			await client.mailboxOpen('INBOX');
			const uids = (await client.search({ subject: title }, { uid: true })) || [];
			if (uids.length) {
				const msg = await client.fetchOne(String(uids[uids.length - 1]), { envelope: true, source: true }, { uid: true });
				if (msg && msg.envelope?.subject === subject) return msg;
			}
		} finally {
			await client.logout().catch(() => undefined);
		}
		if (Date.now() > deadline) throw new Error(`No mail "${subject}" in ${sandbox.users.customer.user}'s INBOX within ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

const check: ExampleCheck = {
	webhookBody: {
		deal: { id: 'D-1', title, stage: 'proposal', amount: 4800, currency: 'EUR', validUntil: '2026-12-31', items: [{ name: 'Licence', qty: 10, price: 480 }] },
		contact: { name: 'Anna', email: 'customer@client.local' },
	},
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success') throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const msg = await findOffer(env, `Offer for ${title} (proposal)`);
		const source = msg.source!.toString();
		if (!/^From: CRM Sales <sales@crm\.local>|^From: .*sales@crm\.local/m.test(source)) throw new Error(`Unexpected From in:\n${source.slice(0, 600)}`);
		if (!source.includes('X-CRM-Deal-ID: D-1')) throw new Error('The custom header X-CRM-Deal-ID is missing');
	},
	timeoutMs: 60000,
};

export default check;
