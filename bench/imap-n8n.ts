// `npm run bench -- imap-n8n`: the IMAP Sync Trigger in a real n8n (this package packed and installed as the
// Community Nodes screen does; a workflow trigger -> No Operation), against n8n's own Email Trigger (IMAP) in
// the same n8n, as the anchor measured in the same run.
//   1. A burst of 5,000 mixed messages (2-4 KB, every 10th with a 100 KB attachment) delivered by LMTP as fast
//      as Dovecot takes them into the watched INBOX. Measured from n8n's own records (executions through the
//      public API): time from the first delivery until every message is in a successful execution, the lag
//      after the last delivery, missing and duplicated messages, n8n's main-process RSS growth over its idle RSS.
//   2. n8n's Email Trigger (IMAP), newest version, default options, on a fresh n8n process (same data folder)
//      and another mailbox: the same burst, capped at 10 minutes; distinct messages seen, executions,
//      duplicates, RSS. vs_n8n_trigger = our rate / its rate over distinct messages within the cap.
//   3. Push latency into a second watched folder (delivery -> execution start, p50 of 10).
//   4. The restart scenario of the e2e test (5 graceful restarts and 2 re-publishes while 500 mails arrive).
// Knobs: IMAP_N8N_BENCH_MESSAGES (5000), IMAP_N8N_BENCH_CAP_S (600), IMAP_N8N_BENCH_SKIP=anchor,restarts.
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
const dvh = require(
	path.join(root, 'test/harness/dovecot.ts'),
) as typeof import('../test/harness/dovecot');
const flow = require(
	path.join(root, 'test/e2e/imap-flow.ts'),
) as typeof import('../test/e2e/imap-flow');
const inst = require(
	path.join(root, 'test/e2e/n8n-instance.ts'),
) as typeof import('../test/e2e/n8n-instance');
const restarts = require(
	path.join(root, 'test/e2e/imap-restarts.ts'),
) as typeof import('../test/e2e/imap-restarts');

type N8n = import('../test/e2e/n8n-instance').N8nInstance;
type Dv = import('../test/harness/dovecot').DovecotHandle;

const N = Number(process.env.IMAP_N8N_BENCH_MESSAGES ?? 5000);
const CAP_MS = Number(process.env.IMAP_N8N_BENCH_CAP_S ?? 600) * 1000;
const SKIP = new Set((process.env.IMAP_N8N_BENCH_SKIP ?? '').split(',').filter(Boolean));
const log = (m: string) => process.stderr.write(`[imap-n8n] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(tag: string, i: number): string {
	const id = `${tag}-${i}@imap-n8n.bench`;
	const head = [
		`From: Customer ${i} <customer${i % 300}@example.org>`,
		'To: sales@test.local',
		`Subject: Request ${i}`,
		`Message-ID: <${id}>`,
		`Date: ${new Date().toUTCString()}`,
		'MIME-Version: 1.0',
	];
	const text =
		`Hello, this is message ${i}. We would like an offer for ${i % 97} units of item ${i % 13}.\r\n`.repeat(
			20 + (i % 20),
		); // 2-4 KB
	if (i % 10 !== 9)
		return [...head, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n');
	const attachment = Buffer.alloc(100_000, i % 251)
		.toString('base64')
		.replace(/.{76}/g, '$&\r\n');
	return [
		...head,
		'Content-Type: multipart/mixed; boundary="mix"',
		'',
		'--mix',
		'Content-Type: text/plain; charset=utf-8',
		'',
		text,
		'--mix',
		'Content-Type: application/pdf; name="offer.pdf"',
		'Content-Disposition: attachment; filename="offer.pdf"',
		'Content-Transfer-Encoding: base64',
		'',
		attachment,
		'--mix--',
		'',
	].join('\r\n');
}

/** Delivers the burst over parallel LMTP sessions; returns the first and last acceptance times and the ids. */
async function burst(
	dv: Dv,
	user: string,
	tag: string,
): Promise<{ first: number; last: number; ids: string[] }> {
	const ids: string[] = [];
	let next = 0;
	let first = 0;
	let last = 0;
	await Promise.all(
		Array.from({ length: 8 }, async () => {
			while (next < N) {
				const i = next++;
				await dvh.deliverLmtp(dv, user, message(tag, i));
				first ||= Date.now();
				last = Date.now();
				ids.push(`<${tag}-${i}@imap-n8n.bench>`);
			}
		}),
	);
	return { first, last, ids };
}

function rssSampler(n8n: N8n) {
	let peak = n8n.rssMb();
	const timer = setInterval(() => (peak = Math.max(peak, n8n.rssMb())), 250);
	return { stop: () => (clearInterval(timer), peak) };
}

const idOf = (j: Record<string, any>) => j.messageId ?? j.metadata?.['message-id'];

interface Run {
	seen: number;
	missing: number;
	duplicates: number;
	executions: number;
	/** First delivery -> the last message's execution finished (or the cap). */
	ms: number;
	lagMs: number;
	idleRss: number;
	peakRss: number;
}

async function measure(n8n: N8n, dv: Dv, kind: 'ours' | 'n8n', capMs: number): Promise<Run> {
	const { user } = dvh.newUser(`bench-${kind}`);
	const credential = await flow.createCredential(n8n, kind, {
		host: dv.host,
		port: dv.imapPort,
		user,
		password: 'pass',
	});
	const id = await flow.createTriggerWorkflow(n8n, { kind, credential, name: `bench ${kind}` });
	await flow.activate(n8n, id);
	// idle: the lowest of a few samples (n8n's own start-up garbage is collected at its own pace)
	let idleRss = Infinity;
	for (let i = 0; i < 10; i++, await sleep(1000)) idleRss = Math.min(idleRss, n8n.rssMb());
	const rss = rssSampler(n8n);
	const sent = await burst(dv, user, kind);
	log(`${kind}: ${sent.ids.length} delivered in ${sent.last - sent.first} ms`);
	const deadline = sent.first + capMs;
	const executionLog = new flow.ExecutionLog(n8n, id);
	await flow.until(
		async () =>
			flow.countDelivery(await executionLog.refresh(), sent.ids, idOf).missing.length === 0 ||
			Date.now() > deadline,
		capMs + 60000,
		2000,
	);
	await sleep(3000);
	await flow.deactivate(n8n, id);
	const peakRss = rss.stop();
	const executions = await executionLog.refresh();
	await sleep(20000);
	log(`${kind}: RSS 20 s after the burst: ${n8n.rssMb()} MB (idle ${idleRss}, peak ${peakRss})`);
	const count = flow.countDelivery(executions, sent.ids, idOf);
	// when the message arrived: the end of the successful execution that first had it
	const doneAt = new Map<string, number>();
	for (const e of executions) {
		if (e.status !== 'success' || !e.stoppedAt) continue;
		const t = new Date(e.stoppedAt).getTime();
		for (const j of e.items) {
			const m = idOf(j);
			if (m && (!doneAt.has(m) || doneAt.get(m)! > t)) doneAt.set(m, t);
		}
	}
	const lastSeen = Math.max(...sent.ids.map((m) => doneAt.get(m) ?? 0));
	const complete = count.missing.length === 0;
	return {
		seen: count.received,
		missing: count.missing.length,
		duplicates: count.duplicates,
		executions: executions.length,
		ms: complete ? lastSeen - sent.first : capMs,
		lagMs: complete ? lastSeen - sent.last : capMs,
		idleRss,
		peakRss,
	};
}

async function secondFolderP50(n8n: N8n, dv: Dv): Promise<number> {
	const { user } = dvh.newUser('bench-folders');
	const credential = await flow.createCredential(n8n, 'ours', {
		host: dv.host,
		port: dv.imapPort,
		user,
		password: 'pass',
	});
	const folders = {
		folder: [
			{ path: 'INBOX', direction: 'auto', load: 'full', afterAction: 'nothing' },
			{ path: 'Sent', direction: 'auto', load: 'full', afterAction: 'nothing' },
		],
	};
	const id = await flow.createTriggerWorkflow(n8n, {
		kind: 'ours',
		credential,
		parameters: { folders },
		name: 'bench folders',
	});
	await flow.activate(n8n, id);
	await sleep(2000);
	const latencies: number[] = [];
	for (let i = 0; i < 10; i++) {
		const t = Date.now();
		await dvh.appendMessage(dv, user, 'Sent', message('sent', i));
		let at = 0;
		await flow.until(
			async () => {
				const hit = (await flow.executionsOf(n8n, id)).find((e) =>
					e.items.some((j) => j.messageId === `<sent-${i}@imap-n8n.bench>`),
				);
				at = hit?.startedAt ? new Date(hit.startedAt).getTime() : 0;
				return Boolean(hit);
			},
			30000,
			100,
		);
		latencies.push(at ? at - t : 30000);
	}
	await flow.deactivate(n8n, id);
	return latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)];
}

async function main() {
	const dv = await dvh.startDovecot();
	const n8n = await inst.startPackagedN8n({ name: 'bench-imap-n8n', log });
	try {
		const ours = await measure(n8n, dv, 'ours', CAP_MS);
		log(
			`ours: ${ours.seen}/${N} in ${ours.ms} ms, lag ${ours.lagMs} ms, ${ours.executions} executions, missing ${ours.missing}, duplicates ${ours.duplicates}, RSS ${ours.idleRss} -> ${ours.peakRss} MB`,
		);
		const p50 = await secondFolderP50(n8n, dv);
		log(`second folder p50 ${p50} ms`);
		let restart = { missing: -1, duplicates: -1 };
		if (!SKIP.has('restarts')) {
			const r = await restarts.runRestartScenario(n8n, dv, undefined, log);
			restart = { missing: r.graceful.missing.length, duplicates: r.graceful.duplicates };
			log(
				`restarts: graceful missing ${restart.missing}, duplicates ${restart.duplicates}; kill -9 missing ${r.crash.missing.length}, duplicates ${r.crash.duplicates}`,
			);
		}
		let ratio = NaN;
		if (!SKIP.has('anchor')) {
			await n8n.stop(); // the anchor gets a fresh n8n process on the same data
			await n8n.start();
			const theirs = await measure(n8n, dv, 'n8n', CAP_MS);
			log(
				`n8n's Email Trigger: ${theirs.seen}/${N} distinct within ${theirs.ms} ms, ${theirs.executions} executions, missing ${theirs.missing}, duplicates ${theirs.duplicates}, RSS ${theirs.idleRss} -> ${theirs.peakRss} MB`,
			);
			const rate = (r: Run) => r.seen / (r.ms / 1000);
			ratio = rate(ours) / Math.max(rate(theirs), 1 / (CAP_MS / 1000));
		}
		const msgsPerS = Math.round(ours.seen / (ours.ms / 1000));
		console.log(
			`imap-n8n: msgs_per_s=${msgsPerS} vs_n8n_trigger=${Number.isNaN(ratio) ? 'skipped' : ratio.toFixed(1)} missing=${ours.missing} duplicates=${ours.duplicates} lag_ms=${ours.lagMs} rss_growth_mb=${ours.peakRss - ours.idleRss} second_folder_p50_ms=${p50} restart_missing=${restart.missing} restart_duplicates=${restart.duplicates}`,
		);
	} finally {
		await n8n.stop().catch(() => undefined);
		await dv.stop().catch(() => undefined);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
