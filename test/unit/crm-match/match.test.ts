// Participants and matching: own addresses / internal domains excluded, free-mail domains never match a
// company, deterministic primary, ambiguity, possible duplicates, link targets.
import type { CrmRecord, LookupResult } from '../../../nodes/CrmMatch/transport/types';
import { emptyLookup, pushTo } from '../../../nodes/CrmMatch/transport/types';
import { emailFromItem } from '../../../nodes/CrmMatch/email';
import {
	linkTargets,
	lookupRequest,
	matchParticipant,
	participants,
} from '../../../nodes/CrmMatch/match';
import type { MatchOptions } from '../../../nodes/CrmMatch/match';

const opts = (o: Partial<Record<keyof MatchOptions, string[]>> = {}): MatchOptions => ({
	ownAddresses: new Set(o.ownAddresses ?? ['me@mine.com']),
	internalDomains: new Set(o.internalDomains ?? ['mine.com']),
	extraFreeMail: new Set(o.extraFreeMail ?? []),
});
const rec = (type: CrmRecord['type'], id: string, extra: Partial<CrmRecord> = {}): CrmRecord => ({
	type,
	id,
	name: `${type} ${id}`,
	raw: {},
	...extra,
});
const email = (json: Record<string, unknown>) => emailFromItem(json).email;

test('participants: from, reply-to, to, cc merged per address with their roles; own addresses and internal domains left out', () => {
	const list = participants(
		email({
			from: 'A <a@x.com>',
			replyTo: 'a@x.com',
			to: 'me@mine.com, colleague@mine.com, b@y.com',
			cc: 'B <b@y.com>, alias@own.org',
		}),
		opts({ ownAddresses: ['me@mine.com', 'alias@own.org'] }),
	);
	expect(list).toEqual([
		{ address: 'a@x.com', name: 'A', roles: ['from', 'replyTo'] },
		{ address: 'b@y.com', name: 'B', roles: ['to', 'cc'] },
	]);
});

test('lookupRequest: one sorted, de-duplicated request for all emails; no free-mail domains; canonical forms only where they can differ', () => {
	const all = [
		email({ from: 'b@acme.com', to: 'j.doe+x@gmail.com' }),
		email({ from: 'a@acme.com', to: 'c@yahoo.com, d@mycorp.org' }),
	].map((e) => participants(e, opts()));
	const req = lookupRequest(all, opts({ extraFreeMail: ['mycorp.org'] }));
	expect(req.addresses).toEqual([
		'a@acme.com',
		'b@acme.com',
		'c@yahoo.com',
		'd@mycorp.org',
		'j.doe+x@gmail.com',
	]);
	expect(req.domains).toEqual(['acme.com']);
	expect(req.canonical).toEqual(expect.arrayContaining(['jdoe@gmail.com', 'c@yahoo.com']));
	expect(req.canonical).not.toContain('a@acme.com');
});

function lookupWith(f: (l: LookupResult) => void): LookupResult {
	const l = emptyLookup();
	f(l);
	return l;
}

test('primary is deterministic: contact with open deal > contact > company by address > lead > contact company > domain company; ties by id', () => {
	const co = rec('company', '7', { domain: 'acme.com' });
	const lookup = lookupWith((l) => {
		pushTo(l.byAddress, 'a@acme.com', rec('lead', '1'));
		pushTo(l.byAddress, 'a@acme.com', rec('contact', '9', { companyId: '7' }));
		pushTo(l.byAddress, 'a@acme.com', rec('contact', '3'));
		l.companiesById.set('7', co);
		pushTo(l.companiesByDomain, 'acme.com', co);
	});
	const p = { address: 'a@acme.com', name: '', roles: ['from' as const] };
	const m = matchParticipant(p, lookup, opts());
	expect(m.matches.map((x) => `${x.type}:${x.id}:${x.matchType}`)).toEqual([
		'contact:3:exact',
		'contact:9:exact',
		'lead:1:exact',
		'company:7:contactCompany',
	]);
	expect(m.primary).toMatchObject({ type: 'contact', id: '3' });
	expect(m.ambiguous).toBe(true);
	// Same result whatever order the backend answered in.
	const reversed = lookupWith((l) => {
		for (const r of [...lookup.byAddress.get('a@acme.com')!].reverse())
			pushTo(l.byAddress, 'a@acme.com', r);
		l.companiesById.set('7', co);
		pushTo(l.companiesByDomain, 'acme.com', co);
	});
	expect(matchParticipant(p, reversed, opts()).matches.map((x) => x.id)).toEqual([
		'3',
		'9',
		'1',
		'7',
	]);
	// An open deal makes its contact the primary.
	const withDeal = lookupWith((l) => {
		for (const r of lookup.byAddress.get('a@acme.com')!) pushTo(l.byAddress, 'a@acme.com', r);
		l.companiesById.set('7', co);
		pushTo(l.openDealsByContact, '9', rec('deal', '5', { stage: 'Proposal', open: true }));
	});
	const dealt = matchParticipant(p, withDeal, opts());
	expect(dealt.primary).toMatchObject({
		id: '9',
		company: { id: '7' },
		openDeals: [{ id: '5', stage: 'Proposal' }],
	});
	expect(linkTargets([dealt]).map((t) => `${t.type}:${t.id}`)).toEqual([
		'contact:9',
		'company:7',
		'deal:5',
	]);
});

test('one record per address is not ambiguous; unknown addresses have no primary', () => {
	const lookup = lookupWith((l) => pushTo(l.byAddress, 'x@y.com', rec('contact', '1')));
	expect(
		matchParticipant({ address: 'x@y.com', name: '', roles: ['to'] }, lookup, opts()),
	).toMatchObject({ ambiguous: false, primary: { id: '1' } });
	expect(
		matchParticipant({ address: 'n@y.com', name: '', roles: ['to'] }, lookup, opts()),
	).toMatchObject({ ambiguous: false, primary: null, matches: [] });
});

test('free-mail domains (built in and extra) never match a company by domain', () => {
	const gmailCo = rec('company', '1', { domain: 'gmail.com' });
	const corpCo = rec('company', '2', { domain: 'mycorp.org' });
	const lookup = lookupWith((l) => {
		pushTo(l.companiesByDomain, 'gmail.com', gmailCo);
		pushTo(l.companiesByDomain, 'mycorp.org', corpCo);
	});
	expect(
		matchParticipant({ address: 'z@gmail.com', name: '', roles: ['from'] }, lookup, opts()).matches,
	).toEqual([]);
	expect(
		matchParticipant({ address: 'z@mycorp.org', name: '', roles: ['from'] }, lookup, opts())
			.primary,
	).toMatchObject({ id: '2', matchType: 'domain' });
	expect(
		matchParticipant(
			{ address: 'z@mycorp.org', name: '', roles: ['from'] },
			lookup,
			opts({ extraFreeMail: ['mycorp.org'] }),
		).matches,
	).toEqual([]);
});

test('plus-tags and Gmail dots only give a possible-duplicate hint, never a match', () => {
	const lookup = lookupWith((l) =>
		pushTo(l.similar, 'jdoe@gmail.com', rec('contact', '4', { email: 'jdoe@gmail.com' })),
	);
	const m = matchParticipant(
		{ address: 'j.doe+news@gmail.com', name: '', roles: ['from'] },
		lookup,
		opts(),
	);
	expect(m.matches).toEqual([]);
	expect(m.primary).toBeNull();
	expect(m.possibleDuplicates).toEqual([
		expect.objectContaining({ id: '4', email: 'jdoe@gmail.com' }),
	]);
});
