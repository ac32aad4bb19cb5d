'use strict';
// Drives the n8n 2.8.4 editor in headless Chromium (Debian's /usr/bin/chromium via playwright-core) for the e2e
// tests: sign in, open a workflow or a node's parameter panel, take screenshots, and report what a user would
// see as broken: a node without its icon, an unknown-node placeholder, node or parameter issues, script errors.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const UNKNOWN_NODE_TEXT =
	/Install this node to use it|node is not currently installed|is not (currently )?installed/i;

async function openEditor({
	baseUrl,
	login,
	screenshotsDir,
	executablePath = '/usr/bin/chromium',
	viewport = { width: 1280, height: 800 },
}) {
	const { chromium } = require(
		require.resolve('playwright-core', { paths: [__dirname, process.cwd()] }),
	);
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport,
	});
	const page = context.pages()[0] || (await context.newPage());
	const pageErrors = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));
	fs.mkdirSync(screenshotsDir, { recursive: true });

	const editor = {
		page,
		pageErrors,
		async signIn() {
			await page.goto(`${baseUrl}/signin`);
			await page.fill('input[name="emailOrLdapLoginId"]', login.email);
			await page.fill('input[name="password"]', login.password);
			await page.click('[data-test-id="form-submit-button"]');
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30000 });
		},
		async screenshot(name, options = {}) {
			const file = path.isAbsolute(name) ? name : path.join(screenshotsDir, `${name}.png`);
			fs.mkdirSync(path.dirname(file), { recursive: true });
			await page.screenshot({ path: file, ...options });
			return file;
		},
		/** Opens a saved workflow on the canvas; returns the problems its nodes show. */
		async openWorkflow(id) {
			await page.goto(`${baseUrl}/workflow/${id}`);
			await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30000 });
			await page.click('[data-test-id="zoom-to-fit"]').catch(() => {});
			await waitForIcons(page);
			return canvasProblems(page);
		},
		/** Opens a node's parameter panel (NDV) by double-clicking it; returns what looks broken there. */
		async openNode(nodeName) {
			await page.dblclick(`[data-test-id="canvas-node"][data-node-name="${cssEscape(nodeName)}"]`);
			await page.waitForSelector('[data-test-id="ndv"]', { timeout: 15000 });
			await page.waitForTimeout(500);
			return ndvProblems(page);
		},
		async closeNode() {
			await page
				.click('[data-test-id="ndv-close-button"]')
				.catch(() => page.keyboard.press('Escape'));
			await page
				.waitForSelector('[data-test-id="ndv"]', { state: 'detached', timeout: 10000 })
				.catch(() => {});
		},
		async close() {
			await context.close().catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
	return editor;
}

function cssEscape(s) {
	return String(s).replace(/["\\]/g, '\\$&');
}

async function waitForIcons(page) {
	await page
		.waitForFunction(
			() =>
				[...document.querySelectorAll('[data-test-id="canvas-node"] img')].every(
					(img) => img.complete,
				),
			null,
			{
				timeout: 10000,
			},
		)
		.catch(() => {});
}

/** Per canvas node: icon missing or not loaded, unknown-node look, node issues. */
async function canvasProblems(page) {
	return page.$$eval('[data-test-id="canvas-node"]', (nodes) =>
		nodes.flatMap((el) => {
			const name = el.getAttribute('data-node-name');
			const type = el.getAttribute('data-node-type');
			const problems = [];
			// n8n 2.8.4 canvas: an uninstalled type gets a "node-not-installed" badge and a "?" placeholder icon;
			// a node without a usable icon gets the placeholder (its initial) instead of an <img>/<svg>.
			if (el.querySelector('[data-test-id="node-not-installed"]'))
				problems.push('unknown node (not installed)');
			const icon = el.querySelector('.n8n-node-icon');
			const placeholder = icon && icon.querySelector('[class*="nodeIconPlaceholder"]');
			if (!icon) problems.push('no icon');
			else if (placeholder)
				problems.push(
					`placeholder icon "${placeholder.textContent.trim()}" instead of the node's icon`,
				);
			const broken = icon
				? [...icon.querySelectorAll('img')].filter((img) => !img.complete || img.naturalWidth === 0)
				: [];
			if (broken.length)
				problems.push(
					`icon does not load (${broken.map((i) => i.getAttribute('src')).join(', ')})`,
				);
			if (el.querySelector('[data-test-id="node-issues"]')) problems.push('shows node issues');
			return problems.map((p) => ({ node: name, type, problem: p }));
		}),
	);
}

/** Text of the NDV a user sees, with the placeholders of its inputs (a dropdown shows its loading error there). */
async function ndvText(page) {
	const text = await page.locator('[data-test-id="ndv"]').innerText();
	const placeholders = await page.$$eval(
		'[data-test-id="ndv"] input, [data-test-id="ndv"] textarea',
		(els) => els.map((e) => e.getAttribute('placeholder') || '').filter(Boolean),
	);
	return `${text}\n${placeholders.join('\n')}`;
}

async function ndvProblems(page) {
	// dropdowns load their options when the panel opens: give them a moment to finish (or fail)
	let text = await ndvText(page);
	for (let i = 0; i < 10 && /Loading options/i.test(text); i++) {
		await page.waitForTimeout(300);
		text = await ndvText(page);
	}
	const problems = [];
	if (
		/Install this node to use it|node is not currently installed|is not (currently )?installed/i.test(
			text,
		)
	) {
		problems.push('unknown-node placeholder ("Install this node to use it")');
	}
	const issues = await page.$$eval(
		'[data-test-id="ndv"] [data-test-id="parameter-issues"]',
		(els) =>
			els.map(
				(e) =>
					e.closest('[data-test-id^="parameter-input"]')?.getAttribute('data-test-id') ||
					e.textContent.trim(),
			),
	);
	if (issues.length) problems.push(`parameter issues: ${issues.join(', ')}`);
	const header = page.locator('[data-test-id="ndv"] [data-test-id="node-title-container"] img');
	if ((await header.count()) > 0) {
		const ok = await header.first().evaluate((img) => img.complete && img.naturalWidth > 0);
		if (!ok) problems.push('icon in the parameter panel does not load');
	}
	if (
		/Could not load|Error fetching options|There was a problem loading the parameter options/i.test(
			text,
		)
	) {
		problems.push('a parameter could not load its options');
	}
	return problems;
}

module.exports = { openEditor, CHROMIUM_ARGS, UNKNOWN_NODE_TEXT };
