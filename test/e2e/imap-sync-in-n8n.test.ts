// The IMAP Sync Trigger in a real n8n (the package packed and installed as the Community Nodes screen does):
// exactly once across graceful restarts, re-published workflows and kill -9; a folder of 200,000 messages;
// push for a second watched folder; live change events; problems that stay with their folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	appendMessage,
	deliverLmtp,
	newUser,
	openImap,
	startDovecot,
	type DovecotHandle,
} from '../harness/dovecot';
import {
	activate,
	countDelivery,
	createCredential,
	createTriggerWorkflow,
	deactivate,
	executionsOf,
	until,
} from './imap-flow';
import { runRestartScenario } from './imap-restarts';
import { writeMaildir } from './maildir';
import { startPackagedN8n, type N8nInstance } from './n8n-instance';

const log = (m: string) => process.stdout.write(`[imap-e2e] ${m}\n`);
let n8n: N8nInstance;
let dv: DovecotHandle;

beforeAll(
	async () => {
		dv = await startDovecot();
		n8n = await startPackagedN8n({ name: 'imap-sync', log });
	},
	15 * 60 * 1000,
);

afterAll(async () => {
	await n8n?.stop();
	await dv?.stop();
}, 60 * 1000);

const account = (user: string) => ({ host: dv.host, port: dv.imapPort, user, password: 'pass' });
const raw = (id: string, extra = '') =>
	[
		`From: Client <client@example.org>`,
		`To: sales@test.local`,
		`Subject: ${id}`,
		`Message-ID: <${id}>`,
		extra,
		'',
		`Body of ${id}.`,
		'',
	]
		.filter((l, i) => i !== 4 || l)
		.join('\r\n');

test(
	'exactly once across 5 graceful restarts and 2 re-publishes while 500 mails arrive; after kill -9 nothing is missing',
	async () => {
		const result = await runRestartScenario(n8n, dv, undefined, log);
		expect(result.events.filter((e) => e === 'restart')).toHaveLength(5);
		expect(result.events.filter((e) => e === 'republish')).toHaveLength(2);
		expect(result.graceful.missing).toEqual([]);
		expect(result.graceful.duplicated).toEqual([]);
		expect(result.crash.missing).toEqual([]);
		// a kill may cut off the batch in flight: it is delivered again, at most that batch per kill
		expect(result.crash.duplicates).toBeLessThanOrEqual(2 * result.batchSize);
		process.stdout.write(
			`[imap-e2e] restart figures: graceful missing=${result.graceful.missing.length} duplicates=${result.graceful.duplicates}; kill -9 missing=${result.crash.missing.length} duplicates=${result.crash.duplicates} (batch size ${result.batchSize})\n`,
		);
		await deactivate(n8n, result.workflowId);
	},
	15 * 60 * 1000,
);

test(
	'a folder of 200,000 messages activates and syncs its first window (the last 30 days) with bounded memory',
	async () => {
		const { user } = newUser('big-folder');
		const day = 86400000;
		const old = Date.now() - 400 * day;
		function* messages() {
			for (let i = 0; i < 200000; i++)
				yield { raw: raw(`old-${i}@big.test`), received: new Date(old + i * 1000) };
			for (let i = 0; i < 300; i++)
				yield { raw: raw(`recent-${i}@big.test`), received: new Date(Date.now() - day + i * 1000) };
		}
		let started = Date.now();
		writeMaildir(dv, user, 'INBOX', messages());
		log(`wrote 200,300 maildir files in ${Date.now() - started} ms`);
		started = Date.now();
		const c = await openImap(dv, user);
		const lock = await c.getMailboxLock('INBOX'); // Dovecot indexes the folder on its first SELECT
		const exists = (c.mailbox as { exists: number }).exists;
		lock.release();
		await c.logout();
		log(`Dovecot indexed ${exists} messages in ${Date.now() - started} ms`);
		expect(exists).toBe(200300);

		const credential = await createCredential(n8n, 'ours', account(user));
		const id = await createTriggerWorkflow(n8n, {
			kind: 'ours',
			credential,
			parameters: { firstSync: 'days', days: 30 },
			name: 'Big folder',
		});
		const idle = n8n.rssMb();
		let peak = idle;
		const sampler = setInterval(() => (peak = Math.max(peak, n8n.rssMb())), 200);
		const expected = Array.from({ length: 300 }, (_, i) => `<recent-${i}@big.test>`);
		try {
			started = Date.now();
			await activate(n8n, id);
			log(`activated in ${Date.now() - started} ms`);
			await until(
				async () => countDelivery(await executionsOf(n8n, id), expected).missing.length === 0,
				120000,
				1000,
			);
			log(`first window synced ${Date.now() - started} ms after activating`);
		} finally {
			clearInterval(sampler);
			await deactivate(n8n, id);
		}
		const executions = await executionsOf(n8n, id);
		const count = countDelivery(executions, expected);
		expect(count.missing).toEqual([]);
		expect(count.duplicated).toEqual([]);
		const received = executions.flatMap((e) => e.items.map((i) => i.messageId as string));
		expect(received.filter((m) => m.startsWith('<old-'))).toEqual([]); // nothing of the 200,000 older ones
		log(
			`n8n main RSS: idle ${idle} MB, peak ${peak} MB during activation and sync (growth ${peak - idle} MB)`,
		);
		expect(peak - idle).toBeLessThan(300);
	},
	10 * 60 * 1000,
);

/** Milliseconds from `deliveredAt` until n8n started the execution that received `messageId`. */
async function latencyOf(
	workflowId: string,
	messageId: string,
	deliveredAt: number,
): Promise<number> {
	let at = 0;
	const found = await until(
		async () => {
			const hit = (await executionsOf(n8n, workflowId)).find((e) =>
				e.items.some((i) => i.messageId === messageId),
			);
			at = hit ? new Date(hit.startedAt!).getTime() : 0;
			return Boolean(hit);
		},
		30000,
		250,
	);
	if (!found)
		throw new Error(
			`${messageId} did not arrive within 30 s (the safety poll is 5 minutes away: push did not work)`,
		);
	return at - deliveredAt;
}

const p50 = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

test(
	'a message in the second watched folder is pushed as fast as one in the first',
	async () => {
		const { user } = newUser('two-folders');
		const credential = await createCredential(n8n, 'ours', account(user));
		const folders = {
			folder: [
				{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'nothing' },
				{ path: 'Sent', direction: 'auto', load: 'full', afterAction: 'nothing' },
			],
		};
		const id = await createTriggerWorkflow(n8n, {
			kind: 'ours',
			credential,
			parameters: { folders },
			name: 'Two folders',
		});
		await activate(n8n, id);
		try {
			await new Promise((r) => setTimeout(r, 2000)); // the watcher of Sent connects
			const first: number[] = [];
			const second: number[] = [];
			for (let i = 0; i < 5; i++) {
				let t = Date.now();
				await deliverLmtp(dv, user, raw(`inbox-${i}@folders.test`));
				first.push(await latencyOf(id, `<inbox-${i}@folders.test>`, t));
				t = Date.now();
				await appendMessage(dv, user, 'Sent', raw(`sent-${i}@folders.test`));
				second.push(await latencyOf(id, `<sent-${i}@folders.test>`, t));
			}
			log(`push latency p50: first folder ${p50(first)} ms, second folder ${p50(second)} ms`);
			const items = (await executionsOf(n8n, id)).flatMap((e) => e.items);
			expect(items.filter((i) => i.folder === 'Sent').map((i) => i.direction)).toEqual(
				Array(5).fill('outgoing'),
			);
		} finally {
			await deactivate(n8n, id);
		}
	},
	5 * 60 * 1000,
);

test(
	'flag changes and expunges come as they happen; a deleted move target and an unreadable message stay with their folder',
	async () => {
		const { user } = newUser('problems');
		for (const m of ['a@problems.test', 'b@problems.test', 'c@problems.test'])
			await appendMessage(dv, user, 'INBOX', raw(m));
		const c = await openImap(dv, user);
		await c.mailboxCreate('Done');
		await c.logout();
		// the server cannot read b's file: Dovecot drops the connection whenever it is fetched
		const inbox = path.join(dv.dir, 'mail', user, 'Maildir');
		const bFile = ['cur', 'new']
			.flatMap((d) => fs.readdirSync(path.join(inbox, d)).map((f) => path.join(inbox, d, f)))
			.find((f) => fs.readFileSync(f, 'latin1').includes('b@problems.test'))!;
		fs.chmodSync(bFile, 0o000);

		const credential = await createCredential(n8n, 'ours', account(user));
		const folders = {
			folder: [
				{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'move', moveTo: 'Done' },
				{ path: 'Sent', direction: 'auto', load: 'full', afterAction: 'nothing' },
			],
		};
		const id = await createTriggerWorkflow(n8n, {
			kind: 'ours',
			credential,
			parameters: { folders, firstSync: 'days', days: 30, options: { changeEvents: true } },
			name: 'Problems',
		});
		await activate(n8n, id);
		try {
			const items = async () => (await executionsOf(n8n, id)).flatMap((e) => e.items);
			expect(await until(async () => (await items()).length >= 3, 60000)).toBe(true);
			expect((await items()).map((i) => [i.event, i.messageId])).toEqual(
				expect.arrayContaining([
					['message', '<a@problems.test>'],
					['message', '<c@problems.test>'],
					['unreadable', ''],
				]),
			);
			const unreadable = (await items()).find((i) => i.event === 'unreadable');
			expect(unreadable).toMatchObject({
				folder: 'INBOX',
				uid: 2,
				message: expect.stringMatching(/was skipped/),
			});
			// a and c were moved to Done once their execution finished
			expect(await until(async () => (await c2Status(user, 'Done')) === 2, 30000)).toBe(true);

			// live: a flag change and an expunge in Sent, while the trigger is active
			await appendMessage(dv, user, 'Sent', raw('s1@problems.test'));
			expect(
				await until(
					async () => (await items()).some((i) => i.messageId === '<s1@problems.test>'),
					30000,
				),
			).toBe(true);
			await onMailbox(user, 'Sent', (cl) =>
				cl.messageFlagsAdd({ uid: '1' }, ['\\Flagged'], { uid: true }),
			);
			expect(
				await until(
					async () =>
						(await items()).some((i) => i.event === 'flagsChanged' && i.folder === 'Sent'),
					30000,
				),
			).toBe(true);
			await onMailbox(user, 'Sent', (cl) => cl.messageDelete({ uid: '1' }, { uid: true }));
			expect(
				await until(
					async () => (await items()).some((i) => i.event === 'expunged' && i.folder === 'Sent'),
					30000,
				),
			).toBe(true);

			// the move target disappears: reported as a failed execution; INBOX mail still comes, and so does Sent's
			await onMailbox(user, 'INBOX', async (cl) => cl.mailboxDelete('Done'));
			await deliverLmtp(dv, user, raw('d@problems.test'));
			expect(
				await until(
					async () =>
						(await executionsOf(n8n, id)).some(
							(e) => e.status === 'error' && /Done/.test(e.error ?? ''),
						),
					30000,
				),
			).toBe(true);
			await appendMessage(dv, user, 'Sent', raw('s2@problems.test'));
			expect(
				await until(
					async () => (await items()).some((i) => i.messageId === '<s2@problems.test>'),
					30000,
				),
			).toBe(true);
			expect((await items()).filter((i) => i.messageId === '<d@problems.test>')).toHaveLength(1);
		} finally {
			await deactivate(n8n, id);
		}
	},
	5 * 60 * 1000,
);

async function onMailbox(
	user: string,
	mailbox: string,
	fn: (c: Awaited<ReturnType<typeof openImap>>) => Promise<unknown>,
): Promise<void> {
	const cl = await openImap(dv, user);
	try {
		const lock = await cl.getMailboxLock(mailbox);
		try {
			await fn(cl);
		} finally {
			lock.release();
		}
	} finally {
		await cl.logout().catch(() => undefined);
	}
}

async function c2Status(user: string, mailbox: string): Promise<number> {
	const cl = await openImap(dv, user);
	try {
		const s = await cl.status(mailbox, { messages: true });
		return s ? (s.messages ?? 0) : -1;
	} finally {
		await cl.logout().catch(() => undefined);
	}
}
