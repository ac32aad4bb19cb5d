// emailFromItem / headersOf: every input shape a flow hands the node.
import { emailFromItem, headersOf } from '../../../nodes/CrmMatch/email';

test('IMAP Sync Trigger shape: arrays of { name, address }, addresses lower-cased', () => {
	const { email, invalid } = emailFromItem({
		from: [{ name: 'Jane Doe', address: 'Jane@Acme.COM' }],
		to: [{ name: '', address: 'sales@me.com' }],
		cc: [],
		replyTo: [{ name: 'Desk', address: 'desk@acme.com' }],
		subject: 'Quote',
		messageId: ' <1@acme> ',
		direction: 'outgoing',
		date: '2026-01-02T10:00:00.000Z',
		text: 'hello',
	});
	expect(invalid).toEqual([]);
	expect(email).toMatchObject({
		from: [{ name: 'Jane Doe', address: 'jane@acme.com' }],
		to: [{ name: '', address: 'sales@me.com' }],
		replyTo: [{ name: 'Desk', address: 'desk@acme.com' }],
		subject: 'Quote',
		messageId: '<1@acme>',
		direction: 'outgoing',
		date: '2026-01-02T10:00:00.000Z',
		text: 'hello',
	});
});

test('header strings: Name <addr>, quoted names with commas, lists split on , and ;', () => {
	const { email } = emailFromItem({
		from: '"Doe, Jane" <jane@x.io>',
		to: 'a@b.com; B <b@b.com>, c@c.com',
		cc: '',
	});
	expect(email.from).toEqual([{ name: 'Doe, Jane', address: 'jane@x.io' }]);
	expect(email.to.map((a) => a.address)).toEqual(['a@b.com', 'b@b.com', 'c@c.com']);
	expect(email.cc).toEqual([]);
});

test('mailparser AddressObject ({ value, text }), reply-to / message-id header names, Date objects', () => {
	const { email } = emailFromItem({
		from: { value: [{ name: 'Ann', address: 'ann@a.com' }], text: 'Ann <ann@a.com>' },
		to: [{ value: [{ name: '', address: 'x@me.com' }], text: 'x@me.com' }],
		'reply-to': 'r@a.com',
		'message-id': '<m@a>',
		date: new Date('2026-02-03T04:05:06Z'),
	});
	expect(email.from).toEqual([{ name: 'Ann', address: 'ann@a.com' }]);
	expect(email.to).toEqual([{ name: '', address: 'x@me.com' }]);
	expect(email.replyTo).toEqual([{ name: '', address: 'r@a.com' }]);
	expect(email.messageId).toBe('<m@a>');
	expect(email.date).toBe('2026-02-03T04:05:06.000Z');
});

test('direction defaults to incoming; anything but "outgoing" is incoming; missing fields are empty', () => {
	expect(emailFromItem({}).email).toMatchObject({
		from: [],
		to: [],
		cc: [],
		replyTo: [],
		subject: '',
		messageId: expect.stringMatching(/^<derived-/),
		messageIdDerived: true,
		direction: 'incoming',
		headers: {},
	});
	expect(emailFromItem({ direction: 'OUTGOING' }).email.direction).toBe('outgoing');
	expect(emailFromItem({ direction: 'sideways' }).email.direction).toBe('incoming');
	expect(emailFromItem({}, 'outgoing').email.direction).toBe('outgoing');
	expect(emailFromItem({ subject: 42 }).email.subject).toBe('');
});

test('invalid addresses are reported, not dropped silently', () => {
	const { email, invalid } = emailFromItem({ from: 'not an address', to: 'ok@b.com, broken@' });
	expect(email.to.map((a) => a.address)).toEqual(['ok@b.com']);
	expect(invalid).toEqual(expect.arrayContaining(['broken@']));
	expect(invalid.length).toBeGreaterThanOrEqual(2);
});

test('headersOf: object (values or arrays), list of { key, value }, raw header block with folding; names lower-cased', () => {
	expect(headersOf({ 'Auto-Submitted': 'auto-replied', Received: ['a', 'b'] })).toEqual({
		'auto-submitted': 'auto-replied',
		received: 'a, b',
	});
	expect(
		headersOf([
			{ key: 'List-Id', value: '<l.x>' },
			{ name: 'Precedence', value: 'bulk' },
		]),
	).toEqual({ 'list-id': '<l.x>', precedence: 'bulk' });
	expect(headersOf('Subject: a\r\n long\r\nX-Autoreply: yes\r\nX-Autoreply: again\r\n')).toEqual({
		subject: 'a long',
		'x-autoreply': 'yes, again',
	});
	expect(headersOf({ 'List-Unsubscribe': { text: '<mailto:u@x>' } })['list-unsubscribe']).toContain(
		'mailto:u@x',
	);
	expect(headersOf(undefined)).toEqual({});
});

test('a missing Message-ID is derived from date, sender, recipients, subject and size: stable, and distinct per mail', () => {
	const mail = (over: Record<string, unknown> = {}) =>
		emailFromItem({
			from: 'a@b.com',
			to: 'c@d.com',
			subject: 'Hi',
			date: '2026-03-01T10:00:00Z',
			size: 1000,
			...over,
		}).email;
	const key = mail().messageId;
	expect(key).toMatch(/^<derived-[0-9a-f]{32}@crm-mail\.invalid>$/);
	expect(mail().messageId).toBe(key);
	for (const other of [
		{ subject: 'Hi!' },
		{ size: 1001 },
		{ date: '2026-03-01T10:00:01Z' },
		{ from: 'x@b.com' },
		{ to: 'e@d.com' },
	])
		expect(mail(other).messageId).not.toBe(key);
	expect(mail({ messageId: '<real@x>' })).toMatchObject({ messageId: '<real@x>' });
	expect(mail({ messageId: '<real@x>' }).messageIdDerived).toBeUndefined();
});
