// 1,000 emails x 3 participants against 10,000 contacts on the fake n8n Data Tables API: requests and wall
// time of the node's batched lookup (engine.matchEmails, one lookup for all items) vs a naive path that
// looks every address up on its own, measured in the same run. (EspoCRM backend: not implemented yet.)
import { DataTablesBackend } from '../nodes/CrmMatch/backends/data-tables/backend';
import { TABLES, TABLE_KEYS } from '../nodes/CrmMatch/backends/data-tables/schema';
import type { Http } from '../nodes/CrmMatch/backends/types';
import { emailFromItem } from '../nodes/CrmMatch/email';
import { matchEmails } from '../nodes/CrmMatch/engine';
import { FakeN8nDataTables } from '../test/fakes/n8n-data-tables/server';

async function main() {
	const fake = new FakeN8nDataTables('k');
	await fake.start();
	for (const k of TABLE_KEYS) fake.seed(`crm_${TABLES[k].suffix}`, TABLES[k].columns);
	const companies = fake.rowsOf('crm_companies');
	for (let c = 1; c <= 1000; c++) companies.push({ id: c, name: `Co ${c}`, domain: `co${c}.com`, email: null });
	const contacts = fake.rowsOf('crm_contacts');
	for (let i = 1; i <= 10_000; i++) contacts.push({ id: i, name: `P ${i}`, email: `p${i}@co${(i % 1000) + 1}.com`, email_canonical: `p${i}@co${(i % 1000) + 1}.com`, company_id: (i % 1000) + 1 });
	const http: Http = async (req) => {
		const url = new URL(`${fake.baseUrl}/api/v1${req.path}`);
		for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
		const r = await fetch(url, { method: req.method, headers: { 'X-N8N-API-KEY': 'k', 'content-type': 'application/json' }, body: req.body === undefined ? undefined : JSON.stringify(req.body) });
		const text = await r.text();
		return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: {} };
	};
	let seed = 1;
	const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
	const addr = () => (rnd() < 0.9 ? `p${1 + Math.floor(rnd() * 10_000)}` : `new${Math.floor(rnd() * 1e6)}`) + `@co${1 + Math.floor(rnd() * 1000)}.com`;
	const emails = Array.from({ length: 1000 }, (_, i) => emailFromItem({ from: addr(), to: `me@own.com, ${addr()}`, cc: addr(), subject: `s${i}`, messageId: `<${i}@b>`, direction: 'incoming' }).email);
	const opts = { ownAddresses: new Set(['me@own.com']), internalDomains: new Set<string>(), extraFreeMail: new Set<string>() };
	const looked = emails.reduce((n, e) => n + e.from.length + e.cc.length + e.to.length - 1, 0);

	fake.reset();
	let t = Date.now();
	await matchEmails(new DataTablesBackend(http), emails, opts);
	const batchedMs = Date.now() - t;
	const batched = fake.requests.length;

	fake.reset();
	t = Date.now();
	const naiveBackend = new DataTablesBackend(http);
	for (const e of emails) for (const p of [...e.from, ...e.to, ...e.cc]) if (p.address !== 'me@own.com') await matchEmails(naiveBackend, [{ ...e, from: [p], to: [], cc: [], replyTo: [] }], opts);
	const naiveMs = Date.now() - t;
	const naive = fake.requests.length;
	await fake.stop();
	const rpa = batched / looked;
	console.log(`data-tables: addresses=${looked} batched_requests=${batched} (${batchedMs} ms) naive_requests=${naive} (${naiveMs} ms)`);
	console.log(`crm-match: requests_per_address=${rpa.toFixed(4)} vs_naive=${(naive / batched).toFixed(1)} ms=${batchedMs}`);
}
void main();
