'use strict';
// The example workflows in examples/*.json and the sandbox credentials they use (examples/credentials.json),
// shared by `npm start` and the e2e tests.
//
// examples/credentials.json is a list of { id, name, type, data }. Workflows reference a credential by that id
// (node.credentials.<type> = { id, name }); the import maps it to the id n8n assigns. String values in `data`
// may contain placeholders such as {{sandbox.imapPort}}, {{sandbox.smtpPort}}, {{apiKey}}, {{n8nUrl}},
// {{tracking.secret}}, {{tracking.baseUrl}}, {{unisender.apiKey}} or {{unisender.baseUrl}}; a value that is exactly
// one placeholder takes the placeholder's type (a port stays a number).
const fs = require('node:fs');
const path = require('node:path');
const { importCredentials, importWorkflows, stableWorkflowId } = require('./n8n-rest');

const REPO = path.resolve(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(REPO, 'examples');
const CREDENTIALS_FILE = 'credentials.json';

/** Every example workflow, sorted by file name: [{ name, file, workflow }] (name = file name without .json). */
function loadExamples(dir = EXAMPLES_DIR) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json') && f !== CREDENTIALS_FILE)
		.sort()
		.map((file) => {
			const full = path.join(dir, file);
			let workflow;
			try {
				workflow = JSON.parse(fs.readFileSync(full, 'utf8'));
			} catch (error) {
				throw new Error(`examples/${file} is not valid JSON: ${error.message}`);
			}
			if (!Array.isArray(workflow.nodes))
				throw new Error(`examples/${file} is not an n8n workflow (no "nodes" list)`);
			return { name: file.replace(/\.json$/, ''), file, workflow };
		});
}

function loadCredentialDefs(dir = EXAMPLES_DIR) {
	const file = path.join(dir, CREDENTIALS_FILE);
	if (!fs.existsSync(file)) return [];
	const list = JSON.parse(fs.readFileSync(file, 'utf8'));
	if (!Array.isArray(list))
		throw new Error('examples/credentials.json must be a list of { id, name, type, data }');
	for (const c of list) {
		if (!c || !c.id || !c.name || !c.type || typeof c.data !== 'object') {
			throw new Error(
				`examples/credentials.json: every entry needs id, name, type and data; got ${JSON.stringify(c)}`,
			);
		}
	}
	return list;
}

function lookup(vars, key) {
	return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), vars);
}

/** Replaces {{a.b}} placeholders (no `$`, so n8n expressions like {{ $json.x }} are left alone). */
function fillPlaceholders(value, vars) {
	if (typeof value === 'string') {
		const whole = value.match(/^\{\{\s*([A-Za-z_][\w.]*)\s*\}\}$/);
		if (whole) {
			const v = lookup(vars, whole[1]);
			if (v === undefined) throw new Error(`Unknown placeholder {{${whole[1]}}}`);
			return v;
		}
		return value.replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (m, key) => {
			const v = lookup(vars, key);
			if (v === undefined) throw new Error(`Unknown placeholder {{${key}}}`);
			return String(v);
		});
	}
	if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, vars));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, vars)]),
		);
	}
	return value;
}

const TRACKING_TRIGGER = /\.emailTrackingTrigger$/;
const TRACKING_EXAMPLE = 'opened-to-unisender';

/**
 * The Tracking Base URL of the Email Tracking credential: the production webhook URL of the Email Tracking
 * Trigger up to its path (`<n8n>/webhook/<path>`; the trigger adds /open, /click, /unsubscribe itself, see
 * credentials/EmailTracking.credentials.ts). The path is the trigger's in examples/opened-to-unisender.json
 * (else the first example with that trigger), normalised as the node does; 'email-tracking' is its default.
 */
function trackingBaseUrl(n8nUrl, examples = loadExamples()) {
	const ordered = [...examples].sort(
		(a, b) => (b.name === TRACKING_EXAMPLE) - (a.name === TRACKING_EXAMPLE),
	);
	let triggerPath = 'email-tracking';
	for (const example of ordered) {
		const node = example.workflow.nodes.find((n) => TRACKING_TRIGGER.test(n.type) && !n.disabled);
		if (!node) continue;
		const p = node.parameters && node.parameters.path;
		if (typeof p === 'string' && p.trim()) triggerPath = p;
		break;
	}
	const clean = triggerPath.split('/').filter(Boolean).join('/');
	return `${String(n8nUrl).replace(/\/+$/, '')}/webhook/${clean}`;
}

/**
 * Imports the sandbox credentials and the example workflows into a running n8n.
 * vars: the placeholder values. preserve(def, currentData): true keeps an existing credential as the user left it
 * (see n8n-rest importCredentials). keepExisting: an example or credential that is already there is left exactly as
 * it is (the user's edits, its published state, its static data such as the IMAP Sync Trigger's position); only
 * missing ones are imported. Returns { credentials: Map, workflows: [{ name, file, id, active, title, kept }] }.
 */
async function importExamples(
	session,
	{ vars, dir = EXAMPLES_DIR, activate, preserve, keepExisting = false, log = () => {} },
) {
	const defs = loadCredentialDefs(dir).map((c) => ({ ...c, data: fillPlaceholders(c.data, vars) }));
	const credentials = await importCredentials(session, defs, {
		preserve: keepExisting ? () => true : preserve,
		log: keepExisting ? () => {} : log,
	});
	const examples = loadExamples(dir);
	const workflows = [];
	for (const example of examples) {
		try {
			const current = keepExisting ? await existingWorkflow(session, example) : null;
			if (current) {
				workflows.push({
					name: example.name,
					file: example.file,
					id: current.id,
					active: !!current.active,
					title: current.name,
					kept: true,
				});
				continue;
			}
			const [saved] = await importWorkflows(session, [example], {
				credentialMap: credentials,
				activate,
			});
			workflows.push({
				name: example.name,
				file: example.file,
				id: saved.id,
				active: !!saved.active,
				title: saved.name,
			});
		} catch (error) {
			// one broken example must not keep the others out of the editor
			log(`Could not import examples/${example.file}: ${error.message}`);
			workflows.push({ name: example.name, file: example.file, error: error.message });
		}
	}
	return { credentials, workflows };
}

/** The example's workflow in n8n (by the stable id the import gives it), or null when it is not there. */
async function existingWorkflow(session, example) {
	const id = example.workflow.id || stableWorkflowId(example.file || example.workflow.name);
	try {
		return await session.get(`/rest/workflows/${id}`);
	} catch (error) {
		if (error.status === 404) return null;
		throw error;
	}
}

module.exports = {
	EXAMPLES_DIR,
	loadExamples,
	loadCredentialDefs,
	fillPlaceholders,
	importExamples,
	trackingBaseUrl,
};
