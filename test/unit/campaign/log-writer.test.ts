// The campaign log writer and the suppression list as plain modules, against the fake of n8n's public Data
// Tables API over real HTTP: batches (never one POST per row), repeats of a failure that may pass, failures
// reported to every waiting row, a table deleted in n8n re-created.
import type { Http } from '../../../nodes/CrmMatch/transport/types';
import { CampaignLogWriter } from '../../../nodes/shared/campaign/log';
import { SuppressionList } from '../../../nodes/shared/campaign/suppression';
import { CampaignTables } from '../../../nodes/shared/campaign/tables';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';

let fake: FakeN8nDataTables;
let tables: CampaignTables;

/** What the node's glue does through n8n's request helper, with fetch. */
const httpTo =
	(base: string, apiKey: string): Http =>
	async (req) => {
		const url = new URL(`${base}/api/v1${req.path}`);
		for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
		const res = await fetch(url, {
			method: req.method,
			headers: { 'x-n8n-api-key': apiKey, 'content-type': 'application/json' },
			body: req.body === undefined ? undefined : JSON.stringify(req.body),
		});
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: {} };
	};

beforeEach(async () => {
	fake = new FakeN8nDataTables('k');
	await fake.start();
	tables = new CampaignTables(httpTo(fake.baseUrl, 'k'), fake.baseUrl);
});
afterEach(async () => {
	expect(fake.errors).toEqual([]);
	await fake.stop();
});
const posts = () =>
	fake.requests.filter((r) => r.method === 'POST' && /\/rows$/.test(r.path)).length;

test('1,200 "sent" rows are three POSTs; rows written one by one within the delay share one POST', async () => {
	const writer = new CampaignLogWriter(tables, { maxBatch: 500, delayMs: 50 });
	await writer.writeAll(
		Array.from({ length: 1200 }, (_, n) => ({
			campaign: 'spring',
			event: 'sent' as const,
			recipient: `R${n}@Example.com`,
			messageId: `<${n}@x>`,
		})),
	);
	expect(posts()).toBe(3);
	expect(fake.rowsOf('crm_campaign_log')).toHaveLength(1200);
	expect(fake.rowsOf('crm_campaign_log')[0]).toMatchObject({
		campaign: 'spring',
		event: 'sent',
		recipient: 'r0@example.com',
		message_id: '<0@x>',
		event_at: expect.stringMatching(/^\d{4}-/),
	});
	await Promise.all(
		['a', 'b', 'c'].map((r) => writer.write({ campaign: 'spring', event: 'opened', recipient: r })),
	);
	expect(posts()).toBe(4);
});

test('a 503 is repeated and the batch stored once; a refusal rejects every waiting row with what to do', async () => {
	const writer = new CampaignLogWriter(tables, { delayMs: 10, wait: async () => undefined });
	await tables.id('campaignLog');
	fake.failNext(1, 503, { message: 'busy' });
	await writer.write({ campaign: 'c', event: 'opened', recipient: 'a@x' });
	expect(fake.rowsOf('crm_campaign_log')).toHaveLength(1);

	fake.failNext(1, 400, { message: 'unknown column name' });
	const both = await Promise.allSettled([
		writer.write({ campaign: 'c', event: 'opened', recipient: 'b@x' }),
		writer.write({ campaign: 'c', event: 'opened', recipient: 'c@x' }),
	]);
	expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
	expect((both[0] as PromiseRejectedResult).reason.message).toMatch(
		/could not insert rows \(400\)/,
	);
	expect(fake.rowsOf('crm_campaign_log')).toHaveLength(1);
});

test('a suppression table deleted in n8n since it was cached is created again', async () => {
	const list = new SuppressionList(tables);
	await list.add([{ email: 'a@x.com', reason: 'manual' }]);
	const id = [...fake.tables.values()].find((t) => t.name === 'crm_suppression')!.id;
	fake.tables.delete(id);
	expect((await list.lookup(['a@x.com'])).size).toBe(0);
	await list.add([{ email: 'b@x.com', reason: 'complaint' }]);
	expect(fake.rowsOf('crm_suppression').map((r) => r.email)).toEqual(['b@x.com']);
});
