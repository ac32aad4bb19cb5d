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
	runExample,
	startE2e,
	stopE2e,
} from './harness';

/* eslint-disable @typescript-eslint/no-require-imports */
const { openEditor } = require('../../scripts/lib/n8n-editor');
const { loadExamples } = require('../../scripts/lib/examples');
const { importWorkflows } = require('../../scripts/lib/n8n-rest');
/* eslint-enable @typescript-eslint/no-require-imports */

const exampleNames: string[] = loadExamples(EXAMPLES_DIR).map((e: { name: string }) => e.name);
let env: E2eEnv;

beforeAll(async () => {
	env = await startE2e();
}, 15 * 60 * 1000);

afterAll(async () => {
	await stopE2e();
}, 60 * 1000);

async function typesJson(kind: 'nodes' | 'credentials'): Promise<Json[]> {
	return JSON.parse(await env.session.request('GET', `/types/${kind}.json`, undefined, { raw: true }));
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
	const extra = nodes.filter((n) => n.name.startsWith(`${env.packageName}.`) && !expected.nodes.some((e) => e.type === n.name) && !tools.includes(n.name));
	expect(extra.map((n) => n.name)).toEqual([]);
	for (const n of expected.nodes) {
		const description = nodes.find((d) => d.name === n.type);
		const iconUrl = description.iconUrl ?? description.icon;
		// one icon, or a themed pair { light, dark } (n8n shows the dark one in its dark theme)
		const urls: unknown[] = iconUrl && typeof iconUrl === 'object' ? [iconUrl.light, iconUrl.dark] : [iconUrl];
		for (const url of urls) {
			expect({ node: n.type, iconUrl: url }).toEqual({ node: n.type, iconUrl: expect.stringMatching(/^icons\/.+\.(svg|png)$/) });
			const icon = await fetch(`${env.baseUrl}/${url}`, { headers: { cookie: env.session.cookieHeader } });
			expect({ node: n.type, url, status: icon.status }).toEqual({ node: n.type, url, status: 200 });
		}
	}
	expect(loadErrors(env)).toEqual([]);
	// installed as the Community Nodes installer leaves it: recorded in nodes/package.json
	const nodesPkg = JSON.parse(fs.readFileSync(path.join(env.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'));
	expect(Object.keys(nodesPkg.dependencies)).toContain(env.packageName);
});

describe('example workflows run in n8n', () => {
	test('every example was imported', () => {
		expect([...env.importErrors]).toEqual([]);
		expect([...env.workflowIds.keys()].sort()).toEqual([...exampleNames].sort());
	});
	for (const name of exampleNames) {
		test(`examples/${name}.json`, async () => {
			await runExample(env, name);
		}, 180 * 1000);
	}
});

test('the editor shows the examples and every node without a missing icon, unknown-node placeholder or parameter error', async () => {
	const editor = await openEditor({ baseUrl: env.baseUrl, login: env.login, screenshotsDir: SCREENSHOTS });
	const problems: string[] = [];
	try {
		await editor.signIn();
		const expected = expectedTypes(env);
		const ourTypes = new Set(expected.nodes.map((n) => n.type));
		for (const example of env.examples) {
			const id = env.workflowIds.get(example.name);
			if (!id) continue; // reported by "every example was imported"
			for (const p of await editor.openWorkflow(id)) problems.push(`examples/${example.file}: node "${p.node}": ${p.problem}`);
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
				for (const p of await editor.openNode(node.name)) problems.push(`examples/${example.file}: node "${node.name}" panel: ${p}`);
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
				return { id: `n${i}`, name: d.defaults?.name || d.displayName, type: n.type, typeVersion: version, position: [i * 240, 0], parameters: {} };
			});
			const [scratch] = await importWorkflows(env.session, [
				{ file: 'e2e-all-nodes', workflow: { name: `All nodes of ${env.packageName}`, nodes, connections: {} } },
			]);
			for (const p of await editor.openWorkflow(scratch.id)) {
				// a freshly added node may lack required values (node issues); everything else is a defect
				if (p.problem !== 'shows node issues') problems.push(`new node "${p.node}": ${p.problem}`);
			}
			await editor.screenshot('all-nodes');
			for (const node of nodes) {
				for (const p of await editor.openNode(node.name)) {
					if (!p.startsWith('parameter issues')) problems.push(`new node "${node.name}" panel: ${p}`);
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
}, 10 * 60 * 1000);
