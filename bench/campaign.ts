// `npm run bench -- campaign [recipients=10000] [suppressed=500] [opens=2000] [clicks=500] [concurrency=16]`
// A campaign in a real n8n (latest pinned by default, CRM_MAIL_N8N_VERSION honoured; this package built with
// `gulp build`, packed and installed as the Community Nodes screen does), end to end:
//   1. the suppression list gets `suppressed` of the `recipients` addresses (every n-th one), through the
//      Suppression List > Add operation in one batched execution;
//   2. Send Templated Email (tracked: pixel, rewritten link, unsubscribe link) sends to all `recipients` with
//      a campaign, "Skip Suppressed Recipients" and "Write Campaign Log", into an SMTP sink in this process
//      that counts accepted mails per address; then the same send without the campaign fields (the anchor,
//      vs_plain_send). Each run is one webhook call answered by the last node: wall time end to end;
//   3. `opens` pixel links and `clicks` rewritten links taken from the campaign's mails in the sink are
//      requested (blast) from the activated Email Tracking Trigger workflow (Write Campaign Log on);
//   4. the campaign log's rows are counted through n8n's public API, the Campaign > Report operation runs in
//      a workflow and its figures are compared with what was sent and replayed.
// The nodes reach the Data Tables API through a counting proxy (the credential's base URL), so the calls the
// campaign send makes are counted: api_calls_per_100_mails = its calls per 100 mails sent.
// Last line: campaign: sent= suppressed_skipped= suppressed_sent= log_rows= api_calls_per_100_mails=
//   report_matches= msgs_per_s= vs_plain_send=
// Targets: suppressed_sent 0, suppressed_skipped = suppressed, log_rows = sent + opens + clicks,
//   api_calls_per_100_mails <= 5, report_matches yes, vs_plain_send >= 0.8.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mailsPerAddress, trackingLinks, type SunkMessage } from './lib/campaign-mail';
import {
	campaignTrackingWorkflow,
	LINK,
	reportWorkflow,
	seedWorkflow,
	sendWorkflow,
	type CampaignCredentials,
} from './lib/campaign-workflows';
import { startCountingProxy } from './lib/counting-proxy';
import { startBenchN8n } from './lib/bench-n8n';
import { blast, settledCount, type Answer } from './lib/n8n-load';
import { callWebhook, countRows, finishedExecutions, tableId } from './lib/n8n-public';
// Loaded at run time from the repository (not bundled): they locate the repository from their own path.
const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..');
const rest = require(path.join(ROOT, 'scripts', 'lib', 'n8n-rest.js'));
const smtpLib = require(path.join(ROOT, 'scripts', 'lib', 'smtp.js')) as {
	startSmtpSink(o: object): Promise<{
		host: string;
		port: number;
		messages: SunkMessage[];
		reset(): void;
		close(): Promise<void>;
	}>;
};

const [RECIPIENTS = 10_000, SUPPRESSED = 500, OPENS = 2000, CLICKS = 500, CONCURRENCY = 16] =
	process.argv.slice(2).map(Number);
const STEP = Math.floor(RECIPIENTS / SUPPRESSED);
const CAMPAIGN = `bench-spring-${randomBytes(3).toString('hex')}`;
const SECRET = randomBytes(32).toString('hex');
const TRACKING_PATH = 'bench-campaign-tracking';
const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const isSuppressed = (i: number) => i % STEP === 0 && i / STEP < SUPPRESSED;
const address = (prefix: string, i: number) => `${prefix}${i}@bench.local`;

/**
 * The campaign fields of the send node, as nodes/TemplatedEmail/actions/email/ names them. The campaign comes
 * from the item (the Code node puts it there), like a real flow would take it from its trigger.
 */
function campaignParameters(): Record<string, unknown> {
	return {
		sendAsCampaign: true,
		campaign: '={{ $json.campaign }}',
		campaignOptions: { skipSuppressed: true, campaignLog: true },
	};
}

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-bench-campaign-'));
	let stopN8n: (() => Promise<void>) | undefined;
	const closers: Array<() => Promise<void>> = [];
	try {
		log(
			`campaign ${CAMPAIGN}: ${RECIPIENTS} recipients, ${SUPPRESSED} suppressed (every ${STEP}th), ${OPENS} opens and ${CLICKS} clicks to replay`,
		);
		const n8n = await startBenchN8n(work, log, (stop) => (stopN8n = stop));
		const { session, apiKey } = n8n;

		const smtpAuth = { user: 'bench', pass: 'bench-pass' };
		const sink = await smtpLib.startSmtpSink({ auth: smtpAuth });
		closers.push(() => sink.close());
		const proxy = await startCountingProxy(n8n.baseUrl);
		closers.push(() => proxy.close());
		const trackingBase = `${n8n.baseUrl}/webhook/${TRACKING_PATH}`;
		const saved = await rest.importCredentials(session, [
			{
				id: 'smtp',
				name: 'Bench SMTP sink',
				type: 'crmMailSmtp',
				data: {
					host: sink.host,
					port: sink.port,
					security: 'none',
					user: smtpAuth.user,
					authentication: 'password',
					password: smtpAuth.pass,
					senderName: 'Spring Sale',
					senderAddress: 'sales@crm.local',
					allowedSenders: '',
					poolSize: 4,
					rateLimitPerSecond: 0,
					allowSelfSigned: false,
				},
			},
			{
				id: 'tracking',
				name: 'Bench Tracking',
				type: 'emailTracking',
				data: { secret: SECRET, baseUrl: trackingBase },
			},
			{
				id: 'tables',
				name: 'Bench Data Tables (through the counting proxy)',
				type: 'crmMailN8nApi',
				data: { baseUrl: proxy.url, apiKey },
			},
		]);
		const ref = (id: string) => ({ id: saved.get(id).id, name: saved.get(id).name });
		const creds: CampaignCredentials = {
			smtp: ref('smtp'),
			tracking: ref('tracking'),
			dataTables: ref('tables'),
		};
		const [, , , , tracking] = await rest.importWorkflows(
			session,
			[
				{ workflow: seedWorkflow(creds) },
				{ workflow: sendWorkflow('bench-campaign-send', creds, campaignParameters()) },
				{ workflow: sendWorkflow('bench-plain-send', creds, undefined) },
				{ workflow: reportWorkflow(creds) },
				{ workflow: campaignTrackingWorkflow(TRACKING_PATH, creds) },
			],
			{ activate: true },
		);

		// 1. the suppression list
		let mark = proxy.snapshot();
		let t = process.hrtime.bigint();
		const seeded = await callWebhook(n8n.baseUrl, 'bench-campaign-seed', {
			count: SUPPRESSED,
			prefix: 'r',
			step: STEP,
		});
		const seedCalls = proxy.since(mark, '/api/v1/data-tables');
		const suppressionId = await tableId(n8n.baseUrl, apiKey, 'crm_suppression');
		const logId = await tableId(n8n.baseUrl, apiKey, 'crm_campaign_log');
		if (!suppressionId || !logId) throw new Error('the campaign tables were not created');
		const listed = (await countRows(n8n.baseUrl, apiKey, suppressionId)).total;
		log(
			`suppression list: ${seeded.added} of ${seeded.items} added in ${seconds(t).toFixed(1)} s, ${listed} rows in crm_suppression; Data Tables API calls: ${seedCalls.total} (${seedCalls.detail})`,
		);

		// 2. sends: warm-up of both (not measured), the plain anchor, then the campaign
		const send = async (
			kind: 'campaign' | 'plain',
			prefix: string,
			count: number,
			name: string,
		) => {
			sink.reset();
			(global as { gc?: () => void }).gc?.();
			const before = proxy.snapshot();
			const started = process.hrtime.bigint();
			const summary = (await callWebhook(
				n8n.baseUrl,
				kind === 'campaign' ? 'bench-campaign-send' : 'bench-plain-send',
				{ count, prefix, step: 1, campaign: name },
			)) as { items: number; sent: number; other: Array<Record<string, unknown>> };
			const secs = seconds(started);
			const calls = proxy.since(before, '/api/v1/data-tables');
			const messages = sink.messages.slice();
			log(
				`${kind} send of ${count}: ${summary.sent} sent of ${summary.items} output items, ${messages.length} mails in the sink, ${secs.toFixed(1)} s = ${(messages.length / secs).toFixed(1)} mails/s; Data Tables API calls: ${calls.total} (${calls.detail})`,
			);
			return { summary, secs, calls, messages, rate: messages.length / secs };
		};
		const warm = Math.min(200, RECIPIENTS);
		await send('plain', 'w', warm, `${CAMPAIGN}-warm-up`);
		await send('campaign', 'w', warm, `${CAMPAIGN}-warm-up`);
		const plain = await send('plain', 'r', RECIPIENTS, CAMPAIGN);
		const campaign = await send('campaign', 'r', RECIPIENTS, CAMPAIGN);
		if (campaign.summary.other.length)
			log(`an item the campaign send did not send: ${JSON.stringify(campaign.summary.other[0])}`);

		const perAddress = mailsPerAddress(campaign.messages);
		let suppressedSent = 0;
		let duplicates = 0;
		let missing = 0;
		const suppressedAddresses = new Set<string>();
		for (let i = 0; i < RECIPIENTS; i++) {
			const n = perAddress.get(address('r', i)) ?? 0;
			if (isSuppressed(i)) {
				suppressedAddresses.add(address('r', i));
				if (n > 0) suppressedSent++;
			} else if (n === 0) missing++;
			if (n > 1) duplicates++;
		}
		// skipped: a suppressed address that got no mail and whose item says it was skipped for suppression
		const reportedSkipped = new Set(
			campaign.summary.other
				.filter((j) => /suppress|skip/i.test(JSON.stringify(j)))
				.map((j) => String(j.email ?? j.recipient ?? (j.to as string) ?? '').toLowerCase()),
		);
		const suppressedSkipped = [...suppressedAddresses].filter(
			(a) => !perAddress.get(a) && reportedSkipped.has(a),
		).length;
		const sent = campaign.messages.length;
		log(
			`campaign mails: ${sent} accepted by the sink; suppressed addresses mailed: ${suppressedSent}; not suppressed but not mailed: ${missing}; addresses mailed twice: ${duplicates}; suppressed items reported skipped: ${suppressedSkipped} (${campaign.summary.other.length} items not sent)`,
		);

		// 3. replay opens and clicks of the campaign's mails
		const byRecipient = campaign.messages
			.map((m) => ({ m, i: Number(/^r(\d+)@/.exec(m.envelope.rcptTo[0] ?? '')?.[1] ?? -1) }))
			.sort((a, b) => a.i - b.i);
		const requests: Array<{ url: string; kind: 'open' | 'click'; recipient: string }> = [];
		const opened = new Set<string>();
		const clicked = new Set<string>();
		for (const { m } of byRecipient.slice(0, Math.max(OPENS, CLICKS))) {
			const recipient = m.envelope.rcptTo[0].toLowerCase();
			const links = await trackingLinks(m, trackingBase);
			if (requests.filter((r) => r.kind === 'open').length < OPENS && links.open) {
				requests.push({ url: links.open, kind: 'open', recipient });
				opened.add(recipient);
			}
			if (clicked.size < CLICKS && links.clicks[0]) {
				requests.push({ url: links.clicks[0], kind: 'click', recipient });
				clicked.add(recipient);
			}
		}
		const opens = requests.filter((r) => r.kind === 'open').length;
		const clicks = requests.length - opens;
		if (opens < OPENS || clicks < CLICKS)
			log(`WARNING: found only ${opens} open and ${clicks} click links in the campaign's mails`);
		const executionsBefore = await settledCount(n8n.baseUrl, apiKey, tracking.id);
		mark = proxy.snapshot();
		t = process.hrtime.bigint();
		// a few hits one at a time first (how long one answer takes), then the rest `CONCURRENCY` at a time
		const sample = Math.min(5, requests.length);
		const answers: Answer[] = [];
		const latencies: number[] = [];
		for (const r of requests.slice(0, sample)) {
			const one = await blast([r], 1);
			answers.push(...one.answers);
			latencies.push(Math.round(one.seconds * 1000));
		}
		const burst = await blast(requests.slice(sample), CONCURRENCY);
		const replay = { answers: [...answers, ...burst.answers], seconds: seconds(t) };
		log(
			`one hit at a time: ${latencies.join(', ')} ms; then ${burst.answers.length} hits ${CONCURRENCY} at a time in ${burst.seconds.toFixed(1)} s`,
		);
		const wrong = replay.answers.filter((a, i) =>
			requests[i].kind === 'open' ? a.status !== 200 : a.status !== 302 || a.location !== LINK,
		).length;
		const statuses = await finishedExecutions(
			n8n.baseUrl,
			apiKey,
			tracking.id,
			executionsBefore + requests.length,
		);
		const executions = statuses.total - executionsBefore;
		// the trigger's log writer batches rows for up to a second after the last hit
		const expectedRows = sent + opens + clicks;
		let rows = await countRows(n8n.baseUrl, apiKey, logId, CAMPAIGN);
		for (let waited = 0; rows.total < expectedRows && waited < 30; waited++) {
			await new Promise((r) => setTimeout(r, 1000));
			rows = await countRows(n8n.baseUrl, apiKey, logId, CAMPAIGN);
		}
		const trackingCalls = proxy.since(mark, '/api/v1/data-tables');
		log(
			`replay: ${opens} opens + ${clicks} clicks in ${replay.seconds.toFixed(1)} s (${((opens + clicks) / replay.seconds).toFixed(0)} req/s), wrong answers ${wrong}, executions ${executions} (${statuses.text}), executions finished and rows logged after ${seconds(t).toFixed(1)} s; Data Tables API calls of the trigger: ${trackingCalls.total} (${trackingCalls.detail})`,
		);
		if (statuses.firstError) log(`a failed tracking execution: ${statuses.firstError}`);
		log(
			`campaign log rows of ${CAMPAIGN}: ${rows.total} (${Object.entries(rows.byEvent)
				.map(([e, n]) => `${e} ${n}`)
				.join(', ')}); expected ${expectedRows} = ${sent} sent + ${opens} opens + ${clicks} clicks`,
		);

		// 4. the Campaign Report operation against what was sent and replayed
		mark = proxy.snapshot();
		const report = (await callWebhook(n8n.baseUrl, 'bench-campaign-report', {
			campaign: CAMPAIGN,
		})) as {
			sent?: number;
			delivered?: number;
			bounced?: number;
			uniqueOpens?: { total: number };
			clicks?: { total: number; unique: number; links: Array<{ url: string; clicks: number }> };
			unsubscribes?: number;
		};
		const reportCalls = proxy.since(mark, '/api/v1/data-tables');
		const expected = {
			sent,
			delivered: sent,
			bounced: 0,
			uniqueOpens: new Set([...opened, ...clicked]).size,
			clicks: clicks,
			uniqueClicks: clicked.size,
			linkClicks: clicks,
			unsubscribes: 0,
		};
		const got = {
			sent: report.sent,
			delivered: report.delivered,
			bounced: report.bounced,
			uniqueOpens: report.uniqueOpens?.total,
			clicks: report.clicks?.total,
			uniqueClicks: report.clicks?.unique,
			linkClicks: report.clicks?.links?.find((l) => l.url === LINK)?.clicks,
			unsubscribes: report.unsubscribes,
		};
		const mismatches = (Object.keys(expected) as Array<keyof typeof expected>).filter(
			(k) => expected[k] !== got[k],
		);
		log(
			`report (${reportCalls.total} Data Tables API calls): ${JSON.stringify(got)}; expected ${JSON.stringify(expected)}${mismatches.length ? `; differs in ${mismatches.join(', ')}` : ''}`,
		);

		// what n8n logged at warn / error level (the trigger reports failed table writes there)
		const warnings = [
			...new Set(
				fs
					.readFileSync(n8n.logFile, 'utf8')
					.split('\n')
					.filter((l) => /warn|error/i.test(l) && !/^\s+at |api\.n8n\.io/.test(l))
					.map((l) => l.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, '').slice(0, 300)),
			),
		];
		log(
			`n8n log: ${warnings.length} distinct warning / error lines${warnings.length ? `, e.g.\n  ${warnings.slice(0, 8).join('\n  ')}` : ''}`,
		);
		const callsPer100 = sent ? (campaign.calls.total / sent) * 100 : Infinity;
		const ratio = campaign.rate / plain.rate;
		const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
		log(
			`targets: suppressed_sent 0 ${met(suppressedSent === 0)}; suppressed_skipped = ${SUPPRESSED} ${met(suppressedSkipped === SUPPRESSED)}; log_rows = ${expectedRows} ${met(rows.total === expectedRows)}; api calls <= 5 per 100 mails ${met(callsPer100 <= 5)}; report ${met(!mismatches.length)}; vs_plain_send >= 0.8 ${met(ratio >= 0.8)} (plain ${plain.rate.toFixed(1)} mails/s)`,
		);
		console.log(
			`campaign: sent=${sent} suppressed_skipped=${suppressedSkipped} suppressed_sent=${suppressedSent} log_rows=${rows.total} api_calls_per_100_mails=${callsPer100.toFixed(2)} report_matches=${mismatches.length ? 'no' : 'yes'} msgs_per_s=${campaign.rate.toFixed(1)} vs_plain_send=${ratio.toFixed(2)}`,
		);
	} finally {
		for (const close of closers.reverse()) await close().catch(() => undefined);
		if (stopN8n) await stopN8n();
		fs.rmSync(work, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
