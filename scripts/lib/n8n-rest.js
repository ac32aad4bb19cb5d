'use strict';
// A small client for the REST API of n8n 2.8.4 (the editor's internal `/rest/*`, cookie-authenticated) and its
// public API (`/api/v1/*`, X-N8N-API-KEY). Only what npm start and the e2e tests need.
const crypto = require('node:crypto');

async function isReady(baseUrl) {
	try {
		const health = await fetch(`${baseUrl}/healthz/readiness`, {
			signal: AbortSignal.timeout(2000),
		});
		if (!health.ok) return false;
		const settings = await fetch(`${baseUrl}/rest/settings`, { signal: AbortSignal.timeout(2000) });
		return settings.ok;
	} catch {
		return false;
	}
}

/** A logged-in editor session: keeps the `n8n-auth` cookie and unwraps n8n's `{ data }` envelope. */
class Session {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.cookies = new Map();
	}

	get cookieHeader() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	async request(method, urlPath, body, { raw = false } = {}) {
		const res = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookies.size ? { cookie: this.cookieHeader } : {}),
				// n8n rejects cookie-authenticated REST calls that do not carry its browser id header
				'browser-id': this.browserId,
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		for (const line of res.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair.indexOf('=');
			this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
		}
		const text = await res.text();
		if (!res.ok) {
			const error = new Error(
				`n8n ${method} ${urlPath} answered ${res.status}: ${text.slice(0, 500)}`,
			);
			error.status = res.status;
			throw error;
		}
		if (raw) return text;
		const json = text ? JSON.parse(text) : undefined;
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	get browserId() {
		this._browserId ??= crypto.randomUUID();
		return this._browserId;
	}
	get(p) {
		return this.request('GET', p);
	}
	post(p, b = {}) {
		return this.request('POST', p, b);
	}
	patch(p, b = {}) {
		return this.request('PATCH', p, b);
	}
}

async function login(baseUrl, { email, password }) {
	const session = new Session(baseUrl);
	await session.post('/rest/login', { emailOrLdapLoginId: email, password });
	return session;
}

/**
 * Creates the owner account if this n8n has none yet (POST /rest/owner/setup), else logs in with the same
 * login. Returns { session, created }.
 */
async function setupOwner(baseUrl, { email, password, firstName = 'Demo', lastName = 'Owner' }) {
	const session = new Session(baseUrl);
	const settings = await session.get('/rest/settings');
	if (settings.userManagement && settings.userManagement.showSetupOnFirstLoad) {
		await session.post('/rest/owner/setup', { email, password, firstName, lastName });
		return { session, created: true };
	}
	await session.post('/rest/login', { emailOrLdapLoginId: email, password });
	return { session, created: false };
}

/** A public-API key with every scope the owner may grant (workflows, executions, data tables, ...). */
async function createApiKey(session, label) {
	const scopes = await session.get('/rest/api-keys/scopes');
	const key = await session.post('/rest/api-keys', { label, scopes, expiresAt: null });
	return { id: key.id, apiKey: key.rawApiKey, scopes };
}

/** Calls the public API (`/api/v1`) with an API key. */
async function publicApi(baseUrl, apiKey, method, urlPath, body) {
	const res = await fetch(`${baseUrl}/api/v1${urlPath}`, {
		method,
		headers: {
			'x-n8n-api-key': apiKey,
			...(body !== undefined ? { 'content-type': 'application/json' } : {}),
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	if (!res.ok)
		throw new Error(
			`n8n public API ${method} ${urlPath} answered ${res.status}: ${text.slice(0, 500)}`,
		);
	return text ? JSON.parse(text) : undefined;
}

/**
 * Creates or updates credentials by name + type (the REST API assigns credential ids itself, so the ids
 * declared in examples/credentials.json are mapped to the real ones). Returns Map declaredId -> { id, name, type }.
 * preserve(def, currentData) -> true leaves an existing credential untouched.
 */
async function importCredentials(session, credentials, { preserve, log = () => {} } = {}) {
	const existing = await session.get('/rest/credentials');
	const map = new Map();
	for (const cred of credentials) {
		const found = existing.find((c) => c.name === cred.name && c.type === cred.type);
		let saved;
		// preserve(def, currentData): the user may have pointed a sandbox credential at a real service (e.g. a real
		// Unisender key); the data n8n returns has its secrets blanked, the other fields are readable.
		if (found && preserve) {
			const current = await session
				.get(`/rest/credentials/${found.id}?includeData=true`)
				.catch(() => null);
			if (current && current.data && preserve(cred, current.data)) {
				log(`Kept the credential "${found.name}" as you changed it`);
				map.set(cred.id ?? found.id, { id: found.id, name: found.name, type: found.type });
				continue;
			}
		}
		if (found) {
			saved = await session.patch(`/rest/credentials/${found.id}`, {
				name: cred.name,
				type: cred.type,
				data: cred.data,
			});
		} else {
			saved = await session.post('/rest/credentials', {
				name: cred.name,
				type: cred.type,
				data: cred.data,
			});
		}
		map.set(cred.id ?? saved.id, { id: saved.id, name: saved.name, type: saved.type });
	}
	return map;
}

/** A stable n8n-style workflow id (16 alphanumerics) for examples that do not carry their own. */
function stableWorkflowId(seed) {
	return crypto
		.createHash('sha256')
		.update(seed)
		.digest('base64')
		.replace(/[^A-Za-z0-9]/g, '')
		.slice(0, 16);
}

/** Points each node's credential references at the ids the credentials really got. */
function remapCredentials(workflow, credentialMap) {
	for (const node of workflow.nodes || []) {
		for (const ref of Object.values(node.credentials || {})) {
			const real =
				credentialMap.get(ref.id) || [...credentialMap.values()].find((c) => c.name === ref.name);
			if (real) Object.assign(ref, { id: real.id, name: real.name });
		}
	}
	return workflow;
}

/**
 * Creates each workflow with its own id, or overwrites the one with that id (so re-running does not
 * duplicate). `workflows`: [{ file?, workflow }]. `activate`: true/false for all, or undefined to follow each
 * workflow's own `active`. Returns the saved workflows.
 */
async function importWorkflows(session, workflows, { credentialMap = new Map(), activate } = {}) {
	const saved = [];
	for (const { file, workflow: source } of workflows) {
		const workflow = remapCredentials(structuredClone(source), credentialMap);
		workflow.id ||= stableWorkflowId(file || workflow.name);
		const body = {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections || {},
			settings: workflow.settings || { executionOrder: 'v1' },
			pinData: workflow.pinData || {},
			staticData: workflow.staticData || null,
		};
		let result;
		let current = null;
		try {
			current = await session.get(`/rest/workflows/${workflow.id}`);
		} catch (error) {
			if (error.status !== 404) throw error;
		}
		if (current) {
			if (current.active) await deactivateWorkflow(session, workflow.id);
			const latest = await session.get(`/rest/workflows/${workflow.id}`);
			result = await session.patch(`/rest/workflows/${workflow.id}`, {
				...body,
				versionId: latest.versionId,
			});
		} else {
			result = await session.post('/rest/workflows', { ...body, id: workflow.id });
		}
		if (activate || (activate !== false && source.active)) {
			result = await activateWorkflow(session, workflow.id, result.versionId);
		}
		saved.push(result);
	}
	return saved;
}

/**
 * Waits until n8n has (un)registered the workflow's triggers and webhooks. n8n 2.4x answers activate /
 * deactivate at once and publishes through an outbox it polls (GET publication-status tells when it is done);
 * n8n 2.8 activates within the request and answers 404 there.
 */
async function waitForPublication(session, workflowId, want, { timeoutMs = 60000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let status;
		try {
			status = await session.get(`/rest/workflows/${workflowId}/publication-status`);
		} catch (error) {
			if (error.status === 404) return;
			throw error;
		}
		if (status && status.status === want) return;
		if (Date.now() > deadline)
			throw new Error(
				`Workflow ${workflowId} is still "${status && status.status}" ${timeoutMs / 1000} s after the request`,
			);
		await new Promise((r) => setTimeout(r, 300));
	}
}

/** Activates (publishes) a version of the workflow (default: its current one) and waits until n8n set it up. */
async function activateWorkflow(session, workflowId, versionId) {
	const version = versionId || (await session.get(`/rest/workflows/${workflowId}`)).versionId;
	const result = await session.post(`/rest/workflows/${workflowId}/activate`, {
		versionId: version,
	});
	await waitForPublication(session, workflowId, 'published');
	return result;
}

/** Deactivates (unpublishes) the workflow and waits until n8n took its triggers and webhooks down. */
async function deactivateWorkflow(session, workflowId) {
	const result = await session.post(`/rest/workflows/${workflowId}/deactivate`, {});
	await waitForPublication(session, workflowId, 'not_published');
	return result;
}

/** Runs a saved workflow as the editor's "Execute workflow" does, from `triggerName`; returns the execution id. */
async function runManually(session, workflowId, triggerName) {
	const workflowData = await session.get(`/rest/workflows/${workflowId}`);
	const trigger = triggerName || guessStartNode(workflowData);
	const result = await session.post(`/rest/workflows/${workflowId}/run`, {
		workflowData,
		triggerToStartFrom: { name: trigger },
	});
	if (!result || !result.executionId) {
		throw new Error(
			`n8n did not start workflow ${workflowId} from "${trigger}": ${JSON.stringify(result)}`,
		);
	}
	return result.executionId;
}

function guessStartNode(workflow) {
	const manual = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (manual) return manual.name;
	const trigger = workflow.nodes.find((n) => /trigger|webhook/i.test(n.type));
	if (trigger) return trigger.name;
	throw new Error(`Workflow "${workflow.name}" has no trigger node to start from`);
}

/** Waits for an execution to finish; returns the public API's execution record with its data. */
async function waitForExecution(baseUrl, apiKey, executionId, { timeoutMs = 60000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const execution = await publicApi(
			baseUrl,
			apiKey,
			'GET',
			`/executions/${executionId}?includeData=true`,
		).catch((e) => {
			if (/answered 404/.test(e.message)) return null;
			throw e;
		});
		if (
			execution &&
			execution.finished !== undefined &&
			!['new', 'running', 'waiting'].includes(execution.status)
		) {
			return execution;
		}
		if (Date.now() > deadline)
			throw new Error(`Execution ${executionId} did not finish within ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

module.exports = {
	activateWorkflow,
	deactivateWorkflow,
	Session,
	isReady,
	login,
	setupOwner,
	createApiKey,
	publicApi,
	importCredentials,
	importWorkflows,
	remapCredentials,
	stableWorkflowId,
	runManually,
	waitForExecution,
};
