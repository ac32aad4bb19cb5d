// The three creation rules and the automated-mail guard.
import type { EmailInput } from '../../../nodes/CrmMatch/email';
import { emailFromItem } from '../../../nodes/CrmMatch/email';
import type { AddressMatch, MatchEntry } from '../../../nodes/CrmMatch/match';
import type { RulesConfig } from '../../../nodes/CrmMatch/rules';
import {
	OWNER_MATCHED,
	OWNER_SENDER,
	automatedReason,
	planCreations,
} from '../../../nodes/CrmMatch/rules';

const rules = (over: Partial<RulesConfig> = {}): RulesConfig => ({
	incomingUnknown: { enabled: true, entity: 'lead', source: 'Email', owner: '' },
	outgoingUnknown: { enabled: true, entity: 'contact', source: '', owner: '' },
	incomingKnown: { enabled: true, entity: 'deal', source: 'Email', owner: '' },
	dealStage: 'Prospecting',
	dealAmount: 0,
	...over,
});
const email = (json: Record<string, unknown>): EmailInput =>
	emailFromItem({ subject: 'Quote please', messageId: '<m@x>', ...json }).email;
const unknown = (
	address: string,
	name = '',
	roles: AddressMatch['roles'] = ['from'],
): AddressMatch => ({
	address,
	name,
	roles,
	matches: [],
	primary: null,
	ambiguous: false,
	possibleDuplicates: [],
});
const known = (
	address: string,
	primary: Partial<MatchEntry>,
	roles: AddressMatch['roles'] = ['from'],
): AddressMatch => {
	const p: MatchEntry = {
		type: 'contact',
		id: '1',
		name: 'C',
		matchType: 'exact',
		company: null,
		openDeals: [],
		...primary,
	};
	return {
		address,
		name: 'Known',
		roles,
		matches: [p],
		primary: p,
		ambiguous: false,
		possibleDuplicates: [],
	};
};

test('incoming from an unknown address -> a lead named after the subject with the sender name and address', () => {
	const plan = planCreations(
		email({ from: 'Jane Doe <jane@p.io>', direction: 'incoming' }),
		[unknown('jane@p.io', 'Jane Doe')],
		rules(),
	);
	expect(plan.creations).toEqual([
		expect.objectContaining({
			rule: 'incomingUnknown',
			entity: 'lead',
			dedupeKey: 'lead:jane@p.io',
			address: 'jane@p.io',
			input: expect.objectContaining({
				name: 'Quote please (Jane Doe)',
				firstName: 'Jane',
				lastName: 'Doe',
				email: 'jane@p.io',
				source: 'Email',
			}),
		}),
	]);
});

test('the incoming-unknown rule can be switched off or retargeted with a fixed responsible', () => {
	expect(
		planCreations(
			email({ from: 'a@p.io' }),
			[unknown('a@p.io')],
			rules({ incomingUnknown: { enabled: false, entity: 'lead', source: '', owner: '' } }),
		).creations,
	).toEqual([]);
	const plan = planCreations(
		email({ from: 'a@p.io' }),
		[unknown('a@p.io')],
		rules({
			incomingUnknown: { enabled: true, entity: 'contact', source: 'Web Site', owner: 'u1' },
		}),
	);
	expect(plan.creations[0]).toMatchObject({
		entity: 'contact',
		dedupeKey: 'contact:a@p.io',
		input: { ownerId: 'u1', source: 'Web Site', email: 'a@p.io' },
	});
});

test('outgoing to unknown To / Cc -> one contact each, responsible "the sender" resolved later from the sender address', () => {
	const plan = planCreations(
		email({
			from: 'me@mine.com',
			to: 'Carl C <carl@c.org>',
			cc: 'dora@d.org',
			direction: 'outgoing',
		}),
		[
			unknown('carl@c.org', 'Carl C', ['to']),
			unknown('dora@d.org', '', ['cc']),
			known('old@d.org', {}, ['to']),
		],
		rules({
			outgoingUnknown: { enabled: true, entity: 'contact', source: '', owner: OWNER_SENDER },
		}),
	);
	expect(plan.creations.map((c) => [c.rule, c.entity, c.address, c.ownerFromSender])).toEqual([
		['outgoingUnknown', 'contact', 'carl@c.org', 'me@mine.com'],
		['outgoingUnknown', 'contact', 'dora@d.org', 'me@mine.com'],
	]);
	expect(plan.creations[0].input).toMatchObject({
		firstName: 'Carl',
		lastName: 'C',
		email: 'carl@c.org',
	});
});

test('incoming from a known contact without open deal -> one deal for that contact (and its company), owner of the matched record', () => {
	const from = known('k@k.com', {
		id: '5',
		ownerId: 'u9',
		company: { type: 'company', id: '8', name: 'K' },
	});
	const plan = planCreations(
		email({ from: 'k@k.com' }),
		[from],
		rules({
			dealStage: 'Qualification',
			dealAmount: 100,
			incomingKnown: { enabled: true, entity: 'deal', source: 'Email', owner: OWNER_MATCHED },
		}),
	);
	expect(plan.creations).toEqual([
		expect.objectContaining({
			rule: 'incomingKnown',
			entity: 'deal',
			dedupeKey: 'deal:contact:5',
			input: expect.objectContaining({
				name: 'Quote please',
				contactId: '5',
				companyId: '8',
				stage: 'Qualification',
				amount: 100,
				ownerId: 'u9',
			}),
		}),
	]);
	// Known with an open deal already, or matched only as a lead: nothing.
	expect(
		planCreations(
			email({ from: 'k@k.com' }),
			[known('k@k.com', { openDeals: [{ type: 'deal', id: '2', name: 'D' }] })],
			rules(),
		).creations,
	).toEqual([]);
	expect(
		planCreations(email({ from: 'k@k.com' }), [known('k@k.com', { type: 'lead' })], rules())
			.creations,
	).toEqual([]);
	// A known company (by domain) gets a company-keyed deal.
	const co = planCreations(
		email({ from: 'x@k.com' }),
		[known('x@k.com', { type: 'company', id: '8', matchType: 'domain' })],
		rules(),
	);
	expect(co.creations[0]).toMatchObject({ dedupeKey: 'deal:company:8', input: { companyId: '8' } });
});

test('never creates for a known address with the unknown rules', () => {
	expect(
		planCreations(
			email({ from: 'k@k.com' }),
			[known('k@k.com', { openDeals: [{ type: 'deal', id: '1', name: 'x' }] })],
			rules(),
		).creations,
	).toEqual([]);
	expect(
		planCreations(
			email({ from: 'me@mine.com', to: 'k@k.com', direction: 'outgoing' }),
			[known('k@k.com', {}, ['to'])],
			rules(),
		).creations,
	).toEqual([]);
});

test('automated mail creates nothing and says why', () => {
	const cases: Array<[Record<string, unknown>, RegExp]> = [
		[{ from: 'noreply@shop.com' }, /no-reply/],
		[{ from: 'mailer-daemon@mx.com' }, /no-reply/],
		[{ from: 'a@b.com', headers: { 'Auto-Submitted': 'auto-generated' } }, /Auto-Submitted/],
		[{ from: 'a@b.com', headers: { Precedence: 'bulk' } }, /Precedence: bulk/],
		[{ from: 'a@b.com', headers: { 'List-Id': '<x>' } }, /List-Id/],
		[{ from: 'a@b.com', headers: { 'List-Unsubscribe': '<mailto:u@b.com>' } }, /List-Unsubscribe/],
		[{ from: 'a@b.com', headers: { 'X-Autoreply': 'yes' } }, /auto-reply/],
		[{ to: 'a@b.com' }, /no sender/],
	];
	for (const [json, reason] of cases) {
		const e = email(json);
		expect(automatedReason(e)).toMatch(reason);
		const plan = planCreations(e, [unknown(e.from[0]?.address ?? 'a@b.com')], rules());
		expect(plan.creations).toEqual([]);
		expect(plan.skipped).toMatch(reason);
	}
	expect(
		automatedReason(email({ from: 'a@b.com', headers: { 'Auto-Submitted': 'no' } })),
	).toBeUndefined();
	// Outgoing mail from a no-reply address of our own is not "automated incoming".
	expect(
		automatedReason(email({ from: 'noreply@mine.com', direction: 'outgoing' })),
	).toBeUndefined();
});

test('incoming whose sender is an own address / internal domain: nothing, with a reason', () => {
	const plan = planCreations(
		email({ from: 'me@mine.com', to: 'x@y.com' }),
		[unknown('x@y.com', '', ['to'])],
		rules(),
	);
	expect(plan.creations).toEqual([]);
	expect(plan.skipped).toMatch(/own addresses/);
});
