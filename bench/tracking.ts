// Pixel and click requests per second through a real n8n 2.8.4 (this package built, packed and installed as a
// community node into a fresh user folder) with the Email Tracking Trigger, against n8n's own Webhook node
// answering a GIF, in the same run. Both workflows run one execution per request (trigger -> No Op), and
// n8n saves every execution the same way for both. Phases alternate (webhook, tracking, webhook, tracking)
// so load from other processes on the machine hits both alike.
// Then forged / bot requests (random bytes, other secrets, swapped payloads, tampered characters, signed
// javascript: targets, curl user agents with "Drop Bots" on, GET unsubscribe pages, HEAD requests): every one
// must start no execution and no redirect may point anywhere but a signed URL.
// Then replay: one open link hit 100 times within the replay window (the default "First Hit per Window") must
// start at most one execution. Privacy: 1,000 tokens minted by the send node's tracking step, base64-decoded
// every way, must reveal neither the recipient, the Message-ID, the target nor the tracking data; their median
// link length is printed (token_chars).
//   npm run bench -- tracking [requestsPerPhase=600] [concurrency=16] [forged=1000]
// The package is bundled with `gulp build` (the esbuild step of `npm run build`, without the project-wide
// type check, which lint/CI do and which other work in progress must not be able to break here).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSignedToken, encodeToken } from '../nodes/shared/tracking/token';
import { Tracker } from '../nodes/shared/tracking/urls';
import { startBenchN8n } from './lib/bench-n8n';
import { blast, countExecutions, settledCount } from './lib/n8n-load';
import { mintedTokens } from './lib/tracking-privacy';
import { trackingWorkflow, webhookWorkflow } from './lib/tracking-workflows';
// Loaded at run time from the repository (not bundled): they locate the repository from their own path.
const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..');
const rest = require(path.join(ROOT, 'scripts', 'lib', 'n8n-rest.js'));

const [PER_PHASE = 600, CONCURRENCY = 16, FORGED = 1000] = process.argv.slice(2).map(Number);
const SECRET = randomBytes(32).toString('hex');
const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-bench-tracking-'));
	let stopN8n: (() => Promise<void>) | undefined;
	try {
		const n8n = await startBenchN8n(work, log, (stop) => (stopN8n = stop));
		const { session, apiKey } = n8n;
		const trackingBase = `${n8n.baseUrl}/webhook/bench-tracking`;
		const creds = await rest.importCredentials(session, [
			{
				id: 'bench-tracking',
				name: 'Bench Tracking',
				type: 'emailTracking',
				data: { secret: SECRET, baseUrl: trackingBase },
			},
		]);
		const [ours, anchor] = await rest.importWorkflows(
			session,
			[
				{ workflow: trackingWorkflow(creds.get('bench-tracking').id) },
				{ workflow: webhookWorkflow() },
			],
			{ activate: true },
		);

		const tracker = (i: number) =>
			new Tracker({
				secret: SECRET,
				baseUrl: trackingBase,
				trackingId: `t${i}`,
				messageId: `<${i}@bench.local>`,
				recipient: `p${i}@example.com`,
				data: { dealId: String(i) },
				sentAt: Date.now() - 3600_000,
			});
		// Fresh links for every phase (each token has its own nonce): the same link again would be a repeat
		// within the replay window and rightly start no execution.
		const validLinks = () =>
			Array.from({ length: PER_PHASE }, (_, i) => ({
				url:
					i % 2
						? tracker(i).openUrl()
						: tracker(i).clickUrl(`https://shop.example.com/p/${i}?a=1&b=2`),
			}));
		const gif = Array.from({ length: PER_PHASE }, () => ({
			url: `${n8n.baseUrl}/webhook/bench-gif`,
		}));

		// warm-up (JIT, webhook caches, sqlite) for both, not measured
		await blast(validLinks().slice(0, 50), CONCURRENCY);
		await blast(gif.slice(0, 50), CONCURRENCY);
		let oursSeconds = 0;
		let anchorSeconds = 0;
		let bad = 0;
		// Both answer before their execution ends (ours even before n8n creates the execution), so a phase
		// counts until every execution it started has been saved: requests per second end to end. The
		// previous phase's executions are drained first, so neither phase pays for the other's backlog.
		let oursTotal = await settledCount(n8n.baseUrl, apiKey, ours.id);
		let anchorTotal = await settledCount(n8n.baseUrl, apiKey, anchor.id);
		const drain = async (workflowId: string, expectedTotal: number) => {
			while ((await countExecutions(n8n.baseUrl, apiKey, workflowId)) < expectedTotal)
				await new Promise((r) => setTimeout(r, 100));
		};
		let oursResponseSeconds = 0;
		let anchorResponseSeconds = 0;
		for (let round = 0; round < 2; round++) {
			let t = process.hrtime.bigint();
			const a = await blast(gif, CONCURRENCY);
			anchorResponseSeconds += a.seconds;
			anchorTotal += PER_PHASE;
			await drain(anchor.id, anchorTotal);
			anchorSeconds += Number(process.hrtime.bigint() - t) / 1e9;
			t = process.hrtime.bigint();
			const o = await blast(validLinks(), CONCURRENCY);
			oursResponseSeconds += o.seconds;
			oursTotal += PER_PHASE;
			await drain(ours.id, oursTotal);
			oursSeconds += Number(process.hrtime.bigint() - t) / 1e9;
			bad += a.answers.filter((x) => x.status !== 200).length;
			bad += o.answers.filter((x, i) =>
				i % 2
					? x.status !== 200
					: x.status !== 302 || x.location !== `https://shop.example.com/p/${i}?a=1&b=2`,
			).length;
		}
		log(
			`responses only: Webhook node ${((2 * PER_PHASE) / anchorResponseSeconds).toFixed(0)} req/s, Email Tracking Trigger ${((2 * PER_PHASE) / oursResponseSeconds).toFixed(0)} req/s`,
		);
		const anchorRps = (2 * PER_PHASE) / anchorSeconds;
		const oursRps = (2 * PER_PHASE) / oursSeconds;
		log(
			`end to end (answered and execution saved): Webhook node GIF ${anchorRps.toFixed(0)} req/s; Email Tracking Trigger (half opens, half clicks) ${oursRps.toFixed(0)} req/s; wrong answers: ${bad}`,
		);

		const before = await settledCount(n8n.baseUrl, apiKey, ours.id);
		const expected = 2 * PER_PHASE + 50;
		log(
			`executions of the tracking workflow after the valid phases: ${before} (expected ${expected})`,
		);

		// forged, fuzzed and bot requests
		const sealed = tracker(1).clickUrl('https://shop.example.com/').split('t=')[1];
		// an old signed token (readable format, still accepted during the transition) to splice and tamper
		const [payload, signature] = encodeSignedToken(SECRET, {
			type: 'click',
			trackingId: 'x',
			messageId: 'm',
			recipient: 'r',
			url: 'https://shop.example.com/',
			data: {},
			issuedAt: Math.floor(Date.now() / 1000) - 3600,
		}).split('.');
		const sealedBytes = Buffer.from(sealed, 'base64url');
		const evil = (i: number) => `https://evil.example/${i}`;
		const forgers: Array<(i: number) => { url: string; ua?: string; method?: string }> = [
			() => ({
				url: `${trackingBase}/click?t=${randomBytes((1 + Math.random() * 300) | 0).toString('base64url')}`,
			}),
			(i) => ({
				url: `${trackingBase}/click?t=${encodeToken(`other-${i}-${SECRET}`, { type: 'click', trackingId: 'x', messageId: 'm', recipient: 'r', url: evil(i), data: {}, issuedAt: 1 })}`,
			}),
			(i) => ({
				url: `${trackingBase}/click?t=${Buffer.from(JSON.stringify([1, 'c', 'x', 'm', 'r', 1, evil(i), {}])).toString('base64url')}.${signature}`,
			}),
			(i) => {
				const chars = [...`${payload}.${signature}`];
				const k = i % chars.length;
				chars[k] = chars[k] === 'A' ? 'B' : 'A';
				return { url: `${trackingBase}/click?t=${chars.join('')}` };
			},
			(i) => {
				const b = Buffer.from(sealedBytes);
				b[i % b.length] ^= 1 << (i % 8);
				return { url: `${trackingBase}/click?t=${b.toString('base64url')}` };
			},
			(i) => ({
				url: `${trackingBase}/click?t=${Buffer.concat([sealedBytes.subarray(0, 13), randomBytes(sealedBytes.length - 13 + (i % 40))]).toString('base64url')}`,
			}),
			(i) => ({
				url: `${trackingBase}/click?t=${encodeToken(SECRET, { type: 'click', trackingId: 'x', messageId: 'm', recipient: 'r', url: `javascript:alert(${i})`, data: {}, issuedAt: 1 })}`,
			}),
			(i) => ({
				// authentic old signed link past the transition period: refused, no redirect
				url: `${trackingBase}/click?t=${encodeSignedToken(SECRET, { type: 'click', trackingId: 'x', messageId: 'm', recipient: 'r', url: `https://evil.example/${i}`, data: {}, issuedAt: 1 })}`,
			}),
			() => ({
				url: `${trackingBase}/open?t=${randomBytes(40).toString('base64url')}.${randomBytes(16).toString('base64url')}`,
			}),
			(i) => ({
				url: `${trackingBase}/unsubscribe?t=${encodeToken(`other-${i}-${SECRET}`, { type: 'unsubscribe', trackingId: 'x', messageId: 'm', recipient: 'r', data: {}, issuedAt: 1 })}`,
				method: 'POST',
			}),
			(i) => ({ url: tracker(i).openUrl(), ua: 'curl/8.5.0' }),
			(i) => ({
				url: tracker(i).clickUrl('https://shop.example.com/'),
				ua: 'python-requests/2.31',
			}),
			(i) => ({ url: tracker(i).unsubscribeUrl() }),
			(i) => ({
				url: i % 2 ? tracker(i).openUrl() : tracker(i).clickUrl('https://shop.example.com/'),
				method: 'HEAD',
			}),
		];
		const forged = Array.from({ length: FORGED }, (_, i) => forgers[i % forgers.length](i));
		const { answers } = await blast(forged, CONCURRENCY);
		const signedTargets = new Set(['https://shop.example.com/']);
		const heads = answers.filter((_, i) => forged[i].method === 'HEAD');
		log(
			`HEAD answers: ${heads.filter((a) => a.status === 200 || a.status === 302).length} of ${heads.length} answered 200 (pixel) / 302 (link)`,
		);
		const openRedirects = answers.filter(
			(a) => a.location !== null && !signedTargets.has(a.location),
		).length;
		const after = await settledCount(n8n.baseUrl, apiKey, ours.id);
		const forgedAccepted = after - before;
		const anchorRuns = await settledCount(n8n.baseUrl, apiKey, anchor.id);
		log(
			`forged / bot / GET-unsubscribe / HEAD requests: ${FORGED}, executions they started: ${forgedAccepted}, redirects not to a signed URL: ${openRedirects}; webhook node executions: ${anchorRuns}`,
		);
		if (before !== expected)
			log(`WARNING: valid requests started ${before} executions, expected ${expected}`);

		// replay: one pixel, 100 hits within the window
		const replayed = tracker(PER_PHASE + FORGED + 1).openUrl();
		const replayAnswers = await blast(
			Array.from({ length: 100 }, () => ({ url: replayed })),
			CONCURRENCY,
		);
		const replayExecutions = (await settledCount(n8n.baseUrl, apiKey, ours.id)) - after;
		log(
			`one open link hit 100 times: ${replayAnswers.answers.filter((a) => a.status === 200).length} pixels served, ${replayExecutions} execution(s) started`,
		);

		const privacy = mintedTokens(SECRET, 1000);
		log(
			`1,000 tokens minted by the send node's tracking step: ${privacy.readable} readable; link length median ${privacy.median}, max ${privacy.max} characters (Outlook / IE handle 2,083)`,
		);
		console.log(
			`tracking: vs_webhook=${(oursRps / anchorRps).toFixed(2)} forged_accepted=${forgedAccepted} open_redirects=${openRedirects} replay_executions=${replayExecutions} readable_tokens=${privacy.readable} token_chars=${privacy.median}`,
		);
	} finally {
		if (stopN8n) await stopN8n();
		fs.rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
