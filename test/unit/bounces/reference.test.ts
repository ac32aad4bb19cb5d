// What a bounce can be believed to be about: the sealed X-CRM-Mail-Ref header and the VERP return address of
// Send Templated Email. Round trips, tampering, other secrets, the 64-octet local part, case-insensitive MTAs,
// and the library's `sent` on events of reports that quote (or do not quote) the original.
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyMessage } from '../../../nodes/shared/bounces';
import {
	openSendReference,
	sealSendReference,
	type SendReference,
} from '../../../nodes/shared/bounces/reference';
import {
	bounceAddressProblem,
	MAX_BOUNCE_LOCAL_PART,
	openVerpAddress,
	verpSender,
} from '../../../nodes/shared/bounces/verp';
import { decodeToken } from '../../../nodes/shared/tracking/token';

const SECRET = randomBytes(32).toString('hex');
const OTHER = randomBytes(32).toString('hex');
const messageId = () => `<${randomUUID()}@shop.example>`;

const reference = (over: Partial<SendReference> = {}): SendReference => ({
	messageId: messageId(),
	recipient: 'ann@client.example',
	trackingId: randomUUID(),
	data: { dealId: 'D-42', stage: 'Предложение' },
	sentAt: 1767225600,
	...over,
});

/** A different character of the same alphabet at `at`. */
function flip(text: string, at: number, alphabet: string): string {
	const c = text[at];
	const other = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length];
	return text.slice(0, at) + other + text.slice(at + 1);
}

describe('X-CRM-Mail-Ref', () => {
	it('opens with the secret it was sealed with, folded or not, and shows nothing in clear', () => {
		const ref = reference();
		const sealed = sealSendReference(SECRET, ref);
		expect(openSendReference(SECRET, sealed)).toEqual(ref);
		// a mail system folded the long value
		expect(openSendReference(SECRET, `${sealed.slice(0, 40)}\r\n ${sealed.slice(40)}`)).toEqual(
			ref,
		);
		const bytes = Buffer.from(sealed, 'base64url').toString('latin1');
		expect(bytes).not.toContain('D-42');
		expect(bytes).not.toContain('client.example');
	});

	it('an altered, foreign or made-up value gives nothing', () => {
		const sealed = sealSendReference(SECRET, reference());
		const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		for (const at of [0, 5, 20, sealed.length - 3])
			expect(openSendReference(SECRET, flip(sealed, at, b64))).toBeUndefined();
		expect(openSendReference(OTHER, sealed)).toBeUndefined();
		expect(openSendReference(SECRET, sealSendReference(OTHER, reference()))).toBeUndefined();
		for (const junk of ['', 'D-42', '<a@b>', 'x'.repeat(20000), 42, undefined])
			expect(openSendReference(SECRET, junk)).toBeUndefined();
	});

	it('is no tracking token: the header of a mail cannot be replayed as an open or a click', () => {
		const sealed = sealSendReference(SECRET, reference());
		expect(decodeToken(SECRET, sealed)).toMatchObject({ ok: false });
	});
});

describe('VERP return address', () => {
	it('names the Message-ID and checks the recipient, whatever the case the MTA gives it', () => {
		const id = messageId();
		const address = verpSender(SECRET, 'bounces@shop.example', id, 'Ann@Client.example');
		expect(address).toMatch(/^bounces\+[a-z2-7]{45}@shop\.example$/);
		for (const seen of [address, address.toUpperCase(), `<${address}>`]) {
			const opened = openVerpAddress(SECRET, seen);
			expect(opened?.messageId).toBe(id);
			expect(opened?.isRecipient('ann@client.example')).toBe(true);
			expect(opened?.isRecipient('bob@client.example')).toBe(false);
		}
	});

	it('keeps the local part within RFC 5321 64 octets for the longest bounce local part allowed', () => {
		const local = 'b'.repeat(MAX_BOUNCE_LOCAL_PART);
		expect(bounceAddressProblem(`${local}@shop.example`)).toBeUndefined();
		const address = verpSender(SECRET, `${local}@shop.example`, messageId(), 'a@b.example');
		expect(address.slice(0, address.lastIndexOf('@')).length).toBeLessThanOrEqual(64);
		expect(bounceAddressProblem(`${local}b@shop.example`)).toMatch(/at most 18/);
		expect(bounceAddressProblem('bounces+x@shop.example')).toMatch(/no name, no "\+"/);
		expect(bounceAddressProblem('Bounces <bounces@shop.example>')).toBeDefined();
	});

	it('an altered token, another secret, another domain or an ordinary address give nothing', () => {
		const address = verpSender(SECRET, 'bounces@shop.example', messageId(), 'a@b.example');
		const plus = address.indexOf('+');
		const b32 = 'abcdefghijklmnopqrstuvwxyz234567';
		for (const at of [plus + 1, plus + 10, plus + 30, plus + 45])
			expect(openVerpAddress(SECRET, flip(address, at, b32))).toBeUndefined();
		expect(openVerpAddress(OTHER, address)).toBeUndefined();
		expect(
			openVerpAddress(SECRET, address.replace('@shop.example', '@evil.example')),
		).toBeUndefined();
		expect(openVerpAddress(SECRET, 'bounces@shop.example')).toBeUndefined();
		expect(openVerpAddress(SECRET, `bounces+${'a'.repeat(45)}@shop.example`)).toBeUndefined();
	});

	it('refuses a Message-ID that is not <uuid@bounce domain> (it could not be rebuilt)', () => {
		expect(() => verpSender(SECRET, 'bounces@shop.example', '<x@shop.example>', 'a@b.c')).toThrow();
		expect(() =>
			verpSender(SECRET, 'bounces@shop.example', `<${randomUUID()}@other.example>`, 'a@b.c'),
		).toThrow();
	});
});

/** A Postfix-style delivery report for `rcpt`, quoting `quoted` (a header block) and delivered to `to`. */
function report(o: { to: string; rcpt: string; quoted?: string; postfixSender?: string }): string {
	return [
		'From: MAILER-DAEMON@mta.example (Mail Delivery System)',
		`To: ${o.to}`,
		'Subject: Undelivered Mail Returned to Sender',
		'Message-ID: <report@mta.example>',
		'MIME-Version: 1.0',
		'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
		'',
		'--B',
		'Content-Type: text/plain',
		'',
		`<${o.rcpt}>: unknown user`,
		'',
		'--B',
		'Content-Type: message/delivery-status',
		'',
		'Reporting-MTA: dns; mta.example',
		...(o.postfixSender ? [`X-Postfix-Sender: rfc822; ${o.postfixSender}`] : []),
		'',
		`Final-Recipient: rfc822; ${o.rcpt}`,
		'Action: failed',
		'Status: 5.1.1',
		'',
		...(o.quoted
			? ['--B', 'Content-Type: text/rfc822-headers', '', o.quoted.replace(/\r?\n$/, ''), '']
			: []),
		'--B--',
		'',
	].join('\r\n');
}

const quotedHeaders = (id: string, ref?: string) =>
	[
		'From: Shop <sales@shop.example>',
		'To: ann@client.example',
		'Subject: Your offer',
		`Message-ID: ${id}`,
		...(ref ? [`X-CRM-Mail-Ref: ${ref}`] : []),
	].join('\r\n');

describe('sent on bounce events', () => {
	it('from the quoted header: Message-ID, recipient, tracking id and data, send time', async () => {
		const ref = reference();
		const raw = report({
			to: 'sales@shop.example',
			rcpt: 'ann@client.example',
			quoted: quotedHeaders(ref.messageId, sealSendReference(SECRET, ref)),
		});
		const [event] = (await classifyMessage(raw, { referenceSecret: SECRET }))!;
		expect(event.sent).toEqual({
			messageId: ref.messageId,
			recipient: 'ann@client.example',
			trackingId: ref.trackingId,
			trackingData: { dealId: 'D-42', stage: 'Предложение' },
			sentAt: '2026-01-01T00:00:00.000Z',
			via: 'header',
		});
		// without the secret nothing is claimed
		const [plain] = (await classifyMessage(raw))!;
		expect(plain).not.toHaveProperty('sent');
	});

	it('from the VERP address the report went to, when the report quotes nothing of the original', async () => {
		const id = messageId();
		const verp = verpSender(SECRET, 'bounces@shop.example', id, 'ann@client.example');
		const [event] = (await classifyMessage(
			report({ to: verp.toUpperCase(), rcpt: 'ann@client.example' }),
			{ referenceSecret: SECRET },
		))!;
		expect(event.sent).toEqual({
			messageId: id,
			recipient: 'ann@client.example',
			trackingId: null,
			trackingData: null,
			sentAt: null,
			via: 'verp',
		});
		// Postfix's X-Postfix-Sender names it too; a failed address that is not the send's gets no recipient
		const [other] = (await classifyMessage(
			report({ to: 'bounces@shop.example', rcpt: 'bob@client.example', postfixSender: verp }),
			{ referenceSecret: SECRET },
		))!;
		expect(other.sent).toMatchObject({ messageId: id, recipient: null, via: 'verp' });
	});

	it('a forged, foreign or transplanted header and an unsigned Message-ID give sent: null', async () => {
		const ref = reference();
		const cases = [
			quotedHeaders(ref.messageId), // only the claim of a Message-ID
			quotedHeaders(ref.messageId, sealSendReference(OTHER, ref)),
			quotedHeaders(ref.messageId, 'AQID' + 'A'.repeat(60)),
			// a real reference copied into another message
			quotedHeaders(messageId(), sealSendReference(SECRET, ref)),
		];
		for (const quoted of cases) {
			const [event] = (await classifyMessage(
				report({ to: 'bounces+notatoken@shop.example', rcpt: 'ann@client.example', quoted }),
				{ referenceSecret: SECRET },
			))!;
			expect(event.sent).toBeNull();
			expect(event.original.messageId).toMatch(/^<.+>$/);
		}
	});

	it('a complaint (RFC 5965 feedback report) gets the send from the header of the message it attaches', async () => {
		const fixture = path.join(__dirname, '../../fixtures/bounces/rfc5965-abuse.eml');
		const ref = reference({ messageId: '<rfc5965-1@shop.example>' });
		const raw = fs
			.readFileSync(fixture, 'utf8')
			.replace(
				'Message-ID: <rfc5965-1@shop.example>',
				`Message-ID: <rfc5965-1@shop.example>\r\nX-CRM-Mail-Ref: ${sealSendReference(SECRET, ref)}`,
			);
		const [event] = (await classifyMessage(raw, { referenceSecret: SECRET }))!;
		expect(event).toMatchObject({
			event: 'complaint',
			sent: { messageId: ref.messageId, trackingData: ref.data, via: 'header' },
		});
		const [unsigned] = (await classifyMessage(fs.readFileSync(fixture), {
			referenceSecret: SECRET,
		}))!;
		expect(unsigned).toMatchObject({ event: 'complaint', sent: null });
	});
});
