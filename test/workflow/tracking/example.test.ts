// examples/opened-to-unisender.json through the webhook harness: opening the offer mail (loading its pixel)
// puts the recipient into the Unisender list (fake Unisender following the public API); other mails,
// bots and forged pixels put nobody anywhere.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import { FakeUnisender } from '../../fakes/unisender/server';
import { WebhookServer } from '../../harness/webhook-server';

const SECRET = 'c0ffee'.repeat(8);
const example = JSON.parse(
	fs.readFileSync(path.join(__dirname, '../../../examples/opened-to-unisender.json'), 'utf8'),
);
let fake: FakeUnisender;
let server: WebhookServer;

beforeEach(async () => {
	fake = new FakeUnisender({ apiKeys: ['k'] });
	await fake.start();
	fake.addList('Offer openers');
	server = new WebhookServer(example, {
		credentials: {
			emailTracking: { secret: SECRET, baseUrl: 'unused' },
			unisenderApi: { apiKey: 'k', lang: 'en', baseUrl: fake.baseUrl },
		},
	});
	await server.start();
});
afterEach(async () => {
	await server.stop();
	await fake.stop();
});

const open = (
	recipient: string,
	data: Record<string, string>,
	ua = 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
) =>
	fetch(
		new Tracker({
			secret: SECRET,
			baseUrl: `${server.baseUrl}/webhook/email-tracking`,
			trackingId: 't',
			messageId: '<m@x>',
			recipient,
			data,
			sentAt: Date.now() - 600_000,
		}).openUrl(),
		{ headers: { 'user-agent': ua } },
	);

it('adds the recipient of an opened offer mail to the list; ignores other mails, bots and forged pixels', async () => {
	expect((await open('ann@example.com', { campaign: 'offer' })).headers.get('content-type')).toBe(
		'image/gif',
	);
	await open('bob@example.com', { campaign: 'newsletter' });
	await open('eve@example.com', { campaign: 'offer' }, 'curl/8.5.0');
	await fetch(`${server.baseUrl}/webhook/email-tracking/open?t=forged.token`);
	expect(server.runs().map((r) => r.data.resultData.error?.message)).toEqual([
		undefined,
		undefined,
	]);
	expect(fake.contacts.map((c) => [c.email, [...c.lists.keys()], [...c.tags]])).toEqual([
		['ann@example.com', [1], ['offer-opened']],
	]);
});
