// Which recipients of a campaign email the suppression list keeps out, and the "sent" rows of what went out.
import type { SuppressionEntry } from '../../../nodes/shared/campaign/suppression';
import {
	allAddresses,
	screenRecipients,
	sentRows,
	withoutKeptOut,
} from '../../../nodes/TemplatedEmail/message/suppressedRecipients';

const entry = (email: string, reason = 'unsubscribed'): [string, SuppressionEntry] => [
	email,
	{
		email,
		reason,
		campaign: 'winter',
		messageId: null,
		source: 'tracking',
		note: null,
		suppressedAt: '2026-01-10T09:00:00.000Z',
	},
];
const suppressed = new Map([entry('ann@x.com'), entry('carl@x.com', 'complaint')]);

test('a suppressed To address stops the email, whatever else it has', () => {
	const s = screenRecipients(
		{ to: ['bob@x.com', 'Ann@X.com'], cc: ['carl@x.com'], bcc: [] },
		suppressed,
	);
	expect(s.send).toBe(false);
	expect(s.keptOut).toEqual([
		{
			recipient: 'Ann@X.com',
			field: 'to',
			suppression: {
				reason: 'unsubscribed',
				since: '2026-01-10T09:00:00.000Z',
				campaign: 'winter',
			},
		},
		expect.objectContaining({ recipient: 'carl@x.com', field: 'cc' }),
	]);
});

test('suppressed CC and BCC addresses are left out, the rest stays, compared case-insensitively', () => {
	const s = screenRecipients(
		{ to: ['bob@x.com'], cc: ['CARL@x.com', 'cy@x.com'], bcc: ['carl@x.com'] },
		suppressed,
	);
	expect(s.send).toBe(true);
	expect(s.keptOut.map((k) => [k.field, k.recipient, k.suppression.reason])).toEqual([
		['cc', 'CARL@x.com', 'complaint'],
		['bcc', 'carl@x.com', 'complaint'],
	]);
	expect(withoutKeptOut([{ address: 'carl@x.com' }, { address: 'cy@x.com' }], s.keptOut)).toEqual([
		{ address: 'cy@x.com' },
	]);
	expect(screenRecipients({ to: ['bob@x.com'], cc: [], bcc: [] }, suppressed)).toEqual({
		send: true,
		keptOut: [],
	});
});

test('every address goes into the one lookup, normalized', () => {
	expect(allAddresses({ to: ['Ann <ANN@x.com>'], cc: ['b@x.com'], bcc: ['c@x.com'] })).toEqual([
		'ann@x.com',
		'b@x.com',
		'c@x.com',
	]);
});

test('one sent row per accepted address, once each, lower-cased', () => {
	const at = new Date('2026-03-01T10:00:00Z');
	expect(
		sentRows({
			campaign: 'spring',
			messageId: '<m1@x>',
			trackingId: 't1',
			accepted: ['Bob@x.com', 'cy@x.com', 'bob@x.com'],
			at,
		}),
	).toEqual([
		{
			campaign: 'spring',
			event: 'sent',
			recipient: 'bob@x.com',
			messageId: '<m1@x>',
			trackingId: 't1',
			at,
		},
		{
			campaign: 'spring',
			event: 'sent',
			recipient: 'cy@x.com',
			messageId: '<m1@x>',
			trackingId: 't1',
			at,
		},
	]);
	expect(sentRows({ campaign: 'spring', messageId: '<m2@x>', accepted: [], at })).toEqual([]);
});
