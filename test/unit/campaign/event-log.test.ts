// The campaign log rows of bounce and complaint events (Suppression List > Add, From the Item), and the
// campaign a send reference seals for them.
import { randomBytes } from 'node:crypto';
import { openSendReference, sealSendReference } from '../../../nodes/shared/bounces/reference';
import { eventLogRow } from '../../../nodes/TemplatedEmail/actions/suppression/eventLog';

const at = new Date('2026-03-02T08:00:00Z');
const sent = {
	messageId: '<m1@crm.local>',
	recipient: 'bob@x.com',
	trackingId: 't1',
	trackingData: {},
	sentAt: '2026-03-01T10:00:00.000Z',
	via: 'header',
	campaign: 'spring',
};
const bounce = (kind: string, extra: Record<string, unknown> = {}) => ({
	event: 'bounce',
	kind,
	recipient: 'bob@x.com',
	status: '5.1.1',
	reason: 'userUnknown',
	original: { messageId: '<m1@crm.local>' },
	sent,
	...extra,
});

test('hard and soft bounces of a campaign email are "bounced", with the kind and why', () => {
	expect(eventLogRow(bounce('hard'), at)).toEqual({
		campaign: 'spring',
		event: 'bounced',
		recipient: 'bob@x.com',
		messageId: '<m1@crm.local>',
		trackingId: 't1',
		classification: 'hard',
		detail: '5.1.1 userUnknown',
		at,
	});
	expect(eventLogRow(bounce('soft'), at)).toMatchObject({
		event: 'bounced',
		classification: 'soft',
	});
});

test('a complaint is "complained"; a delay, an event without a campaign or without a verified send is not logged', () => {
	expect(
		eventLogRow(
			{ event: 'complaint', feedbackType: 'abuse', recipient: 'bob@x.com', sent, original: {} },
			at,
		),
	).toMatchObject({ event: 'complained', campaign: 'spring', classification: 'abuse' });
	expect(eventLogRow(bounce('delay'), at)).toBeUndefined();
	expect(
		eventLogRow(bounce('hard', { sent: { ...sent, campaign: undefined } }), at),
	).toBeUndefined();
	expect(eventLogRow(bounce('hard', { sent: null }), at)).toBeUndefined();
});

test('the send reference seals the campaign; a reference without one has no campaign field', () => {
	const secret = randomBytes(32).toString('hex');
	const base = {
		messageId: '<m1@crm.local>',
		recipient: 'bob@x.com',
		trackingId: '',
		data: {},
		sentAt: 1_770_000_000,
	};
	expect(
		openSendReference(secret, sealSendReference(secret, { ...base, campaign: 'spring' })),
	).toEqual({
		...base,
		campaign: 'spring',
	});
	expect(openSendReference(secret, sealSendReference(secret, base))).toEqual(base);
});
