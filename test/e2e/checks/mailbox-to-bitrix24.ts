// examples/mailbox-to-bitrix24.json in a real n8n against the e2e's Bitrix24 stand-in: the IMAP Sync Trigger
// watches sales@crm.local; two mails from one unknown sender, one from another unknown sender and one from a
// contact the portal knows are delivered into its INBOX. In the portal afterwards: exactly one lead per unknown
// sender (also when both of its mails came in one batch or one after the other), a deal in the stage New for the
// known contact (rule 3), and every mail as one incoming e-mail activity (keyed by its Message-ID) on the
// timeline of its sender's record.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck } from '../harness';
import { deliverMail } from '../mail';
import type { Fields } from './bitrix24-portal';
import { emailsOf, itemsOf, portalOf, waitFor } from './bitrix24-portal';

const tag = randomUUID().slice(0, 8);
const lena = `lena-${tag}@newco-${tag}.example`;
const mark = `mark-${tag}@other-${tag}.example`;
const olga = `olga-${tag}@known-${tag}.example`;
const mails = [
	{ from: lena, fromName: 'Lena Newco', subject: `Pricing question ${tag}` },
	{ from: lena, fromName: 'Lena Newco', subject: `Pricing question, part 2 ${tag}` },
	{ from: mark, fromName: 'Mark Other', subject: `Demo request ${tag}` },
	// last: the example's execution is the one that carries it (the others ran before it)
	{ from: olga, fromName: 'Olga Known', subject: `New project ${tag}` },
];
const messageIds = new Map<string, string>();
let known: Fields;

const bare = (id: string) => id.replace(/^<|>$/g, '');

const check: ExampleCheck = {
	async prepare(env: E2eEnv) {
		known = portalOf(env).put('contact', {
			NAME: 'Olga',
			LAST_NAME: 'Known',
			EMAIL: [{ ID: '1', VALUE: olga, VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }],
		});
	},
	async trigger(env: E2eEnv) {
		for (const m of mails)
			messageIds.set(
				m.subject,
				await deliverMail(env, 'sales', { ...m, text: `Hello, ${m.subject}. (${tag})` }),
			);
	},
	// the first sync also emits older mail of the last 30 days (the other mailbox examples')
	pick: (execution) =>
		itemsOf(execution, 'IMAP Sync Trigger').some((m) => m.subject === mails[3].subject),
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const portal = portalOf(env);
		const withAddress = (entity: string, address: string) =>
			portal.list(entity).filter((r) => emailsOf(r).includes(address));
		const activities = () =>
			portal.list('activity').filter((a) => String(a.SUBJECT ?? '').includes(tag));
		// the earlier mails ran in executions before this one: all four are recorded by now
		await waitFor(
			() =>
				`Expected 4 e-mail activities for the mails of ${tag}, found ${JSON.stringify(activities())}`,
			() => (activities().length >= 4 ? true : undefined),
			10000,
		);
		for (const sender of [lena, mark]) {
			const leads = withAddress('lead', sender);
			if (leads.length !== 1)
				throw new Error(`Expected one lead for ${sender}, found ${JSON.stringify(leads)}`);
			if (leads[0].SOURCE_ID !== 'EMAIL' || leads[0].STATUS_ID !== 'NEW')
				throw new Error(
					`The lead of ${sender} is not a new lead from e-mail: ${JSON.stringify(leads[0])}`,
				);
			if (withAddress('contact', sender).length)
				throw new Error(`A contact was created for the unknown sender ${sender} besides its lead`);
		}
		if (withAddress('lead', olga).length || withAddress('contact', olga).length !== 1)
			throw new Error(`The known contact ${olga} got another record`);
		const deals = portal.list('deal').filter((d) => String(d.CONTACT_ID) === known.ID);
		if (deals.length !== 1 || deals[0].STAGE_ID !== 'NEW' || deals[0].CLOSED !== 'N')
			throw new Error(
				`Expected one open deal in stage NEW for contact ${known.ID}, found ${JSON.stringify(deals)}`,
			);
		const list = activities();
		if (list.length !== 4)
			throw new Error(
				`Expected 4 e-mail activities (one per mail), found ${list.length}: ${JSON.stringify(list)}`,
			);
		for (const m of mails) {
			const a = list.find((x) => x.SUBJECT === m.subject);
			if (!a) throw new Error(`No activity for "${m.subject}": ${JSON.stringify(list)}`);
			const owner =
				m.from === olga
					? { type: '3', id: known.ID }
					: { type: '1', id: withAddress('lead', m.from)[0].ID };
			const bound = portal.bindings.some(
				(b) =>
					b.activityId === Number(a.ID) &&
					String(b.entityTypeId) === owner.type &&
					String(b.entityId) === String(owner.id),
			);
			const expected = {
				TYPE_ID: '4',
				DIRECTION: '1',
				ORIGIN_ID: bare(messageIds.get(m.subject)!),
			};
			const got = {
				TYPE_ID: a.TYPE_ID,
				DIRECTION: a.DIRECTION,
				ORIGIN_ID: bare(String(a.ORIGIN_ID)),
			};
			if (JSON.stringify(got) !== JSON.stringify(expected) || !bound)
				throw new Error(
					`The activity of "${m.subject}" is ${JSON.stringify(a)} (bound to ${owner.type}/${owner.id}: ${bound}), expected ${JSON.stringify(expected)} on the sender's record`,
				);
		}
		// what the node put out for the known contact's mail: matched, with the deal it created
		const out = itemsOf(execution, 'Link Email in Bitrix24').find(
			(m) => m.subject === mails[3].subject,
		);
		if (!out?.crm?.links?.length)
			throw new Error(`"Link Email in Bitrix24" reports no links: ${JSON.stringify(out?.crm)}`);
	},
	timeoutMs: 90000,
};

export default check;
