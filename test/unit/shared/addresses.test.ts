import {
	addressList,
	canonicalAddress,
	formatAddress,
	parseAddresses,
} from '../../../nodes/shared/addresses';

test('parses Name <addr> strings and lists split on comma or semicolon, with quoted commas in names', () => {
	expect(addressList('"Doe, John" <John@Example.com>; ann@x.io, Bob <bob@y.org>')).toEqual([
		{ name: 'Doe, John', address: 'john@example.com' },
		{ name: '', address: 'ann@x.io' },
		{ name: 'Bob', address: 'bob@y.org' },
	]);
});

test('accepts arrays, mailparser address objects and plain objects, and de-duplicates case-insensitively', () => {
	const mailparser = { value: [{ name: 'Ann', address: 'ANN@x.io' }], text: 'Ann <ANN@x.io>' };
	expect(
		addressList([mailparser, 'ann@x.io', { email: 'c@z.de', name: 'C' }, ['d@w.com']]),
	).toEqual([
		{ name: 'Ann', address: 'ann@x.io' },
		{ name: 'C', address: 'c@z.de' },
		{ name: '', address: 'd@w.com' },
	]);
});

test('reports invalid entries instead of dropping them silently', () => {
	expect(parseAddresses('ok@x.io, not-an-address, Name <broken@>').invalid).toEqual([
		'not-an-address',
		'broken@',
	]);
});

test('formats names that need quoting', () => {
	expect(formatAddress({ name: 'Doe, John', address: 'j@x.io' })).toBe('"Doe, John" <j@x.io>');
	expect(formatAddress({ name: '', address: 'j@x.io' })).toBe('j@x.io');
});

test('canonical form drops plus-tags everywhere and dots only on Gmail', () => {
	expect(canonicalAddress('J.Doe+crm@googlemail.com')).toBe('jdoe@gmail.com');
	expect(canonicalAddress('j.doe+crm@corp.com')).toBe('j.doe@corp.com');
});

test('keeps every address mailparser keeps: single-label domains, and RFC 5322 comments stripped', async () => {
	const { simpleParser } = require('mailparser');
	const parsed = await simpleParser(
		'From: root@localhost\r\nTo: billing@intranet, "Pete" <pete(his account)@silly.test>\r\nCc: "Joe Q. Public" <john.q.public(jqp)@example.com>\r\n\r\nbody',
	);
	expect(addressList(parsed.from)).toEqual([{ name: '', address: 'root@localhost' }]);
	expect(addressList(parsed.to)).toEqual([
		{ name: '', address: 'billing@intranet' },
		{ name: 'Pete', address: 'pete@silly.test' },
	]);
	expect(addressList(parsed.cc)).toEqual([
		{ name: 'Joe Q. Public', address: 'john.q.public@example.com' },
	]);
	expect(parseAddresses('a@.x, b@x., c@x..y, d@host').invalid).toEqual(['a@.x', 'b@x.', 'c@x..y']);
});
