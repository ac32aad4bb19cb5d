// The rules under the classifier: which headers make a message worth reading as a report, how a
// server's words and status become a reason and a kind, and that the trigger's auto-reply rule no longer
// swallows bounces.
import { ignoreReason, headerMap } from '../../../nodes/ImapSyncTrigger/engine/filters';
import { classifyMessage, mayBeReport } from '../../../nodes/shared/bounces';
import { fieldBlocks, typedValue } from '../../../nodes/shared/bounces/fields';
import { classifyFailure, kindOf, reasonFromText } from '../../../nodes/shared/bounces/reasons';

const rules = { blockedSenders: [], autoReplies: true, bulkMail: false };

describe('bounce rules', () => {
	it('reads as possible reports: multipart/report, X-Failed-Recipients, daemons, bounce subjects', () => {
		expect(
			mayBeReport(headerMap('Content-Type: multipart/report; report-type=delivery-status\r\n')),
		).toBe(true);
		expect(mayBeReport(headerMap('X-Failed-Recipients: a@b.org\r\n'))).toBe(true);
		expect(
			mayBeReport(headerMap('From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n')),
		).toBe(true);
		expect(mayBeReport(headerMap('From: a@b.org\r\nSubject: Недоставленное сообщение\r\n'))).toBe(
			true,
		);
		expect(mayBeReport(headerMap('From: a@b.org\r\nSubject: Automatic reply: Offer\r\n'))).toBe(
			false,
		);
		expect(mayBeReport(headerMap('From: a@b.org\r\nSubject: Hello\r\n'))).toBe(false);
	});

	it('the auto-reply rule skips out-of-office replies but not bounces', () => {
		const ooo = headerMap(
			'From: m@client.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n',
		);
		const bounce = headerMap(
			'From: MAILER-DAEMON@mx.shop.org\r\nSubject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n',
		);
		expect(ignoreReason(ooo, ['m@client.org'], rules)).toBe('autoReply');
		expect(ignoreReason(bounce, ['mailer-daemon@mx.shop.org'], rules)).toBeUndefined();
	});

	it('names the reason from the words first (English and Russian), else from the status', () => {
		expect(reasonFromText('550 5.7.1 No such user!')).toBe('userUnknown');
		expect(reasonFromText('552 Mailbox size limit exceeded')).toBe('mailboxFull');
		expect(reasonFromText('Почтовый ящик получателя переполнен')).toBe('mailboxFull');
		expect(reasonFromText('домен не существует')).toBe('hostUnknown');
		expect(reasonFromText('размер сообщения превышает максимально допустимый')).toBe('tooLarge');
		expect(reasonFromText('blocked using Spamhaus')).toBe('spamBlocked');
		expect(reasonFromText('User not listed in Domino Directory')).toBe('userUnknown');
		expect(classifyFailure('', '5.2.2', false)).toEqual({
			status: '5.2.2',
			reason: 'mailboxFull',
			kind: 'soft',
		});
		expect(classifyFailure('550 5.0.0 user unknown', undefined, false)).toEqual({
			status: '5.1.1',
			reason: 'userUnknown',
			kind: 'hard',
		});
	});

	it('is hard only when the address is dead; delays are delays', () => {
		expect(kindOf('5.1.1', 'userUnknown', false)).toBe('hard');
		expect(kindOf('5.1.2', 'hostUnknown', false)).toBe('hard');
		expect(kindOf('5.2.2', 'mailboxFull', false)).toBe('soft');
		expect(kindOf('5.7.1', 'spamBlocked', false)).toBe('soft');
		expect(kindOf('4.2.2', 'userUnknown', false)).toBe('soft');
		expect(kindOf('4.4.1', 'other', true)).toBe('delay');
	});

	it('reads report field blocks with folded lines and typed values', () => {
		const [msg, rcpt] = fieldBlocks(
			'Reporting-MTA: dns; mx.a.org\r\n\r\nFinal-Recipient: rfc822; <x@b.org>\r\nDiagnostic-Code: smtp; 550 no\r\n    such user\r\n',
		);
		expect(typedValue(msg.fields.get('reporting-mta'))).toBe('mx.a.org');
		expect(typedValue(rcpt.fields.get('final-recipient'))).toBe('x@b.org');
		expect(typedValue(rcpt.fields.get('diagnostic-code'))).toBe('550 no such user');
	});

	it('turns ordinary mail away by its header, without parsing it', async () => {
		expect(
			await classifyMessage('From: a@b.org\r\nSubject: Hi\r\n\r\nfailed to deliver x@y.org'),
		).toBeUndefined();
	});
});
