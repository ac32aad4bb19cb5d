// examples/campaign-report-page.json in a real n8n: four campaign mails go out through the sandbox (Send
// Templated Email, Send as Campaign, tracking on), their recipients act through the real tracking links while an
// Email Tracking Trigger workflow with the Data Tables credential is active (a person opens and clicks, Apple's
// privacy proxy opens, a person opens and unsubscribes with one click), and a bounce and a complaint event of
// the IMAP Sync Trigger's shape go through Suppression List > Add "From the Item". Then headless Chromium, at a
// phone's size, opens /webhook/campaign-report?campaign=... and reads the figures, the rates and the SVG funnel
// off the page. The campaign's name holds a <script> that must show as text.
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck, Json } from '../harness';
import { SCREENSHOTS, runHelperWorkflow } from '../harness';
import {
	activateCampaignTracking,
	chain,
	credential,
	deactivate,
	hit,
	itemsOf,
	mustSucceed,
	node,
	tableRows,
	trackingUrlsOf,
	waitFor,
} from './campaign-helpers';

const { CHROMIUM_ARGS } = require('../../../scripts/lib/n8n-editor');
const { chromium } = require('playwright-core');

const tag = randomUUID().slice(0, 8);
const CAMPAIGN = `Launch <script>window.__xss=1</script> ${tag}`;
const [A, B, C, D] = ['ann', 'bob', 'cat', 'dan'].map((n) => `${n}-${tag}@report.example`);
const TARGET = 'https://www.example.com/launch?src=mail';
// sent 4; D bounced: delivered 3; opened by A, C (people) and B (Apple's privacy proxy); A clicked once;
// C unsubscribed; B complained
const EXPECTED = {
	sent: 4,
	delivered: 3,
	bounced: 1,
	uniqueOpens: 3,
	humanOpens: 2,
	machineOpens: 1,
	clicks: 1,
	uniqueClicks: 1,
	unsubscribes: 1,
	complaints: 1,
};
const pct = (part: number, whole: number) =>
	`${((Math.round((part / whole) * 10000) / 10000) * 100).toFixed(1)}%`;
const EXPECTED_RATES = {
	delivery: pct(3, 4),
	bounce: pct(1, 4),
	open: pct(3, 3),
	humanOpen: pct(2, 3),
	click: pct(1, 3),
	clickToOpen: pct(1, 3),
	unsubscribe: pct(1, 3),
	complaint: pct(1, 3),
};

interface PageFacts {
	status: number;
	contentType: string;
	viewport: string | null;
	title: string;
	heading: string;
	figures: Record<string, string>;
	rates: Record<string, string>;
	stages: Record<string, string>;
	svgWidth: number;
	pageWidth: number;
	innerWidth: number;
	scripts: number;
	xss: unknown;
}
const state: { page?: PageFacts } = {};

/** Sends the four campaign mails, then logs a hard bounce of D and a complaint of B from event items. */
async function sendAndReport(env: E2eEnv): Promise<void> {
	const html =
		'<p>Hello {{name}},</p><p><a href="' +
		TARGET.replace('&', '&amp;') +
		'">See the launch</a></p>' +
		'<p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>';
	const events =
		"return $input.all().filter((i) => ['" +
		B +
		"', '" +
		D +
		"'].includes(i.json.accepted[0])).map((i) => ({ json: " +
		"i.json.accepted[0] === '" +
		D +
		"' ? { event: 'bounce', kind: 'hard', status: '5.1.1', reason: 'User unknown', recipient: i.json.accepted[0], " +
		'sent: { campaign: i.json.campaign, messageId: i.json.messageId, trackingId: i.json.trackingId } } : ' +
		"{ event: 'complaint', feedbackType: 'abuse', recipient: i.json.accepted[0], sent: { campaign: i.json.campaign, messageId: i.json.messageId, trackingId: i.json.trackingId } } }));";
	const run = await runHelperWorkflow(env, {
		name: 'Send a small campaign',
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}),
			node(
				'Recipients',
				'n8n-nodes-base.code',
				{
					jsCode: `return ${JSON.stringify([A, B, C, D])}.map((email, i) => ({ json: { email, name: 'Reader ' + i } }));`,
				},
				{ typeVersion: 2 },
			),
			node(
				'Send Campaign',
				`${env.packageName}.templatedEmail`,
				{
					mode: 'send',
					to: '={{ $json.email }}',
					subject: 'The launch, {{name}}',
					htmlSource: 'inline',
					html,
					text: '',
					missingVariables: 'fail',
					copyToSent: false,
					sendAsCampaign: true,
					campaign: CAMPAIGN,
					campaignOptions: {},
					tracking: true,
					trackingOptions: { open: true, click: true },
				},
				{
					credentials: {
						crmMailSmtp: credential(env, 'sandbox-smtp'),
						emailTracking: credential(env, 'sandbox-tracking'),
						crmMailN8nApi: credential(env, 'sandbox-n8n-api'),
					},
				},
			),
			node('Bounce and Complaint', 'n8n-nodes-base.code', { jsCode: events }, { typeVersion: 2 }),
			node(
				'Suppress From Events',
				`${env.packageName}.templatedEmail`,
				{
					resource: 'suppressionList',
					operation: 'add',
					email: '={{ $json.recipient }}',
					reason: 'fromEvent',
				},
				{ credentials: { crmMailN8nApi: credential(env, 'sandbox-n8n-api') } },
			),
		],
		connections: chain(
			'Start',
			'Recipients',
			'Send Campaign',
			'Bounce and Complaint',
			'Suppress From Events',
		),
	});
	mustSucceed(run, 'Sending the campaign');
	const logged = itemsOf(run, 'Suppress From Events');
	if (logged.length !== 2 || logged.some((l) => l.added !== true))
		throw new Error(
			`Suppression List > Add from the events: ${JSON.stringify(logged).slice(0, 600)}`,
		);
}

const check: ExampleCheck = {
	timeoutMs: 90000,
	async prepare(env: E2eEnv) {
		const tracking = await activateCampaignTracking(env);
		try {
			await sendAndReport(env);
			const sentAt = Date.now();
			const [a, b, c] = await Promise.all([A, B, C].map((r) => trackingUrlsOf(env, r)));
			// Apple's Mail Privacy Protection fetches with the bare UA at any time: a machine open
			await hit(b.open, { ua: 'Mozilla/5.0' });
			// people: later than 2 s after sending (faster is a link scanner)
			await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 2500 - Date.now())));
			await hit(a.open);
			await hit(a.click);
			await hit(c.open);
			await hit(c.oneClick, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'List-Unsubscribe=One-Click',
			});
			// the trigger writes the log after answering, batched: wait for its 5 rows (plus bounce and complaint)
			await waitFor(
				() => tableRows(env, 'crm_campaign_log', { column: 'campaign', value: CAMPAIGN }),
				(rows) => rows.filter((r: Json) => r.event !== 'sent').length >= 7,
				'The campaign log did not get the 5 tracking events, the bounce and the complaint',
			);
		} finally {
			await deactivate(env, tracking);
		}
	},
	async trigger(env: E2eEnv) {
		const browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			headless: true,
			args: CHROMIUM_ARGS,
		});
		try {
			const context = await browser.newContext({
				viewport: { width: 390, height: 844 },
				deviceScaleFactor: 2,
				isMobile: true,
				hasTouch: true,
			});
			const tab = await context.newPage();
			const response = await tab.goto(
				`${env.webhookUrl}/webhook/campaign-report?campaign=${encodeURIComponent(CAMPAIGN)}`,
			);
			const facts = await tab.evaluate(`(() => {
				const pairs = (sel, key) => Object.fromEntries([...document.querySelectorAll(sel)].map((e) => [e.dataset[key], e.querySelector('dd').textContent.trim()]));
				const svg = document.querySelector('svg');
				return {
					viewport: document.querySelector('meta[name=viewport]')?.getAttribute('content') ?? null,
					title: document.title,
					heading: document.querySelector('h2')?.textContent ?? '',
					figures: pairs('[data-figure]', 'figure'),
					rates: pairs('[data-rate]', 'rate'),
					stages: Object.fromEntries([...document.querySelectorAll('svg [data-stage]')].map((g) => [g.dataset.stage, g.dataset.value + ' ' + (g.querySelector('rect')?.getAttribute('width') ?? '')])),
					svgWidth: svg ? svg.getBoundingClientRect().width : 0,
					pageWidth: document.documentElement.scrollWidth,
					innerWidth: window.innerWidth,
					scripts: document.querySelectorAll('script').length,
					xss: window.__xss ?? null,
				};
			})()`);
			await tab.screenshot({
				path: path.join(SCREENSHOTS, 'campaign-report-page-phone.png'),
				fullPage: true,
			});
			state.page = {
				status: response.status(),
				contentType: response.headers()['content-type'] ?? '',
				...facts,
			};
		} finally {
			await browser.close();
		}
	},
	async check(execution: Execution) {
		mustSucceed(execution, 'The report page workflow');
		const page = state.page!;
		const expectedFigures = Object.fromEntries(
			Object.entries(EXPECTED).map(([k, v]) => [k, String(v)]),
		);
		const problems: string[] = [];
		const same = (what: string, got: unknown, want: unknown) => {
			if (JSON.stringify(got) !== JSON.stringify(want))
				problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
		};
		same('status', [page.status, page.contentType.split(';')[0]], [200, 'text/html']);
		same('viewport', /width=device-width/.test(page.viewport ?? ''), true);
		same('figures', page.figures, expectedFigures);
		same('rates', page.rates, EXPECTED_RATES);
		// funnel bars: value and width proportional to sent (320 px for all 4)
		same('funnel', page.stages, {
			sent: '4 320',
			delivered: '3 240',
			opened: '3 240',
			humanOpened: '2 160',
			clicked: '1 80',
		});
		same(
			'fits a phone',
			[page.pageWidth <= page.innerWidth, page.svgWidth > 200 && page.svgWidth <= page.innerWidth],
			[true, true],
		);
		// the campaign name is text, not markup: no script ran, none is in the page
		same(
			'escaped name',
			[page.heading, page.title.endsWith(CAMPAIGN), page.scripts, page.xss],
			[CAMPAIGN, true, 0, null],
		);
		if (problems.length) throw new Error(`The report page is wrong:\n${problems.join('\n')}`);
	},
};

export default check;
