// examples/mailbox-to-crm.json in a real n8n: the IMAP Sync Trigger watches sales@crm.local; a mail delivered
// into its INBOX (LMTP, as the sandbox SMTP relay does) starts an execution carrying the parsed email, which
// "Email For CRM" turns into the CRM fields (incoming, the sender as contact, subject, ids, text).
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { deliverMail } from '../mail';

const tag = randomUUID().slice(0, 8);
const sender = `boris-${tag}@client.example`;
const subject = `Question about the offer ${tag}`;
const text = `Hello, could you send the price list? (${tag})`;

function itemsOf(execution: Execution, node: string): Json[] {
	return (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map(
		(i: Json) => i.json,
	);
}

const check: ExampleCheck = {
	async trigger(env: E2eEnv) {
		await deliverMail(env, 'sales', { from: sender, fromName: 'Boris Client', subject, text });
	},
	// the first sync also emits older mail of the last 30 days (e.g. of the other mailbox example)
	pick: (execution) => itemsOf(execution, 'IMAP Sync Trigger').some((m) => m.subject === subject),
	async check(execution: Execution) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const email = itemsOf(execution, 'IMAP Sync Trigger').find((m) => m.subject === subject);
		if (email.from?.[0]?.address !== sender)
			throw new Error(`Parsed From is ${JSON.stringify(email.from)}`);
		if (!String(email.text ?? '').includes(tag))
			throw new Error(`Parsed text lacks the body: ${JSON.stringify(email.text)}`);
		const out = itemsOf(execution, 'Email For CRM').find((m) => m.subject === subject);
		if (!out)
			throw new Error(
				`"Email For CRM" has no item for the mail: ${JSON.stringify(itemsOf(execution, 'Email For CRM'))}`,
			);
		const expected = { direction: 'incoming', contact: sender, subject };
		for (const [k, v] of Object.entries(expected)) {
			if (out[k] !== v)
				throw new Error(
					`"Email For CRM" ${k} is ${JSON.stringify(out[k])}, expected ${JSON.stringify(v)}`,
				);
		}
		if (!out.messageId || !String(out.messageId).includes('@e2e.test'))
			throw new Error(`messageId is ${JSON.stringify(out.messageId)}`);
		if (!String(out.text).includes(tag)) throw new Error(`text is ${JSON.stringify(out.text)}`);
	},
	timeoutMs: 90000,
};

export default check;
