// `npm run bench -- crm-match`: 1,000 emails with 3 participants each (90 % known contacts, 10 % unknown
// addresses at known company domains) against 10,000 contacts / 1,000 companies / 500 open deals, on every
// backend fake (n8n Data Tables public API, EspoCRM REST API, Bitrix24 REST API through a webhook, amoCRM
// API v4 with a long-lived token). amoCRM has no batched search by address (one `query` per address and
// per work domain), so its requests_per_address stays near 1 and it is the worst backend of the last line.
// Measured path: the node itself, Match over 1,000 input items in one execution (workflow harness), so the
// figures include the node's item handling and its one batched lookup. Anchor, in the same run: the naive
// path, one lookup per address (the engine called with a single participant at a time, as a node without
// batching would), on the first NAIVE_EMAILS emails: its requests per address do not depend on how many
// addresses there are, so a sample keeps the run short; vs_naive = naive requests/address / batched.
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
const harness = require(
	path.join(root, 'test/harness/workflow.ts'),
) as typeof import('../test/harness/workflow');
const { FakeN8nDataTables } = require(
	path.join(root, 'test/fakes/n8n-data-tables/server.ts'),
) as typeof import('../test/fakes/n8n-data-tables/server');
const { FakeEspoCrm } = require(
	path.join(root, 'test/fakes/espocrm/server.ts'),
) as typeof import('../test/fakes/espocrm/server');
const { FakeBitrix24 } = require(
	path.join(root, 'test/fakes/bitrix24/server.ts'),
) as typeof import('../test/fakes/bitrix24/server');
const { Bitrix24Backend } = require(
	path.join(root, 'nodes/CrmMatch/transport/bitrix24/backend.ts'),
) as typeof import('../nodes/CrmMatch/transport/bitrix24/backend');
const { setPortalLimits } = require(
	path.join(root, 'nodes/CrmMatch/transport/bitrix24/client.ts'),
) as typeof import('../nodes/CrmMatch/transport/bitrix24/client');
const { FakeAmoCrm } = require(
	path.join(root, 'test/fakes/amocrm/server.ts'),
) as typeof import('../test/fakes/amocrm/server');
const { AmoCrmBackend } = require(
	path.join(root, 'nodes/CrmMatch/transport/amocrm/backend.ts'),
) as typeof import('../nodes/CrmMatch/transport/amocrm/backend');
const { setAccountLimits } = require(
	path.join(root, 'nodes/CrmMatch/transport/amocrm/client.ts'),
) as typeof import('../nodes/CrmMatch/transport/amocrm/client');
const { DataTablesBackend } = require(
	path.join(root, 'nodes/CrmMatch/transport/dataTables/backend.ts'),
) as typeof import('../nodes/CrmMatch/transport/dataTables/backend');
const { TABLES, TABLE_KEYS } = require(
	path.join(root, 'nodes/CrmMatch/transport/dataTables/schema.ts'),
) as typeof import('../nodes/CrmMatch/transport/dataTables/schema');
const { EspoCrmBackend } = require(
	path.join(root, 'nodes/CrmMatch/transport/espocrm/backend.ts'),
) as typeof import('../nodes/CrmMatch/transport/espocrm/backend');
const { emailFromItem } = require(
	path.join(root, 'nodes/CrmMatch/email.ts'),
) as typeof import('../nodes/CrmMatch/email');
const { matchEmails } = require(
	path.join(root, 'nodes/CrmMatch/matchItems.ts'),
) as typeof import('../nodes/CrmMatch/matchItems');
type Http = import('../nodes/CrmMatch/transport/types').Http;
type Backend = import('../nodes/CrmMatch/transport/types').CrmBackend;

const EMAILS = 1000;
const CONTACTS = 10_000;
const COMPANIES = 1000;
const NAIVE_EMAILS = Number(process.env.CRM_MATCH_NAIVE_EMAILS ?? 100);

let seed = 1;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = (n: number) => 1 + Math.floor(rnd() * n);
const companyOf = (i: number) => (i % COMPANIES) + 1;
const contactAddress = (i: number) => `p${i}@co${companyOf(i)}.com`;
const address = () =>
	rnd() < 0.9
		? contactAddress(pick(CONTACTS))
		: `new${Math.floor(rnd() * 1e6)}@co${pick(COMPANIES)}.com`;
const items = Array.from({ length: EMAILS }, (_, i) => ({
	json: {
		from: address(),
		to: `me@own.com, ${address()}`,
		cc: address(),
		subject: `s${i}`,
		messageId: `<${i}@bench>`,
		direction: 'incoming',
	},
}));
const emails = items.map((it) => emailFromItem(it.json).email);
const opts = {
	ownAddresses: new Set(['me@own.com']),
	internalDomains: new Set<string>(),
	extraFreeMail: new Set<string>(),
};
const addressesOf = (list: typeof emails) =>
	list.reduce(
		(n, e) => n + [...e.from, ...e.to, ...e.cc].filter((a) => a.address !== 'me@own.com').length,
		0,
	);

function workflow(
	backend: string,
	credential: string,
): import('../test/harness/workflow').WorkflowJson {
	return {
		nodes: [
			{
				id: 's',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'c',
				name: 'CRM',
				type: 'n8n-nodes-crm-mail.crmMatch',
				typeVersion: 1,
				position: [200, 0],
				parameters: { backend, operation: 'match', options: { ownAddresses: 'me@own.com' } },
				credentials: { [credential]: { id: 'x', name: 'x' } },
			},
		],
		connections: { Start: { main: [[{ node: 'CRM', type: 'main', index: 0 }]] } },
	} as unknown as import('../test/harness/workflow').WorkflowJson;
}

function fetchHttp(base: string, headers: Record<string, string>): Http {
	return async (req) => {
		const url = new URL(`${base}/api/v1${req.path}`);
		for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
		const r = await fetch(url, {
			method: req.method,
			headers: { ...headers, ...(req.headers ?? {}), 'content-type': 'application/json' },
			body: req.body === undefined ? undefined : JSON.stringify(req.body),
		});
		const text = await r.text();
		return {
			status: r.status,
			body: text ? JSON.parse(text) : undefined,
			headers: Object.fromEntries(r.headers),
		};
	};
}

interface Fake {
	requests: unknown[];
	reset(): void;
	stop(): Promise<void>;
}

async function measure(
	label: string,
	fake: Fake,
	backend: string,
	credentials: Record<string, Record<string, string>>,
	naive: () => Backend,
) {
	const looked = addressesOf(emails);
	fake.reset();
	const t = Date.now();
	const run = await harness.runWorkflow(workflow(backend, Object.keys(credentials)[0]), {
		credentials,
		input: items,
	});
	const ms = Date.now() - t;
	if (run.data.resultData.error) throw run.data.resultData.error;
	const out = harness.outputOf(run, 'CRM');
	const matched = out.reduce(
		(n, o) =>
			n +
			(o.json.crm as { participants: Array<{ primary: unknown }> }).participants.filter(
				(p) => p.primary,
			).length,
		0,
	);
	const batched = fake.requests.length;
	const sample = emails.slice(0, NAIVE_EMAILS);
	fake.reset();
	const tn = Date.now();
	const b = naive();
	for (const e of sample)
		for (const p of [...e.from, ...e.to, ...e.cc])
			if (p.address !== 'me@own.com')
				await matchEmails(b, [{ ...e, from: [p], to: [], cc: [], replyTo: [] }], opts);
	const naiveMs = Date.now() - tn;
	const naiveRpa = fake.requests.length / addressesOf(sample);
	const rpa = batched / looked;
	console.log(
		`${label}: items=${out.length} addresses=${looked} matched=${matched} requests=${batched} requests_per_address=${rpa.toFixed(4)} ms=${ms} | naive: ${naiveRpa.toFixed(2)} requests/address (${addressesOf(sample)} addresses, ${naiveMs} ms) vs_naive=${(naiveRpa / rpa).toFixed(1)}`,
	);
	await fake.stop();
	return { rpa, ratio: naiveRpa / rpa, ms };
}

async function dataTables() {
	const fake = new FakeN8nDataTables('k');
	await fake.start();
	for (const k of TABLE_KEYS) fake.seed(`crm_${TABLES[k].suffix}`, TABLES[k].columns);
	const companies = fake.rowsOf('crm_companies');
	for (let c = 1; c <= COMPANIES; c++)
		companies.push({ id: c, name: `Co ${c}`, domain: `co${c}.com`, email: null });
	const contacts = fake.rowsOf('crm_contacts');
	for (let i = 1; i <= CONTACTS; i++)
		contacts.push({
			id: i,
			name: `P ${i}`,
			email: contactAddress(i),
			email_canonical: contactAddress(i),
			company_id: companyOf(i),
		});
	const deals = fake.rowsOf('crm_deals');
	for (let d = 1; d <= 500; d++)
		deals.push({
			id: d,
			name: `D ${d}`,
			stage: 'Proposal',
			status: 'open',
			contact_id: d * 20,
			company_id: companyOf(d * 20),
		});
	return await measure(
		'data-tables',
		fake,
		'dataTables',
		{ crmMailN8nApi: { baseUrl: fake.baseUrl, apiKey: 'k' } },
		() => new DataTablesBackend(fetchHttp(fake.baseUrl, { 'X-N8N-API-KEY': 'k' })),
	);
}

async function espoCrm() {
	const fake = new FakeEspoCrm();
	fake.addApiUser({ apiKey: 'k', userId: 'api' });
	await fake.start();
	const ids: string[] = [];
	for (let c = 1; c <= COMPANIES; c++)
		ids.push(fake.put('Account', { name: `Co ${c}`, website: `co${c}.com` }).id);
	const people: string[] = [];
	for (let i = 1; i <= CONTACTS; i++)
		people.push(
			fake.put('Contact', {
				lastName: `P ${i}`,
				emailAddress: contactAddress(i),
				accountId: ids[companyOf(i) - 1],
			}).id,
		);
	for (let d = 1; d <= 500; d++)
		fake.put('Opportunity', {
			name: `D ${d}`,
			stage: 'Proposal',
			amount: 1,
			closeDate: '2030-01-01',
			contactId: people[d * 20 - 1],
			accountId: ids[companyOf(d * 20) - 1],
		});
	return await measure(
		'espocrm',
		fake,
		'espoCrm',
		{ crmMailEspoCrmApi: { baseUrl: fake.baseUrl, authType: 'apiKey', apiKey: 'k' } },
		() => new EspoCrmBackend(fetchHttp(fake.baseUrl, { 'X-Api-Key': 'k' })),
	);
}

function bitrixHttp(webhook: string): Http {
	return async (req) => {
		const r = await fetch(`${webhook}${req.path}`, {
			method: req.method,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(req.body ?? {}),
		});
		const text = await r.text();
		return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: {} };
	};
}

async function bitrix24() {
	const fake = new FakeBitrix24();
	await fake.start();
	// Requests are counted, not paced: the bucket (50, 2 a second) would only stretch the naive anchor to
	// minutes. The pacer is tested in test/workflow/crm-match/bitrix24.test.ts.
	fake.limits = { burst: 1e9, perSecond: 1e9 };
	const portal = new URL(fake.baseUrl).host;
	setPortalLimits(portal, { burst: 1e9, perSecond: 1e9 });
	const webhook = fake.addWebhook({ code: 'bench' });
	const web = (v: string) => [{ VALUE: v, VALUE_TYPE: 'WORK', TYPE_ID: 'WEB' }];
	const mail = (v: string) => [{ VALUE: v, VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }];
	for (let c = 1; c <= COMPANIES; c++)
		fake.put('company', { TITLE: `Co ${c}`, WEB: web(`co${c}.com`) });
	for (let i = 1; i <= CONTACTS; i++)
		fake.put('contact', {
			NAME: `P ${i}`,
			EMAIL: mail(contactAddress(i)),
			COMPANY_ID: String(companyOf(i)),
		});
	for (let d = 1; d <= 500; d++)
		fake.put('deal', {
			TITLE: `D ${d}`,
			STAGE_ID: 'PREPARATION',
			CONTACT_ID: String(d * 20),
			COMPANY_ID: String(companyOf(d * 20)),
		});
	return await measure(
		'bitrix24',
		fake,
		'bitrix24',
		{ crmMailBitrix24Api: { webhookUrl: webhook } },
		() => new Bitrix24Backend(bitrixHttp(webhook.replace(/\/$/, '')), portal),
	);
}

function amoHttp(base: string, token: string): Http {
	return async (req) => {
		const r = await fetch(`${base}/api/v4${req.path}`, {
			method: req.method,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: req.body === undefined ? undefined : JSON.stringify(req.body),
		});
		const text = await r.text();
		return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: {} };
	};
}

async function amoCrm() {
	const fake = new FakeAmoCrm();
	await fake.start();
	// Requests are counted, not paced: at 7 a second the ~3,000 queries would take minutes. The pacer is
	// tested in test/workflow/crm-match/amocrm.test.ts.
	fake.perSecond = 1e9;
	const account = new URL(fake.baseUrl).host;
	setAccountLimits(account, { perSecond: 1e9 });
	const field = (code: string, value: string) => [{ field_code: code, values: [{ value }] }];
	const companies = Array.from(
		{ length: COMPANIES },
		(_, c) =>
			fake.put('companies', {
				name: `Co ${c + 1}`,
				custom_fields_values: field('WEB', `co${c + 1}.com`),
			}).id,
	);
	const people = Array.from(
		{ length: CONTACTS },
		(_, i) =>
			fake.put('contacts', {
				name: `P ${i + 1}`,
				custom_fields_values: field('EMAIL', contactAddress(i + 1)),
				company_id: companies[companyOf(i + 1) - 1],
			}).id,
	);
	for (let d = 1; d <= 500; d++)
		fake.put('leads', {
			name: `D ${d}`,
			status_id: 12,
			contacts: [people[d * 20 - 1]],
			company_id: companies[companyOf(d * 20) - 1],
		});
	return await measure(
		'amocrm',
		fake,
		'amoCrm',
		{ crmMailAmoCrmApi: { region: 'custom', baseUrl: fake.baseUrl, accessToken: 'token1' } },
		() => new AmoCrmBackend(amoHttp(fake.baseUrl, 'token1'), account),
	);
}

async function main() {
	const results = [await dataTables(), await espoCrm(), await bitrix24(), await amoCrm()];
	const worstRpa = Math.max(...results.map((r) => r.rpa));
	const worstRatio = Math.min(...results.map((r) => r.ratio));
	const ms = Math.max(...results.map((r) => r.ms));
	console.log(
		`crm-match: requests_per_address=${worstRpa.toFixed(4)} vs_naive=${worstRatio.toFixed(1)} ms=${ms} backends=datatables,espocrm,bitrix24,amocrm`,
	);
}
main().then(
	() => process.exit(0),
	(e) => {
		console.error(e);
		process.exit(1);
	},
);
