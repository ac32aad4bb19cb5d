// Bounces and complaints: accuracy on the corpus (test/fixtures/bounces, with its manifest) and what
// recognising them costs the IMAP Sync Trigger on ordinary mail.
// Cost: the trigger's per-message work is parsing (mailparser, `parseFetched`). With the option on, an
// ordinary message additionally gets the header-level look (`mayBeReport` over its header block); only a
// possible report is read as one. Anchor: the same messages parsed without that look, in the same run,
// phases alternating (anchor, with, anchor, with ...) so load from other processes hits both alike. A
// second stream mixes 5% corpus reports into the ordinary mail, to show the cost of reading real reports.
// Real MTA: a private Postfix (Debian's package) returns its own reports for an unknown user, an unroutable
// domain and a full mailbox (test/harness/postfix.ts); real_mta=ok when every one is read right (recipient,
// status, kind, reason, original Message-ID), fail otherwise, skipped only when Postfix is not installed.
//   npm run bench -- bounces [messages=1500] [rounds=4]
import * as fs from 'node:fs';
import * as path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
	classifyMessage,
	headerFields,
	mayBeReport,
	type ReportEvent,
} from '../nodes/shared/bounces';
import { parseFetched } from '../nodes/shared/imap/message';

const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..');
// loaded at run time (scripts/lib/ts-require.js), like the other benchmarks' harnesses
const postfixHarness = require(
	path.join(ROOT, 'test/harness/postfix.ts'),
) as typeof import('../test/harness/postfix');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'bounces');
const [MESSAGES = 1500, ROUNDS = 4] = process.argv.slice(2).map(Number);
const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);

interface Sample {
	file: string;
	expect: Array<{ event: string; recipient: string; kind?: string }> | null;
}

async function accuracy(): Promise<{ samples: number; recipients: number; kinds: number }> {
	const manifest = JSON.parse(
		fs.readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8'),
	) as Sample[];
	let recipients = 0;
	let kinds = 0;
	for (const s of manifest) {
		const found: ReportEvent[] =
			(await classifyMessage(fs.readFileSync(path.join(CORPUS, s.file)))) ?? [];
		const want = s.expect ?? [];
		const same = (f: (e: { event: string; recipient: string; kind?: unknown }) => string) =>
			JSON.stringify(found.map(f)) === JSON.stringify(want.map(f));
		if (same((e) => e.recipient)) recipients++;
		else log(`recipients differ: ${s.file}`);
		if (same((e) => `${e.event}:${String(e.kind ?? '')}`)) kinds++;
		else log(`kinds differ: ${s.file}`);
	}
	return { samples: manifest.length, recipients, kinds };
}

function ordinaryMail(n: number): Promise<Buffer[]> {
	const words = 'offer price delivery contract invoice meeting thanks regards team order'.split(
		' ',
	);
	return Promise.all(
		Array.from({ length: n }, (_, i) => {
			const text = Array.from(
				{ length: 40 + (i % 7) * 60 },
				(_, w) => words[(i + w) % words.length],
			).join(' ');
			const mail = new MailComposer({
				from: `Client ${i} <client${i}@example.org>`,
				to: 'sales@shop.example',
				subject: i % 3 ? `Re: Offer #${i}` : `Order ${i} – доставка`,
				text,
				html: i % 2 ? `<p>${text}</p>` : undefined,
				attachments:
					i % 10 === 0 ? [{ filename: 'price.pdf', content: Buffer.alloc(20000, i % 251) }] : [],
				messageId: `<m${i}@example.org>`,
			});
			return new Promise<Buffer>((resolve, reject) =>
				mail.compile().build((e, m) => (e ? reject(e) : resolve(m))),
			);
		}),
	);
}

/** What the trigger does per message; `withLook` adds the header-level look and reads possible reports. */
async function pass(messages: Buffer[], withLook: boolean): Promise<number> {
	const started = process.hrtime.bigint();
	let uid = 0;
	for (const source of messages) {
		uid++;
		if (withLook && mayBeReport(headerFields(source))) {
			if (await classifyMessage(source)) continue;
		}
		await parseFetched(
			{ uid, source, size: source.length },
			{ folder: 'INBOX', uidValidity: '1', direction: 'incoming', strict: true },
		);
	}
	return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Alternating slices of both paths, so drift and other processes' load hit both alike. */
async function costOn(
	name: string,
	messages: Buffer[],
): Promise<{ anchor: number; withLook: number }> {
	await pass(messages.slice(0, 200), false); // warm up both paths
	await pass(messages.slice(0, 200), true);
	let anchor = 0;
	let withLook = 0;
	for (let r = 0; r < ROUNDS; r++) {
		for (let at = 0; at < messages.length; at += 100) {
			const slice = messages.slice(at, at + 100);
			if ((at / 100 + r) % 2) {
				anchor += await pass(slice, false);
				withLook += await pass(slice, true);
			} else {
				withLook += await pass(slice, true);
				anchor += await pass(slice, false);
			}
		}
	}
	const n = messages.length * ROUNDS;
	log(
		`${name}: parse only ${(n / anchor).toFixed(0)} msg/s (anchor), with bounce recognition ${(n / withLook).toFixed(0)} msg/s, ratio ${(withLook / anchor).toFixed(3)}`,
	);
	return { anchor, withLook };
}

/** The header-level look alone, many times over: too small to see in the totals above. */
function lookCost(messages: Buffer[], anchorSeconds: number): void {
	const times = 20;
	const started = process.hrtime.bigint();
	let hits = 0;
	for (let t = 0; t < times; t++)
		for (const m of messages) if (mayBeReport(headerFields(m))) hits++;
	const perMessage = Number(process.hrtime.bigint() - started) / 1e9 / (times * messages.length);
	const parsePerMessage = anchorSeconds / (messages.length * ROUNDS);
	log(
		`header look on ordinary mail: ${(perMessage * 1e6).toFixed(1)} us/msg vs parsing ${(parsePerMessage * 1e6).toFixed(0)} us/msg: ${((perMessage / parsePerMessage) * 100).toFixed(2)}% of the trigger's parse cost (${hits} false candidates)`,
	);
}

/** Postfix's own reports, classified: 'ok' when every scenario is read right. */
async function realMta(): Promise<'ok' | 'fail' | 'skipped'> {
	if (!postfixHarness.postfixAvailable()) {
		log('real MTA: Postfix is not installed (or not root): skipped');
		return 'skipped';
	}
	const lab = await postfixHarness.startBounceLab();
	try {
		const scenarios = postfixHarness.bounceScenarios(lab);
		await postfixHarness.sendScenarios(lab, scenarios);
		const reports = await postfixHarness.waitForInbox(lab.dovecot, lab.sender, scenarios.length);
		const events: ReportEvent[] = [];
		for (const raw of reports) events.push(...((await classifyMessage(raw)) ?? []));
		let right = 0;
		for (const s of scenarios) {
			const e = events.find((x) => x.original?.messageId === s.messageId);
			const ok =
				e?.event === 'bounce' &&
				e.recipient === s.to &&
				s.expect.status.test(e.status) &&
				e.kind === s.expect.kind &&
				e.reason === s.expect.reason;
			if (ok) right++;
			log(
				`real MTA ${s.name}: ${e ? `${e.recipient} ${String(e.status)} ${String(e.kind)} ${String(e.reason)}` : 'no event'} -> ${ok ? 'right' : 'WRONG'}`,
			);
		}
		return right === scenarios.length && reports.length === scenarios.length ? 'ok' : 'fail';
	} finally {
		await lab.stop();
	}
}

async function main(): Promise<void> {
	const acc = await accuracy();
	log(
		`corpus: ${acc.samples} samples, recipients right ${acc.recipients}, kinds right ${acc.kinds}`,
	);
	const ordinary = await ordinaryMail(MESSAGES);
	const reports = fs
		.readdirSync(CORPUS)
		.filter((f) => f.endsWith('.eml'))
		.map((f) => fs.readFileSync(path.join(CORPUS, f)));
	const { anchor, withLook } = await costOn('ordinary mail', ordinary);
	lookCost(ordinary, anchor);
	const mixed = ordinary.map((m, i) => (i % 20 === 0 ? reports[(i / 20) % reports.length] : m));
	await costOn('ordinary mail with 5% reports', mixed);
	const realMtaResult = await realMta();
	const msgsPerS = Math.round((ordinary.length * ROUNDS) / withLook);
	log(`anchor (parse only) ${Math.round((ordinary.length * ROUNDS) / anchor)} msg/s`);
	console.log(
		`bounces: samples=${acc.samples} recipient_accuracy=${(acc.recipients / acc.samples).toFixed(3)} kind_accuracy=${(acc.kinds / acc.samples).toFixed(3)} real_mta=${realMtaResult} msgs_per_s=${msgsPerS}`,
	);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
