// CRM Match & Create's Mark Undeliverable on n8n Data Tables, through real workflows against the fake of
// n8n's public Data Tables API: bounce and complaint events in, the row marked, a second run that changes
// nothing and says so, unknown addresses and soft bounces passed on unmarked, tables made before the columns.
import { outputOf } from '../../harness/workflow';
import { FakeN8nDataTables } from '../../fakes/n8n-data-tables/server';
import { TABLES } from '../../../nodes/CrmMatch/transport/dataTables/schema';
import type { Credential, Input } from './undeliverable-workflow';
import { bounce, complaint, crmOf, run } from './undeliverable-workflow';

describe('n8n Data Tables', () => {
	let fake: FakeN8nDataTables;
	let cred: Credential;
	const mark = (input: Input, parameters = {}, extra = {}) =>
		run('dataTables', cred, input, parameters, extra);

	beforeEach(async () => {
		fake = new FakeN8nDataTables('key-1');
		await fake.start();
		cred = ['crmMailN8nApi', { baseUrl: fake.baseUrl, apiKey: 'key-1' }];
	});
	afterEach(async () => {
		expect(fake.errors).toEqual([]);
		await fake.stop();
	});

	test('a hard bounce marks every contact, lead and company with the address; a second run changes nothing and says so; a soft bounce and an unknown address pass unmarked', async () => {
		await run('dataTables', cred, [{ json: {} }], { operation: 'setupTables' });
		fake.rowsOf('crm_contacts').push({ id: 1, name: 'Gone', email: 'gone@client.org' });
		fake.rowsOf('crm_contacts').push({ id: 2, name: 'Ann', email: 'ann@client.org' });
		fake.rowsOf('crm_leads').push({ id: 1, name: 'Old lead', email: 'gone@client.org' });
		fake.rowsOf('crm_companies').push({ id: 1, name: 'Client', email: 'gone@client.org' });
		const input = [
			bounce('Gone@Client.org'),
			bounce('ann@client.org', 'soft'),
			bounce('nobody@nowhere.org'),
		];
		const first = await mark(input);
		const [gone, soft, unknown] = crmOf(first);
		expect(gone).toEqual({
			address: 'gone@client.org',
			reason: 'hard bounce',
			matched: true,
			changed: true,
			records: [
				{ entity: 'contact', id: '1', name: 'Gone', backend: 'n8n Data Tables', changed: true },
				{ entity: 'lead', id: '1', name: 'Old lead', backend: 'n8n Data Tables', changed: true },
				{ entity: 'company', id: '1', name: 'Client', backend: 'n8n Data Tables', changed: true },
			],
			message: 'Marked gone@client.org undeliverable (hard bounce) on 3 of 3 record(s)',
		});
		expect(soft).toMatchObject({ address: 'ann@client.org', changed: false, records: [] });
		expect(soft.message).toMatch(/soft bounce: the address exists, so it is not marked/);
		expect(unknown).toMatchObject({ matched: false, changed: false, records: [] });
		expect(unknown.message).toMatch(/No record in n8n Data Tables has the address nobody@nowhere/);
		// the items keep what came in, each paired with its input item
		expect(outputOf(first, 'CRM').map((i) => [i.json.event, i.pairedItem])).toEqual([
			['bounce', { item: 0 }],
			['bounce', { item: 1 }],
			['bounce', { item: 2 }],
		]);
		const marked = fake.rowsOf('crm_contacts')[0];
		expect(marked).toMatchObject({ undeliverable: true, undeliverable_reason: 'hard bounce' });
		expect(Date.parse(String(marked.undeliverable_at))).toBeGreaterThan(Date.now() - 60_000);
		expect(fake.rowsOf('crm_leads')[0].undeliverable).toBe(true);
		expect(fake.rowsOf('crm_contacts')[1].undeliverable).toBeUndefined();

		fake.reset();
		const again = crmOf(await mark([bounce('gone@client.org'), complaint('gone@client.org')]));
		for (const item of again) {
			expect(item).toMatchObject({ matched: true, changed: false });
			expect(item.records.map((r: any) => r.changed)).toEqual([false, false, false]);
			expect(item.message).toBe(
				'gone@client.org was already marked undeliverable on every record: nothing changed',
			);
		}
		expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
		expect(fake.rowsOf('crm_contacts')[0]).toMatchObject({
			undeliverable_reason: 'hard bounce',
			undeliverable_at: marked.undeliverable_at,
		});
	});

	test('the same address twice in one run: the first item marks it, the second says it changed nothing', async () => {
		await run('dataTables', cred, [{ json: {} }], { operation: 'setupTables' });
		fake.rowsOf('crm_contacts').push({ id: 1, name: 'Gone', email: 'gone@client.org' });
		const [a, b] = crmOf(await mark([bounce('gone@client.org'), complaint('gone@client.org')]));
		expect([a.changed, b.changed]).toEqual([true, false]);
		expect([a.reason, b.reason]).toEqual(['hard bounce', 'spam complaint']);
		expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
	});

	test('tables made before Mark Undeliverable: the other operations still run; marking names the columns to add and how', async () => {
		for (const key of Object.keys(TABLES) as Array<keyof typeof TABLES>)
			fake.seed(
				`crm_${TABLES[key].suffix}`,
				TABLES[key].columns.filter((c) => !c.optional),
			);
		fake.rowsOf('crm_contacts').push({ id: 1, name: 'Gone', email: 'gone@client.org' });
		const match = await run(
			'dataTables',
			cred,
			[{ json: { from: 'gone@client.org', to: 'sales@mycompany.com', subject: 'Hi' } }],
			{ operation: 'match' },
		);
		expect(match.data.resultData.error).toBeUndefined();
		const res = await mark([bounce('gone@client.org')]);
		expect(res.data.resultData.error?.message).toMatch(
			/lack the columns Mark Undeliverable writes: crm_contacts \(undeliverable, undeliverable_reason, undeliverable_at\)/,
		);
		expect(res.data.resultData.error?.description).toMatch(
			/Run the "Set Up Tables" operation: on n8n 2\.41 and newer it adds them.*undeliverable \(type boolean\)/,
		);
	});

	test('n8n 2.41+: Set Up Tables adds the undeliverable columns to older tables, then marking works', async () => {
		await fake.stop();
		fake = new FakeN8nDataTables('key-1', '2.41');
		await fake.start();
		cred = ['crmMailN8nApi', { baseUrl: fake.baseUrl, apiKey: 'key-1' }];
		for (const key of Object.keys(TABLES) as Array<keyof typeof TABLES>)
			fake.seed(
				`crm_${TABLES[key].suffix}`,
				TABLES[key].columns.filter((c) => !c.optional),
			);
		const setup = await run('dataTables', cred, [{ json: {} }], { operation: 'setupTables' });
		expect(outputOf(setup, 'CRM')[0].json.columnsAdded).toEqual(
			['contacts', 'companies', 'leads'].flatMap((t) =>
				['undeliverable', 'undeliverable_reason', 'undeliverable_at'].map((c) => `crm_${t}.${c}`),
			),
		);
		const column = (table: string) =>
			[...fake.tables.values()]
				.find((t) => t.name === table)!
				.columns.find((c) => c.name === 'undeliverable')?.type;
		expect(column('crm_leads')).toBe('boolean');
		fake.rowsOf('crm_leads').push({ id: 1, name: 'Lead', email: 'gone@client.org' });
		const [marked] = crmOf(await mark([bounce('gone@client.org')]));
		expect(marked).toMatchObject({ changed: true, records: [{ entity: 'lead', id: '1' }] });
		expect(fake.rowsOf('crm_leads')[0].undeliverable).toBe(true);
	});

	test('Continue On Fail: an item without an address, or no event while the reason is to come from it, fails alone; a Manual reason marks any address', async () => {
		await run('dataTables', cred, [{ json: {} }], { operation: 'setupTables' });
		fake.rowsOf('crm_contacts').push({ id: 1, name: 'Ann', email: 'ann@client.org' });
		const res = await mark(
			[{ json: {} }, { json: { recipient: 'ann@client.org', subject: 'Hi' } }, bounce('x@y.org')],
			{},
			{ continueOnFail: true },
		);
		const out = outputOf(res, 'CRM');
		expect(out.map((i) => i.json.error ?? 'ok')).toEqual([
			'The item has no address to mark',
			'The item is no bounce or complaint event, so the reason cannot come from it',
			'ok',
		]);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const manual = crmOf(
			await mark([{ json: { who: 'Ann <ANN@client.org>' } }], {
				undeliverableAddress: '={{ $json.who }}',
				undeliverableReason: 'manual',
			}),
		);
		expect(manual[0]).toMatchObject({ address: 'ann@client.org', changed: true });
		expect(fake.rowsOf('crm_contacts')[0].undeliverable_reason).toBe('marked by hand');
	});
});
