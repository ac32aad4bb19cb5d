// CRM Match & Create's Mark Undeliverable on EspoCRM, Bitrix24 and amoCRM, through real workflows against
// their fakes: what marking means in each CRM, a second run that changes nothing, unknown addresses.
import { FakeEspoCrm } from '../../fakes/espocrm/server';
import { FakeBitrix24 } from '../../fakes/bitrix24/server';
import { FakeAmoCrm, email as amoEmail } from '../../fakes/amocrm/server';
import { setPortalLimits } from '../../../nodes/CrmMatch/transport/bitrix24/client';
import { setAccountLimits } from '../../../nodes/CrmMatch/transport/amocrm/client';
import type { Credential } from './undeliverable-workflow';
import { bounce, complaint, crmOf, run } from './undeliverable-workflow';

describe('EspoCRM', () => {
	let fake: FakeEspoCrm;
	let cred: Credential;

	beforeEach(async () => {
		fake = new FakeEspoCrm();
		fake.addApiUser({ apiKey: 'key-1', userId: 'api1', name: 'API' });
		await fake.start();
		cred = ['crmMailEspoCrmApi', { baseUrl: fake.baseUrl, authType: 'apiKey', apiKey: 'key-1' }];
	});
	afterEach(async () => {
		expect(fake.errors).toEqual([]);
		await fake.stop();
	});

	test("a hard bounce sets the address's Invalid flag (shared by every record with it, a secondary address too), a complaint its Opted Out; a second run changes nothing", async () => {
		const ann = fake.put('Contact', {
			firstName: 'Ann',
			lastName: 'Lee',
			emailAddress: 'ann@acme.com',
			emailAddressData: [{ emailAddress: 'ann@acme.com' }, { emailAddress: 'old.ann@acme.com' }],
		});
		const lead = fake.put('Lead', { lastName: 'Lee', emailAddress: 'old.ann@acme.com' });
		const res = await run('espoCrm', cred, [bounce('old.ann@acme.com'), bounce('no@acme.com')]);
		const [gone, unknown] = crmOf(res);
		expect(gone).toMatchObject({ address: 'old.ann@acme.com', matched: true, changed: true });
		expect(gone.records).toEqual([
			{ entity: 'contact', id: ann.id, name: 'Ann Lee', backend: 'EspoCRM', changed: true },
			{ entity: 'lead', id: lead.id, name: 'Lee', backend: 'EspoCRM', changed: false },
		]);
		expect(unknown).toMatchObject({ matched: false, changed: false });
		expect(fake.emailAddresses.get('old.ann@acme.com')).toEqual({ optOut: false, invalid: true });
		// the contact keeps both addresses and its primary one; the lead shows the shared flag
		const contact = (await (
			await fetch(`${fake.baseUrl}/api/v1/Contact/${ann.id}`, {
				headers: { 'x-api-key': 'key-1' },
			})
		).json()) as any;
		expect(contact.emailAddress).toBe('ann@acme.com');
		expect(
			contact.emailAddressData.map((d: any) => [d.emailAddress, d.primary, d.invalid]),
		).toEqual([
			['ann@acme.com', true, false],
			['old.ann@acme.com', false, true],
		]);
		expect(fake.byId('Lead', lead.id)!.emailAddressIsInvalid).toBe(true);

		fake.reset();
		const again = crmOf(await run('espoCrm', cred, [bounce('old.ann@acme.com')]));
		expect(again[0]).toMatchObject({ changed: false });
		expect(fake.requests.filter((r) => r.method === 'PUT')).toEqual([]);

		const spam = crmOf(await run('espoCrm', cred, [complaint('old.ann@acme.com')]));
		expect(spam[0]).toMatchObject({ reason: 'spam complaint', changed: true });
		expect(fake.emailAddresses.get('old.ann@acme.com')).toEqual({ optOut: true, invalid: true });
	});
});

describe('Bitrix24', () => {
	let fake: FakeBitrix24;
	let cred: Credential;
	const email = (address: string) => [{ VALUE: address, VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }];

	beforeEach(async () => {
		fake = new FakeBitrix24();
		fake.limits = { burst: 10_000, perSecond: 10_000 };
		await fake.start();
		cred = ['crmMailBitrix24Api', { webhookUrl: fake.addWebhook({ code: 'secret1' }) }];
		setPortalLimits(new URL(fake.baseUrl).host, { burst: 10_000, perSecond: 10_000 });
	});
	afterEach(async () => {
		expect(fake.errors).toEqual([]);
		await fake.stop();
	});

	test('a hard bounce adds a timeline comment to every contact, lead and company with the address and sets the flag field; a second run adds nothing', async () => {
		const contact = fake.put('contact', { NAME: 'Ann', EMAIL: email('gone@client.org') });
		const lead = fake.put('lead', { TITLE: 'Old lead', EMAIL: email('Gone@client.org') });
		fake.put('contact', { NAME: 'Bob', EMAIL: email('bob@client.org') });
		const params = { undeliverableField: 'UF_CRM_UNDELIVERABLE' };
		const input = [bounce('gone@client.org'), bounce('nobody@client.org')];
		const [gone, unknown] = crmOf(await run('bitrix24', cred, input, params));
		expect(gone.records).toEqual([
			{ entity: 'contact', id: contact.ID, name: 'Ann', backend: 'Bitrix24', changed: true },
			{ entity: 'lead', id: lead.ID, name: 'Old lead', backend: 'Bitrix24', changed: true },
		]);
		expect(unknown).toMatchObject({ matched: false, changed: false, records: [] });
		expect(fake.timeline.comments.map((c) => [c.ENTITY_TYPE, c.ENTITY_ID])).toEqual([
			['contact', contact.ID],
			['lead', lead.ID],
		]);
		expect(fake.timeline.comments[0].COMMENT).toMatch(
			/gone@client\.org is undeliverable: hard bounce[\s\S]*\nUndeliverable address: gone@client\.org$/,
		);
		expect([contact.UF_CRM_UNDELIVERABLE, lead.UF_CRM_UNDELIVERABLE]).toEqual(['Y', 'Y']);
		expect(fake.list('contact')[1].UF_CRM_UNDELIVERABLE).toBeUndefined();

		const again = crmOf(await run('bitrix24', cred, [complaint('gone@client.org')], params));
		expect(again[0]).toMatchObject({ matched: true, changed: false });
		expect(fake.timeline.comments).toHaveLength(2);
	});
});

describe('amoCRM', () => {
	let fake: FakeAmoCrm;
	let cred: Credential;

	beforeEach(async () => {
		fake = new FakeAmoCrm();
		fake.perSecond = 10_000;
		await fake.start();
		cred = ['crmMailAmoCrmApi', { region: 'custom', baseUrl: fake.baseUrl, accessToken: 'token1' }];
		setAccountLimits(new URL(fake.baseUrl).host, { perSecond: 10_000 });
	});
	afterEach(async () => {
		expect(fake.errors).toEqual([]);
		await fake.stop();
	});

	test('a complaint tags the contact "undeliverable" (its other tags kept) and notes why; a second run changes nothing', async () => {
		const ann = fake.put('contacts', {
			name: 'Ann',
			custom_fields_values: amoEmail('ann@client.org'),
			tags: ['vip'],
		});
		const input = [complaint('ann@client.org'), complaint('nobody@client.org')];
		const [ann1, unknown] = crmOf(await run('amoCrm', cred, input));
		expect(ann1).toMatchObject({ reason: 'spam complaint', matched: true, changed: true });
		expect(ann1.records).toEqual([
			{ entity: 'contact', id: String(ann.id), name: 'Ann', backend: 'amoCRM', changed: true },
		]);
		expect(unknown).toMatchObject({ matched: false, changed: false });
		expect(ann.tags).toEqual(['vip', 'undeliverable']);
		const notes = fake.notes.filter((n) => n.entity_id === ann.id);
		expect(notes.map((n) => n.note_type)).toEqual(['common']);
		expect(notes[0].params.text).toMatch(
			/ann@client\.org is undeliverable: spam complaint \(2026-03-01T10:00:00\.000Z\)/,
		);

		fake.reset();
		const again = crmOf(await run('amoCrm', cred, [bounce('ann@client.org')]));
		expect(again[0]).toMatchObject({ matched: true, changed: false });
		expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
		expect(fake.notes).toHaveLength(1);
	});
});
