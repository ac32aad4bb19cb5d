// examples/bitrix24-deal-stage-offer.json in a real n8n against the e2e's Bitrix24 stand-in. A deal in the
// stage Preparing documents (PREPARATION) with its contact customer@client.local is put into the portal; then
// three requests as Bitrix24's outgoing webhook posts them (form-encoded `event`, `data[FIELDS][ID]`,
// `auth[...]`): one with a wrong application token (ignored, the deal is never read), the genuine event with
// `?delayMinutes=0.05` (the offer goes out 3 s later, not before), and, once that ran, the same event again (Bitrix24 sends
// ONCRMDEALUPDATE on every change of the deal: no second offer). Exactly one offer arrives in the sandbox
// mailbox customer@client.local, with the deal's title, amount and ID.
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { publicApi } from '../harness';
import { findMail } from '../mail';
import type { Fields } from './bitrix24-portal';
import { itemsOf, portalOf, ran, waitFor } from './bitrix24-portal';

const { dealEventForm, APPLICATION_TOKEN } = require('../../../scripts/lib/bitrix24-standin');
const { waitForExecution } = require('../../../scripts/lib/n8n-rest');

const NAME = 'bitrix24-deal-stage-offer';
const tag = randomUUID().slice(0, 8);
const title = `Rollout ${tag}`;
let deal: Fields;
let before: Set<string>;

async function postEvent(env: E2eEnv, form: string, query = ''): Promise<void> {
	const res = await fetch(`${env.webhookUrl}/webhook/bitrix24-deal-updated${query}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: form,
	});
	if (res.status !== 200)
		throw new Error(`The webhook answered ${res.status} to Bitrix24's event: ${await res.text()}`);
}

const byId = (a: string, b: string) => Number(a) - Number(b);

async function executionIds(env: E2eEnv): Promise<string[]> {
	const id = env.workflowIds.get(NAME);
	const list = await publicApi(env, 'GET', `/executions?workflowId=${id}&limit=100`);
	return list.data.map((e: Json) => String(e.id));
}

/** How many messages in customer@client.local's INBOX have `subjectPart` in their subject. */
async function countMails(env: E2eEnv, subjectPart: string): Promise<number> {
	const { user, pass } = env.sandbox!.users.customer;
	const client = new ImapFlow({
		host: env.sandbox!.host,
		port: env.sandbox!.imapPort,
		secure: false,
		doSTARTTLS: false,
		auth: { user, pass },
		logger: false,
	});
	client.on('error', () => undefined);
	await client.connect();
	try {
		await client.mailboxOpen('INBOX');
		return ((await client.search({ subject: subjectPart }, { uid: true })) || []).length;
	} finally {
		await client.logout().catch(() => undefined);
	}
}

const check: ExampleCheck = {
	async prepare(env: E2eEnv) {
		const portal = portalOf(env);
		const contact = portal.put('contact', {
			NAME: 'Anna',
			LAST_NAME: `Offer-${tag}`,
			EMAIL: [{ ID: '1', VALUE: 'customer@client.local', VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }],
		});
		deal = portal.put('deal', {
			TITLE: title,
			STAGE_ID: 'PREPARATION',
			OPPORTUNITY: '4800.00',
			CURRENCY_ID: 'EUR',
			CONTACT_ID: contact.ID,
		});
		before = new Set(await executionIds(env));
	},
	async trigger(env: E2eEnv) {
		const query = '?delayMinutes=0.05';
		await postEvent(
			env,
			dealEventForm({ dealId: deal.ID, applicationToken: 'forged-token' }),
			query,
		);
		await postEvent(env, dealEventForm({ dealId: deal.ID }), query);
		// the repeat comes once the first event's execution is over: Remove Duplicates records a key when its
		// execution reaches it, so two events within milliseconds could both pass it (see the report)
		const genuine = await waitFor(
			() => 'The executions of the first two requests did not start within 30 s',
			async () => (await executionIds(env)).filter((id) => !before.has(id)).sort(byId)[1],
		);
		await waitForExecution(env.baseUrl, env.apiKey, genuine, { timeoutMs: 30000 });
		await postEvent(env, dealEventForm({ dealId: deal.ID }), query);
	},
	// the forged request comes first and never reads the deal; the genuine one is the first that does
	pick: (execution) => ran(execution, 'Get the Deal'),
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const event = itemsOf(execution, 'Bitrix24: Deal Updated')[0];
		if (event?.body?.['auth[application_token]'] !== APPLICATION_TOKEN)
			throw new Error(
				`The webhook did not get Bitrix24's form fields: ${JSON.stringify(event?.body)}`,
			);
		const read = itemsOf(execution, 'Get the Deal')[0];
		if (read?.id !== deal.ID || read?.stage !== 'PREPARATION')
			throw new Error(`"Get the Deal" read ${JSON.stringify(read)}, not deal ${deal.ID}`);
		const plan = itemsOf(execution, 'In Preparing Documents: 10 Minutes Later')[0]?.crmDelay;
		const due = new Date(plan?.dueAt ?? NaN).getTime();
		const sent = execution.data.resultData.runData['Send the Offer']?.[0]?.startTime as number;
		if (!(due - new Date(execution.startedAt ?? 0).getTime() >= 2000) || !(sent >= due))
			throw new Error(`Not sent 3 s after the event: due ${plan?.dueAt}, sent at ${sent}`);

		const msg = await findMail(env, 'customer', tag);
		if (msg.envelope?.subject !== `Our offer for ${title}`)
			throw new Error(`Unexpected subject "${msg.envelope?.subject}"`);
		const source = msg.source!.toString();
		if (!new RegExp(`^X-Bitrix24-Deal-ID:[ \\t]*${deal.ID}\\r?$`, 'im').test(source))
			throw new Error(
				`No header X-Bitrix24-Deal-ID: ${deal.ID} in:\n${source.split(/\r?\n\r?\n/)[0]}`,
			);
		const text = source.replace(/=\r?\n/g, '');
		if (!text.includes(`Anna Offer-${tag}`) || !/4[,.\s\u00a0\u202f]?800/.test(text))
			throw new Error(`The offer lacks the contact's name or the amount:\n${text.slice(-1500)}`);

		// all three requests ran to their end: the forged one stopped at the token, the repeat at the dedupe
		const runs: Execution[] = await waitFor(
			() => 'Three executions of the three requests did not all finish within 30 s',
			async () => {
				const fresh = (await executionIds(env)).filter((id) => !before.has(id));
				if (fresh.length < 3) return undefined;
				const all = await Promise.all(
					fresh.map((id) => publicApi(env, 'GET', `/executions/${id}?includeData=true`)),
				);
				return all.every((e: Json) => !['new', 'running', 'waiting'].includes(e.status))
					? (all as Execution[])
					: undefined;
			},
		);
		const forged = runs.filter((e) => !ran(e, 'Get the Deal'));
		if (forged.length !== 1 || !ran(forged[0], 'Ignore: Not From Our Bitrix24'))
			throw new Error(`The forged request was not stopped at "Sent by Our Bitrix24?"`);
		const repeats = runs.filter((e) => ran(e, 'Get the Deal') && !ran(e, 'Send the Offer'));
		if (
			repeats.length !== 1 ||
			repeats[0].status !== 'success' ||
			itemsOf(repeats[0], 'Once per Deal and Stage').length !== 0
		)
			throw new Error(`The repeated event was not stopped at "Once per Deal and Stage"`);
		const count = await countMails(env, tag);
		if (count !== 1) throw new Error(`Expected one offer for ${title}, found ${count}`);
	},
	timeoutMs: 60000,
};

export default check;
