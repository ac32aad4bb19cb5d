// examples/offer-after-stage.json in a real n8n: the CRM's webhook call carries a delay of 6 seconds instead of
// the default 2 days; the execution waits in CRM Delay until the due time, then sends the offer through the
// sandbox SMTP into customer@client.local's INBOX, where it arrives not before the due time.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { findMail } from '../mail';

const DELAY = '2 Days After Stage Offer';
const SEND = 'Send the Offer';
const title = `Offer rollout ${randomUUID().slice(0, 8)}`;

function runOf(execution: Execution, node: string): Json {
	const run = execution.data?.resultData?.runData?.[node]?.[0];
	if (!run)
		throw new Error(
			`Node "${node}" did not run; ran: ${Object.keys(execution.data?.resultData?.runData ?? {}).join(', ')}`,
		);
	return run;
}

const check: ExampleCheck = {
	webhookBody: {
		deal: { id: 'D-42', title, stage: 'Offer', amount: 48000, currency: 'RUB' },
		contact: { name: 'Anna', email: 'customer@client.local' },
		// 0.1 minutes: the example's sticky note tells users to try it this way
		delay: 0.1,
		delayUnit: 'minutes',
	},
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const delay = runOf(execution, DELAY);
		const plan = delay.data?.main?.[0]?.[0]?.json?.crmDelay;
		if (!plan?.dueAt)
			throw new Error(
				`CRM Delay put nothing on its "due" output: ${JSON.stringify(delay.data?.main)}`,
			);
		const due = new Date(plan.dueAt).getTime();
		// the due time is 6 s after the webhook call (computed from $now when the deal came in)
		const started = new Date(execution.startedAt ?? 0).getTime();
		if (!(due - started >= 5000))
			throw new Error(`Due time ${plan.dueAt} is not ~6 s after the start ${execution.startedAt}`);
		const sendStart = runOf(execution, SEND).startTime as number;
		if (!(sendStart >= due))
			throw new Error(
				`"${SEND}" started at ${new Date(sendStart).toISOString()}, before the due time ${plan.dueAt}`,
			);
		const msg = await findMail(env, 'customer', title);
		if (msg.envelope?.subject !== `Our offer for ${title}`)
			throw new Error(`Unexpected subject "${msg.envelope?.subject}"`);
		// INTERNALDATE has whole seconds: the delivery second is not before the due second
		const arrived = new Date(msg.internalDate as Date | string).getTime();
		if (arrived < Math.floor(due / 1000) * 1000)
			throw new Error(
				`The offer arrived at ${new Date(arrived).toISOString()}, before the due time ${plan.dueAt}`,
			);
		const source = msg.source!.toString();
		// header names are case-insensitive (nodemailer writes X-Crm-Deal-ID)
		if (!/^X-CRM-Deal-ID:[ \t]*D-42\r?$/im.test(source))
			throw new Error(
				`The custom header X-CRM-Deal-ID: D-42 is missing in:\n${source.split(/\r?\n\r?\n/)[0]}`,
			);
	},
	timeoutMs: 90000,
};

export default check;
