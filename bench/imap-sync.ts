// `npm run bench -- imap-sync`: first sync of 10,000 messages (mixed sizes, some attachments) from a Dovecot
// of its own on loopback, by
//   (a) the IMAP Sync Trigger in the workflow harness (startTrigger, full load with attachments as binary),
//   (b) n8n's Email Trigger (IMAP) v2.1 `n8n-nodes-base.emailReadImap` in the same harness (format
//       "resolved" = full mailparser parse with attachments, like (a); custom rule ["ALL"] instead of the
//       default UNSEEN, and its v2.1 first-run SINCE <activation day> matches because the seeded mail is
//       dated today: it fetches the very same 10,000 at activation);
//   (c) a bare imapflow `fetch('1:*', source)` + mailparser `simpleParser` loop (the practical limit),
// plus new-mail latency under IDLE (LMTP delivery acknowledged -> item emitted, p50 of N mails one by one).
// Each measurement runs in a child process of its own, so each peak RSS (getrusage maxRSS) is its own.
// The harness keeps emitted items; the benchmark drops them after counting, as n8n hands them to an
// execution and forgets them. Peak RSS of (a) is also measured on a 1,000-message mailbox (flatness).
// Knobs for memory work: IMAP_SYNC_BENCH_MESSAGES (size of the big mailbox), IMAP_SYNC_BENCH_ONLY=ours|imapflow
// (only that measurement), IMAP_SYNC_BENCH_BATCH (batch size option), IMAP_SYNC_BENCH_LOAD (full|noAttachments|
// headers), IMAP_SYNC_BENCH_DEBUG=1 (memory use after loading and after the sync, to stderr),
// IMAP_SYNC_BENCH_SNAPSHOT=<file> (with DEBUG: a heap snapshot after the sync).
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
type Dv = typeof import('../test/harness/dovecot');
type Wf = typeof import('../test/harness/workflow');
const dvh = () => require(path.join(root, 'test/harness/dovecot.ts')) as Dv;
const wfh = () => require(path.join(root, 'test/harness/workflow.ts')) as Wf;

const N = Number(process.env.IMAP_SYNC_BENCH_MESSAGES ?? 10_000);
const N_SMALL = 1_000;
const LATENCY_MAILS = Number(process.env.IMAP_SYNC_BENCH_LATENCY_MAILS ?? 15);
const N8N_TIMEOUT_MS = Number(process.env.IMAP_SYNC_BENCH_N8N_TIMEOUT_MS ?? 240_000);

interface Result {
	count: number;
	ms: number;
	peakRssMb: number;
	latencies?: number[];
}

function message(i: number): string {
	const id = `<bench-${i}@imap-sync.bench>`;
	const head = [
		`From: Customer ${i} <customer${i % 500}@example.org>`,
		'To: sales@test.local',
		`Subject: Request ${i}`,
		`Message-ID: ${id}`,
		`Date: ${new Date().toUTCString()}`,
		'MIME-Version: 1.0',
	];
	const para = `Hello, this is message ${i}. We would like an offer for ${i % 97} units of item ${i % 13}.\r\n`;
	const kind = i % 10;
	if (kind < 6)
		return [
			...head,
			'Content-Type: text/plain; charset=utf-8',
			'',
			para.repeat(8 + (i % 20)),
			'',
		].join('\r\n');
	const text = para.repeat(30 + (i % 50));
	const html = `<html><body>${`<p>${para}</p>`.repeat(30 + (i % 50))}</body></html>`;
	const alt = [
		'--alt',
		'Content-Type: text/plain; charset=utf-8',
		'',
		text,
		'--alt',
		'Content-Type: text/html; charset=utf-8',
		'',
		html,
		'--alt--',
	];
	if (kind < 9)
		return [...head, 'Content-Type: multipart/alternative; boundary="alt"', '', ...alt, ''].join(
			'\r\n',
		);
	const attachment = Buffer.alloc(60_000 + (i % 7) * 10_000, i % 251)
		.toString('base64')
		.replace(/.{76}/g, '$&\r\n');
	return [
		...head,
		'Content-Type: multipart/mixed; boundary="mix"',
		'',
		'--mix',
		'Content-Type: multipart/alternative; boundary="alt"',
		'',
		...alt,
		'--mix',
		`Content-Type: application/pdf; name="offer-${i}.pdf"`,
		`Content-Disposition: attachment; filename="offer-${i}.pdf"`,
		'Content-Transfer-Encoding: base64',
		'',
		attachment,
		'--mix--',
		'',
	].join('\r\n');
}

async function seed(
	dv: import('../test/harness/dovecot').DovecotHandle,
	user: string,
	count: number,
) {
	const clients = await Promise.all([0, 1, 2, 3].map(() => dvh().openImap(dv, user)));
	await Promise.all(
		clients.map(async (c, ci) => {
			for (let i = ci * 50; i < count; i += 200)
				await Promise.all(
					Array.from({ length: Math.min(50, count - i) }, (_, k) =>
						c.append('INBOX', message(i + k)),
					),
				);
		}),
	);
	await Promise.all(clients.map((c) => c.logout()));
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function triggerWorkflow(kind: 'ours' | 'n8n') {
	const node =
		kind === 'ours'
			? {
					type: 'n8n-nodes-crm-mail.imapSyncTrigger',
					typeVersion: 1,
					parameters: {
						folders: {
							folder: [
								{
									path: 'INBOX',
									direction: 'incoming',
									load: process.env.IMAP_SYNC_BENCH_LOAD ?? 'full',
									afterAction: 'nothing',
								},
							],
						},
						firstSync: 'since',
						since: '2000-01-01T00:00:00Z',
						...(process.env.IMAP_SYNC_BENCH_BATCH
							? { options: { batchSize: Number(process.env.IMAP_SYNC_BENCH_BATCH) } }
							: {}),
					},
					credentials: { crmMailImap: { id: 'bench', name: 'bench' } },
				}
			: {
					type: 'n8n-nodes-base.emailReadImap',
					typeVersion: 2.1,
					parameters: {
						mailbox: 'INBOX',
						postProcessAction: 'nothing',
						format: 'resolved',
						dataPropertyAttachmentsPrefixName: 'attachment_',
						options: { customEmailConfig: '["ALL"]' },
					},
					credentials: { imap: { id: 'bench', name: 'bench' } },
				};
	return {
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'Trigger',
				position: [0, 0] as [number, number],
				...node,
			},
		],
		connections: {},
		staticData: {},
	} as unknown as import('../test/harness/workflow').WorkflowJson;
}

async function child(role: string, user: string, count: number): Promise<Result> {
	const dv = dvh().dovecotLib.attachDovecot(process.env)!;
	if (role === 'imapflow') {
		const { simpleParser } = require('mailparser') as typeof import('mailparser');
		const client = await dvh().openImap(dv, user);
		const start = Date.now();
		let n = 0;
		const lock = await client.getMailboxLock('INBOX');
		for await (const m of client.fetch(
			'1:*',
			{ uid: true, flags: true, size: true, internalDate: true, source: true },
			{ uid: true },
		)) {
			await simpleParser(m.source!);
			n++;
		}
		lock.release();
		const ms = Date.now() - start;
		if (process.env.IMAP_SYNC_BENCH_DEBUG) {
			(global as unknown as { gc?: () => void }).gc?.();
			console.error('imapflow after gc', process.memoryUsage());
		}
		await client.logout();
		return { count: n, ms, peakRssMb: peakRssMb() };
	}
	// load n8n-core and the measured node type before the clock starts (module loading is not sync speed)
	const harness = wfh();
	new harness.TestNodeTypes().getByName(
		role === 'n8n' ? 'n8n-nodes-base.emailReadImap' : 'n8n-nodes-crm-mail.imapSyncTrigger',
	);
	const creds: import('../test/harness/credentials-helper').CredentialsByType =
		role === 'n8n'
			? {
					imap: {
						host: dv.host,
						port: dv.imapPort,
						secure: false,
						user,
						password: 'pass',
						allowUnauthorizedCerts: true,
					},
				}
			: {
					crmMailImap: dvh().imapCredential(dv, user),
				};
	if (process.env.IMAP_SYNC_BENCH_DEBUG)
		console.error(`loaded: rss ${peakRssMb()} MB`, process.memoryUsage());
	let emitted = 0;
	let lastEmitAt = 0;
	const live: { trigger?: { emitted: unknown[] } } = {};
	const onEmitWaiters: Array<() => void> = [];
	const start = Date.now();
	const t = await harness.startTrigger(
		triggerWorkflow(role === 'n8n' ? 'n8n' : 'ours'),
		'Trigger',
		{
			credentials: creds,
			onEmit: (data) => {
				emitted += data.flat().length;
				lastEmitAt = Date.now();
				if (live.trigger) live.trigger.emitted.length = 0; // n8n hands items to an execution and forgets them
				onEmitWaiters.splice(0).forEach((w) => w());
			},
		},
	);
	live.trigger = t;
	const deadline = start + (role === 'n8n' ? N8N_TIMEOUT_MS : 600_000);
	while (emitted < count && Date.now() < deadline && !t.errors.length)
		await new Promise((r) => setTimeout(r, 20));
	if (process.env.IMAP_SYNC_BENCH_DEBUG) {
		console.error(`synced: peak ${peakRssMb()} MB`, process.memoryUsage());
		(global as unknown as { gc?: () => void }).gc?.();
		console.error('after gc', process.memoryUsage());
		if (process.env.IMAP_SYNC_BENCH_SNAPSHOT)
			console.error(
				'snapshot',
				require('node:v8').writeHeapSnapshot(process.env.IMAP_SYNC_BENCH_SNAPSHOT),
			);
	}
	const result: Result = {
		count: emitted,
		ms: (emitted >= count ? lastEmitAt : Date.now()) - start,
		peakRssMb: peakRssMb(),
	};
	if (role === 'latency') {
		result.latencies = [];
		await new Promise((r) => setTimeout(r, 1500)); // let the trigger settle into IDLE
		for (let i = 0; i < LATENCY_MAILS; i++) {
			const before = emitted;
			const got = new Promise<void>((resolve) => onEmitWaiters.push(resolve));
			await dvh().deliverLmtp(dv, user, message(1_000_000 + i));
			const delivered = Date.now();
			await Promise.race([got, new Promise((r) => setTimeout(r, 30_000))]);
			if (emitted > before) result.latencies.push(Date.now() - delivered);
			await new Promise((r) => setTimeout(r, 300));
		}
	}
	if (t.errors.length)
		console.error(`${role}: trigger errors: ${t.errors.map((e) => e.message).join('; ')}`);
	await Promise.race([t.close(), new Promise((r) => setTimeout(r, 10_000))]);
	return result;
}

function runChild(
	role: string,
	user: string,
	count: number,
	env: Record<string, string>,
): Promise<Result> {
	return new Promise((resolve, reject) => {
		const p = spawn(
			process.execPath,
			// the same Node flags, the TypeScript preload among them
			[...process.execArgv, process.argv[1], '--child', role, user, String(count)],
			{
				env: { ...process.env, ...env },
				stdio: ['ignore', 'pipe', 'inherit'],
			},
		);
		let out = '';
		p.stdout.on('data', (d) => (out += d));
		p.on('exit', (code) => {
			const line = out.trim().split('\n').pop() ?? '';
			try {
				resolve(JSON.parse(line) as Result);
			} catch {
				reject(new Error(`child ${role} failed (exit ${code}): ${out.slice(-2000)}`));
			}
		});
	});
}

const rate = (r: Result) => (r.count / r.ms) * 1000;

async function main() {
	const dv = await dvh().startDovecot();
	const env = dvh().dovecotLib.dovecotEnv(dv);
	try {
		const big = dvh().newUser('bench-10k').user;
		const small = dvh().newUser('bench-1k').user;
		const t0 = Date.now();
		await seed(dv, big, N);
		await seed(dv, small, N_SMALL);
		console.log(`seeded ${N} + ${N_SMALL} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		if (process.env.IMAP_SYNC_BENCH_ONLY === 'imapflow') {
			const r = await runChild('imapflow', small, N_SMALL, env);
			console.log(`(c) ${r.count} msgs, peak RSS ${r.peakRssMb} MB`);
			return;
		}
		if (process.env.IMAP_SYNC_BENCH_ONLY === 'ours') {
			// memory work: only (a), on both mailboxes
			for (const [user, n] of [
				[big, N],
				[small, N_SMALL],
			] as const) {
				const r = await runChild('ours', user, n, env);
				console.log(`(a) ${r.count} msgs, ${rate(r).toFixed(0)} msg/s, peak RSS ${r.peakRssMb} MB`);
			}
			return;
		}
		const c = await runChild('imapflow', big, N, env);
		console.log(
			`(c) bare imapflow fetch + simpleParser: ${c.count} msgs in ${c.ms} ms = ${rate(c).toFixed(0)} msg/s, peak RSS ${c.peakRssMb} MB`,
		);
		const a = await runChild('latency', big, N, env);
		console.log(
			`(a) IMAP Sync Trigger (startTrigger): ${a.count} msgs in ${a.ms} ms = ${rate(a).toFixed(0)} msg/s, peak RSS ${a.peakRssMb} MB`,
		);
		const a1k = await runChild('ours', small, N_SMALL, env);
		console.log(
			`(a) on ${N_SMALL} messages: ${a1k.count} msgs, ${rate(a1k).toFixed(0)} msg/s, peak RSS ${a1k.peakRssMb} MB (10,000: ${a.peakRssMb} MB)`,
		);
		const lat = (a.latencies ?? []).sort((x, y) => x - y);
		const p50 = lat.length ? lat[Math.floor((lat.length - 1) / 2)] : NaN;
		console.log(
			`IDLE latency delivery -> emit over ${lat.length}/${LATENCY_MAILS} mails: p50 ${p50} ms, min ${lat[0]} ms, max ${lat[lat.length - 1]} ms`,
		);
		// (b) last: it is slow, and its activation re-reads the same mailbox (our trigger never marks anything)
		const b = await runChild('n8n', big, N, env);
		const partial =
			b.count < N ? ` (stopped after ${N8N_TIMEOUT_MS / 1000} s: rate from what it emitted)` : '';
		console.log(
			`(b) n8n Email Trigger (IMAP) v2.1: ${b.count} msgs in ${b.ms} ms = ${rate(b).toFixed(1)} msg/s, peak RSS ${b.peakRssMb} MB${partial}`,
		);
		console.log(
			`imap-sync: msgs_per_s=${rate(a).toFixed(0)} vs_imapflow=${(rate(a) / rate(c)).toFixed(2)} vs_n8n=${(rate(a) / rate(b)).toFixed(1)} peak_rss_mb=${a.peakRssMb} idle_p50_ms=${p50}`,
		);
	} finally {
		await dv.stop();
	}
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) {
	const [role, user, count] = process.argv.slice(ci + 1);
	child(role, user, Number(count)).then(
		(r) => {
			process.stdout.write(`\n${JSON.stringify(r)}\n`);
			process.exit(0);
		},
		(e) => {
			console.error(e);
			process.exit(1);
		},
	);
} else {
	main().then(
		() => process.exit(0),
		(e) => {
			console.error(e);
			process.exit(1);
		},
	);
}
