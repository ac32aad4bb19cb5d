// The package as a user gets it: packed, installed like the Community Nodes screen does, loaded by the pinned
// n8n 2.8.4, its example workflows run, and its nodes looked at in the real editor in headless Chromium.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	EXAMPLES_DIR,
	REPO,
	SCREENSHOTS,
	E2eEnv,
	Json,
	expectedTypes,
	loadErrors,
	publicApi,
	runHelperWorkflow,
	runExample,
	startE2e,
	stopE2e,
} from './harness';

import {
	activateTrackingWorkflow,
	deactivate,
	sendTrackedMail,
	trackingEvents,
	trackingUrls,
	type TrackingEvent,
} from './tracking';

const { openEditor, CHROMIUM_ARGS } = require('../../scripts/lib/n8n-editor');
const { chromium } = require('playwright-core');
const { loadExamples } = require('../../scripts/lib/examples');
const { importWorkflows } = require('../../scripts/lib/n8n-rest');
const { resolveVersion, OLDEST } = require('../../scripts/lib/n8n-versions');

const exampleNames: string[] = loadExamples(EXAMPLES_DIR).map((e: { name: string }) => e.name);
let env: E2eEnv;

beforeAll(
	async () => {
		env = await startE2e();
	},
	15 * 60 * 1000,
);

afterAll(async () => {
	await stopE2e();
}, 60 * 1000);

async function typesJson(kind: 'nodes' | 'credentials'): Promise<Json[]> {
	return JSON.parse(
		await env.session.request('GET', `/types/${kind}.json`, undefined, { raw: true }),
	);
}

test('n8n loads every node and credential listed in package.json, with their icons and no load error', async () => {
	const expected = expectedTypes(env);
	const nodes = await typesJson('nodes');
	const credentials = await typesJson('credentials');
	const loadedNodes = new Set(nodes.map((n) => n.name));
	const loadedCredentials = new Set(credentials.map((c) => c.name));
	expect(expected.nodes.filter((n) => !loadedNodes.has(n.type))).toEqual([]);
	expect(expected.credentials.filter((c) => !loadedCredentials.has(c.name))).toEqual([]);
	// n8n loaded nothing of this package that package.json does not list, besides the AI-tool variant
	// (`<type>Tool`) n8n derives from every node with `usableAsTool: true`
	const tools = expected.nodes.filter((n) => n.usableAsTool).map((n) => `${n.type}Tool`);
	expect(tools.filter((t) => !loadedNodes.has(t))).toEqual([]);
	const extra = nodes.filter(
		(n) =>
			n.name.startsWith(`${env.packageName}.`) &&
			!expected.nodes.some((e) => e.type === n.name) &&
			!tools.includes(n.name),
	);
	expect(extra.map((n) => n.name)).toEqual([]);
	for (const n of expected.nodes) {
		const description = nodes.find((d) => d.name === n.type);
		const iconUrl = description.iconUrl ?? description.icon;
		// one icon, or a themed pair { light, dark } (n8n shows the dark one in its dark theme)
		const urls: unknown[] =
			iconUrl && typeof iconUrl === 'object' ? [iconUrl.light, iconUrl.dark] : [iconUrl];
		for (const url of urls) {
			expect({ node: n.type, iconUrl: url }).toEqual({
				node: n.type,
				iconUrl: expect.stringMatching(/^icons\/.+\.(svg|png)$/),
			});
			const icon = await fetch(`${env.baseUrl}/${url}`, {
				headers: { cookie: env.session.cookieHeader },
			});
			expect({ node: n.type, url, status: icon.status }).toEqual({
				node: n.type,
				url,
				status: 200,
			});
		}
	}
	expect(loadErrors(env)).toEqual([]);
	// installed as the Community Nodes installer leaves it: recorded in nodes/package.json
	const nodesPkg = JSON.parse(
		fs.readFileSync(path.join(env.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'),
	);
	expect(Object.keys(nodesPkg.dependencies)).toContain(env.packageName);
});

// The "Test" button of the credential screen: n8n picks the test (the credential's own request, or a node's
// function) and runs it in its process; this is where a test that only the harness ran would show.
test("every sandbox credential passes n8n's credential test; a wrong key fails with a message", async () => {
	const saved: Json[] = await env.session.get('/rest/credentials');
	const ours = saved.filter((c) => expectedTypes(env).credentials.some((e) => e.name === c.type));
	const tested = new Map<string, unknown>();
	for (const c of ours) {
		const full = await env.session.get(`/rest/credentials/${c.id}?includeData=true`);
		const test = (data: Json) =>
			env.session.post('/rest/credentials/test', {
				credentials: { id: c.id, name: c.name, type: c.type, data },
			});
		tested.set(c.type, await test(full.data));
		if ('apiKey' in full.data) {
			const wrong = await test({ ...full.data, apiKey: 'wrong-key' });
			expect({ type: c.type, status: wrong.status }).toEqual({ type: c.type, status: 'Error' });
			expect(wrong.message).toMatch(/API key|refused|Authorization failed/);
		}
	}
	expect([...tested.keys()].sort()).toEqual(
		[
			'crmMailBitrix24Api',
			'crmMailImap',
			'crmMailN8nApi',
			'crmMailSmtp',
			'emailTracking',
			'unisenderApi',
		].sort(),
	);
	for (const [type, result] of tested)
		expect({ type, result }).toEqual({ type, result: expect.objectContaining({ status: 'OK' }) });
});

// first, before any example ran its set-up step (the CRM tables, say): what a user sees right after npm start
test(
	'the editor shows the examples and every node without a missing icon, unknown-node placeholder or parameter error',
	async () => {
		const editor = await openEditor({
			baseUrl: env.baseUrl,
			login: env.login,
			screenshotsDir: SCREENSHOTS,
		});
		const problems: string[] = [];
		try {
			await editor.signIn();
			const expected = expectedTypes(env);
			const ourTypes = new Set(expected.nodes.map((n) => n.type));
			for (const example of env.examples) {
				const id = env.workflowIds.get(example.name);
				if (!id) continue; // reported by "every example was imported"
				for (const p of await editor.openWorkflow(id))
					problems.push(`examples/${example.file}: node "${p.node}": ${p.problem}`);
				await editor.screenshot(`example-${example.name}`);
				if (example === env.examples[0] && EXAMPLES_DIR === path.join(REPO, 'examples')) {
					// README picture: small viewport keeps the committed PNG small
					await editor.page.setViewportSize({ width: 960, height: 480 });
					await editor.page.click('[data-test-id="zoom-to-fit"]').catch(() => undefined);
					await editor.page.waitForTimeout(500);
					await editor.screenshot(path.join(REPO, 'docs', 'canvas.png'));
					await editor.page.setViewportSize({ width: 1280, height: 800 });
				}
				for (const node of example.workflow.nodes.filter((n) => ourTypes.has(n.type))) {
					for (const p of await editor.openNode(node.name))
						problems.push(`examples/${example.file}: node "${node.name}" panel: ${p}`);
					await editor.screenshot(`example-${example.name}-${node.name.replace(/[^\w-]+/g, '_')}`);
					await editor.closeNode();
				}
			}

			// Every node of the package as a user adds it: default parameters, latest version, on one canvas.
			if (expected.nodes.length) {
				const descriptions = await typesJson('nodes');
				const nodes = expected.nodes.map((n, i) => {
					const d = descriptions.find((x) => x.name === n.type);
					const version = Array.isArray(d.version) ? Math.max(...d.version) : d.version;
					return {
						id: `n${i}`,
						name: d.defaults?.name || d.displayName,
						type: n.type,
						typeVersion: version,
						position: [i * 240, 0],
						parameters: {},
					};
				});
				// and a node saved by an older version of this package, as a workflow from then holds it
				const mailbox = expected.nodes.find((n) => n.type.endsWith('.imapMailbox'));
				if (mailbox)
					nodes.push({
						id: 'v1',
						name: 'IMAP Mailbox (Version 1)',
						type: mailbox.type,
						typeVersion: 1,
						position: [nodes.length * 240, 0],
						parameters: { operation: 'move', folder: 'INBOX', uids: '1', destination: 'Archive' },
					});
				const [scratch] = await importWorkflows(env.session, [
					{
						file: 'e2e-all-nodes',
						workflow: { name: `All nodes of ${env.packageName}`, nodes, connections: {} },
					},
				]);
				for (const p of await editor.openWorkflow(scratch.id)) {
					// a freshly added node may lack required values (node issues); everything else is a defect
					if (p.problem !== 'shows node issues')
						problems.push(`new node "${p.node}": ${p.problem}`);
				}
				await editor.screenshot('all-nodes');
				for (const node of nodes) {
					for (const p of await editor.openNode(node.name)) {
						if (!p.startsWith('parameter issues'))
							problems.push(`new node "${node.name}" panel: ${p}`);
					}
					await editor.screenshot(`node-${node.name.replace(/[^\w-]+/g, '_')}`);
					await editor.closeNode();
				}
			}
			problems.push(...editor.pageErrors.map((e: string) => `script error in the editor: ${e}`));
		} finally {
			await editor.close();
		}
		expect(problems).toEqual([]);
	},
	10 * 60 * 1000,
);

describe('example workflows run in n8n', () => {
	test('every example was imported', () => {
		expect([...env.importErrors]).toEqual([]);
		expect([...env.workflowIds.keys()].sort()).toEqual([...exampleNames].sort());
	});
	for (const name of exampleNames) {
		test(
			`examples/${name}.json`,
			async () => {
				await runExample(env, name);
			},
			180 * 1000,
		);
	}
});

test(
	'a tracked mail, sent through the sandbox and fetched from the mailbox: its pixel, link and unsubscribe work from an HTTP client and from Chromium rendering it, and each starts one event',
	async () => {
		const workflowId = await activateTrackingWorkflow(env);
		const THUNDERBIRD =
			'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0';
		try {
			const mail = await sendTrackedMail(env);
			const urls = trackingUrls(mail);

			// An HTTP client: the pixel, the link (302 to the decoded offer URL only), a forged token, the page
			// (no event) and the RFC 8058 one-click POST.
			const pixel = await fetch(urls.open, { headers: { 'user-agent': THUNDERBIRD } });
			expect([
				pixel.status,
				pixel.headers.get('content-type'),
				pixel.headers.get('cache-control'),
			]).toEqual([200, 'image/gif', expect.stringContaining('no-store')]);
			const click = await fetch(urls.click, {
				redirect: 'manual',
				headers: { 'user-agent': THUNDERBIRD },
			});
			expect([click.status, click.headers.get('location')]).toEqual([302, mail.target]);
			const forgedUrl = urls.click.replace(
				/(t=.{20})(.)/,
				(_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'),
			);
			const forged = await fetch(forgedUrl, { redirect: 'manual' });
			expect([forged.status >= 400, forged.headers.get('location')]).toEqual([true, null]);
			const page = await fetch(urls.unsubscribe, { headers: { 'user-agent': THUNDERBIRD } });
			expect([page.status, (await page.text()).includes('<form method="post"')]).toEqual([
				200,
				true,
			]);
			const oneClick = await fetch(urls.oneClick, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'List-Unsubscribe=One-Click',
			});
			expect(oneClick.status).toBe(200);
			const byClient = await trackingEvents(env, workflowId, 3);
			expect(byClient.map((e) => e.type)).toEqual(['opened', 'clicked', 'unsubscribed']);

			// Headless Chromium renders the mail's HTML (loading the pixel), follows the link, then unsubscribes
			// with the page's button.
			const browser = await chromium.launch({
				executablePath: '/usr/bin/chromium',
				headless: true,
				args: CHROMIUM_ARGS,
			});
			try {
				const tab = await browser.newPage();
				await tab.setContent(mail.html, { waitUntil: 'load' });
				const pixelLoaded = await tab.evaluate(
					"[...document.images].some((img) => img.src.includes('/open?t=') && img.complete && img.naturalWidth === 1)",
				);
				expect(pixelLoaded).toBe(true);
				await Promise.all([tab.waitForURL(mail.target), tab.click('text=our offer')]);
				expect(tab.url()).toBe(mail.target);
				await tab.goto(urls.unsubscribe);
				await Promise.all([tab.waitForLoadState('load'), tab.click('button[type="submit"]')]);
				expect(await tab.textContent('body')).toMatch(/unsubscribed/i);
			} finally {
				await browser.close();
			}
			const events: TrackingEvent[] = await trackingEvents(env, workflowId, 6);
			expect(
				events.map(
					(e) => `${e.type} ${/HeadlessChrome/.test(e.userAgent ?? '') ? 'chromium' : 'client'}`,
				),
			).toEqual([
				'opened client',
				'clicked client',
				'unsubscribed client',
				'opened chromium',
				'clicked chromium',
				'unsubscribed chromium',
			]);
			for (const e of events) {
				expect({
					type: e.type,
					recipient: e.recipient,
					messageId: e.messageId,
					dealId: e.trackingData.dealId,
				}).toEqual({
					type: e.type,
					recipient: 'customer@client.local',
					messageId: mail.messageId,
					dealId: 'D-7',
				});
				expect(e.url).toBe(e.type === 'clicked' ? mail.target : null);
			}
			expect(events[3].classification.kind).not.toBe('human');
		} finally {
			await deactivate(env, workflowId);
		}
	},
	180 * 1000,
);

test('"Set Up Tables" on a table that lacks columns: adds them where n8n has column endpoints (2.41+), names them on older n8n', async () => {
	await publicApi(env, 'POST', '/data-tables', {
		name: 'e2ecols_contacts',
		columns: [
			{ name: 'name', type: 'string' },
			{ name: 'email', type: 'string' },
		],
	});
	const run = await runHelperWorkflow(env, {
		name: 'Set up tables with a prefix',
		nodes: [
			{
				id: 'e2e-cols-1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'e2e-cols-2',
				name: 'Set Up Tables',
				type: `${env.packageName}.crmMatch`,
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					backend: 'dataTables',
					operation: 'setupTables',
					options: { tablePrefix: 'e2ecols_' },
				},
				credentials: { crmMailN8nApi: { id: 'sandbox-n8n-api', name: 'Sandbox n8n API' } },
			},
		],
		connections: { Start: { main: [[{ node: 'Set Up Tables', type: 'main', index: 0 }]] } },
	});
	const missing = [
		'first_name',
		'last_name',
		'email_canonical',
		'company_id',
		'owner',
		'source',
		'dedupe_key',
	];
	if (resolveVersion() === OLDEST) {
		expect(run.status).toBe('error');
		const error = run.data.resultData.error as Json;
		expect(error.message).toContain(`e2ecols_contacts (${missing.join(', ')})`);
		expect(error.description).toMatch(/Older n8n cannot add columns through its API/);
	} else {
		expect(run.status).toBe('success');
		const out = run.data.resultData.runData['Set Up Tables'][0].data.main[0][0].json;
		// the optional columns of Mark Undeliverable are added too where n8n can add columns
		const optional = ['undeliverable', 'undeliverable_reason', 'undeliverable_at'];
		expect(out.columnsAdded).toEqual([...missing, ...optional].map((c) => `e2ecols_contacts.${c}`));
		const tables = await publicApi(env, 'GET', '/data-tables?limit=100');
		const contacts = tables.data.find((t: Json) => t.name === 'e2ecols_contacts');
		const columns = await publicApi(env, 'GET', `/data-tables/${contacts.id}/columns`);
		expect(columns.map((c: Json) => c.name)).toEqual(
			expect.arrayContaining(['name', 'email', ...missing]),
		);
	}
});
