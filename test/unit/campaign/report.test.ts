// The campaign report: log rows -> the figures a marketer reads (counts, unique opens human vs machine,
// clicks per link, rates), per campaign and per recipient.
import { campaignReport, type LogRow } from '../../../nodes/shared/campaign/report';

const row = (event: string, recipient: string, extra: Partial<LogRow> = {}): LogRow => ({
	campaign: 'spring',
	event,
	recipient,
	message_id: `<${recipient}>`,
	event_at: '2026-03-01T10:00:00.000Z',
	...extra,
});

const spring: LogRow[] = [
	...['ann@x.com', 'bob@x.com', 'cy@x.com', 'dee@x.com', 'eve@x.com'].map((r) => row('sent', r)),
	row('sent', 'ann@x.com'), // the same message logged twice: still one
	row('bounced', 'eve@x.com'),
	row('opened', 'ann@x.com', { classification: 'human' }),
	row('opened', 'ann@x.com', { classification: 'human', event_at: '2026-03-02T08:00:00.000Z' }),
	row('opened', 'bob@x.com', { classification: 'applePrivacyProxy' }),
	row('opened', 'cy@x.com', { classification: 'imageProxy' }),
	row('clicked', 'ann@x.com', { url: 'https://shop.example/a', classification: 'human' }),
	row('clicked', 'ann@x.com', { url: 'https://shop.example/a', classification: 'human' }),
	row('clicked', 'dee@x.com', { url: 'https://shop.example/b', classification: 'securityScanner' }),
	row('clicked', 'cy@x.com', { url: 'https://shop.example/a', classification: 'human' }),
	row('unsubscribed', 'bob@x.com'),
	row('complained', 'cy@x.com'),
	row('sent', 'zed@y.com', { campaign: 'autumn' }),
];

test('counts messages sent / bounced / delivered, unique opens human vs machine, clicks per link and rates', () => {
	const [r] = campaignReport(spring, { campaigns: ['spring'] });
	expect(r).toMatchObject({
		campaign: 'spring',
		sent: 5,
		bounced: 1,
		delivered: 4,
		// ann (human), bob (Apple proxy: machine), cy (Gmail proxy: human), dee (scanner click: machine)
		uniqueOpens: { total: 4, human: 2, machine: 2 },
		unsubscribes: 1,
		complaints: 1,
		firstEventAt: '2026-03-01T10:00:00.000Z',
		lastEventAt: '2026-03-02T08:00:00.000Z',
	});
	expect(r.clicks).toEqual({
		total: 4,
		unique: 3,
		uniqueHuman: 2,
		links: [
			{ url: 'https://shop.example/a', clicks: 3, uniqueClicks: 2 },
			{ url: 'https://shop.example/b', clicks: 1, uniqueClicks: 1 },
		],
	});
	expect(r.rates).toEqual({
		delivery: 0.8,
		bounce: 0.2,
		open: 1,
		humanOpen: 0.5,
		click: 0.75,
		clickToOpen: 0.75,
		unsubscribe: 0.25,
		complaint: 0.25,
	});
	expect(r.recipients).toBeUndefined();
});

test('every campaign of the log by name when none is asked for; an asked campaign without rows has zeros and null rates', () => {
	expect(campaignReport(spring).map((r) => [r.campaign, r.sent])).toEqual([
		['autumn', 1],
		['spring', 5],
	]);
	const [empty] = campaignReport(spring, { campaigns: ['winter'] });
	expect(empty).toMatchObject({ campaign: 'winter', sent: 0, delivered: 0 });
	expect(Object.values(empty.rates)).toEqual(Array(8).fill(null));
});

test('per recipient on request: what each address did', () => {
	const [r] = campaignReport(spring, { campaigns: ['spring'], perRecipient: true });
	const by = Object.fromEntries(r.recipients!.map((p) => [p.recipient, p]));
	expect(by['ann@x.com']).toEqual({
		recipient: 'ann@x.com',
		sent: 1,
		bounced: false,
		opened: true,
		openedByHuman: true,
		clicks: 2,
		links: ['https://shop.example/a'],
		unsubscribed: false,
		complained: false,
		lastEventAt: '2026-03-02T08:00:00.000Z',
	});
	expect(by['bob@x.com']).toMatchObject({ opened: true, openedByHuman: false, unsubscribed: true });
	expect(by['eve@x.com']).toMatchObject({ sent: 1, bounced: true, opened: false });
	expect(r.recipients!.map((p) => p.recipient)).toEqual([
		'ann@x.com',
		'bob@x.com',
		'cy@x.com',
		'dee@x.com',
		'eve@x.com',
	]);
});

test('addresses are compared without case; rows without a campaign or recipient are ignored', () => {
	const [r] = campaignReport(
		[
			row('sent', 'Ann@X.com'),
			row('opened', 'ANN@x.com', { classification: 'human' }),
			row('opened', '', { classification: 'human' }),
			{ ...row('opened', 'bob@x.com'), campaign: '' },
		],
		{ campaigns: ['spring'] },
	);
	expect(r.sent).toBe(1);
	expect(r.uniqueOpens).toEqual({ total: 1, human: 1, machine: 0 });
});
