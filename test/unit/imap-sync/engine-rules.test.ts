import {
	headerMap,
	ignoreReason,
	isAutoReply,
	isBlockedSender,
	isBulkMail,
	parseBlocklist,
} from '../../../nodes/ImapSyncTrigger/engine/filters';
import { backoffDelay } from '../../../nodes/shared/retry';
import {
	messageKey,
	newAfterReset,
	RECENT_LIMIT,
	rememberKeys,
	windowStart,
} from '../../../nodes/ImapSyncTrigger/engine/folderState';
import { chunk, uidsAfter } from '../../../nodes/ImapSyncTrigger/engine/uids';
import { messageIds, threadIdOf, toEmailItem } from '../../../nodes/shared/imap/message';

describe('ignore rules', () => {
	const list = parseBlocklist(['spam@bad.com', 'promo.example.org; *.ads.net', '@junk.io']);

	it('blocks listed addresses and domains with their subdomains, case-insensitively', () => {
		expect(isBlockedSender('SPAM@bad.com', list)).toBe(true);
		expect(isBlockedSender('other@bad.com', list)).toBe(false);
		expect(isBlockedSender('news@promo.example.org', list)).toBe(true);
		expect(isBlockedSender('news@mail.promo.example.org', list)).toBe(true);
		expect(isBlockedSender('x@tracker.ads.net', list)).toBe(true);
		expect(isBlockedSender('x@junk.io', list)).toBe(true);
		expect(isBlockedSender('x@notjunk.io', list)).toBe(false);
	});

	it('recognises auto-replies by Auto-Submitted (but not "no") and X-Autoreply', () => {
		expect(
			isAutoReply(headerMap('Auto-Submitted: auto-replied\r\nSubject: Out of office\r\n')),
		).toBe(true);
		expect(isAutoReply(headerMap('Auto-Submitted: no\r\n'))).toBe(false);
		expect(isAutoReply(headerMap('X-Autoreply: yes\r\n'))).toBe(true);
		expect(isAutoReply(headerMap('Subject: hello\r\n'))).toBe(false);
	});

	it('recognises bulk and list mail by Precedence, List-Id and List-Unsubscribe', () => {
		expect(isBulkMail(headerMap('Precedence: bulk\r\n'))).toBe(true);
		expect(isBulkMail(headerMap('List-Id: <news.example.org>\r\n'))).toBe(true);
		expect(isBulkMail(headerMap('List-Unsubscribe: <mailto:u@x.org>\r\n'))).toBe(true);
		expect(isBulkMail(headerMap('Precedence: first-class\r\n'))).toBe(false);
	});

	it('applies only the rules that are switched on', () => {
		const h = headerMap('Auto-Submitted: auto-generated\r\nPrecedence: list\r\n');
		expect(
			ignoreReason(h, ['a@b.com'], { blockedSenders: [], autoReplies: false, bulkMail: false }),
		).toBeUndefined();
		expect(
			ignoreReason(h, ['a@b.com'], { blockedSenders: [], autoReplies: true, bulkMail: false }),
		).toBe('autoReply');
		expect(
			ignoreReason(h, ['a@b.com'], { blockedSenders: [], autoReplies: false, bulkMail: true }),
		).toBe('bulkMail');
		expect(
			ignoreReason(h, ['a@b.com'], {
				blockedSenders: ['b.com'],
				autoReplies: true,
				bulkMail: true,
			}),
		).toBe('blockedSender');
	});

	it('unfolds folded header lines', () => {
		expect(headerMap('List-Id: Our\r\n news <n.example.org>\r\n\r\nBody: x').get('list-id')).toBe(
			'Our news <n.example.org>',
		);
	});
});

describe('state rules', () => {
	it('keeps only UIDs above the watermark, ascending (UID N:* returns the top UID even below N)', () => {
		expect(uidsAfter([5], 5)).toEqual([]);
		expect(uidsAfter([9, 7, 5, 8], 6)).toEqual([7, 8, 9]);
		expect(uidsAfter(false, 0)).toEqual([]);
	});

	it('computes the first-sync window', () => {
		const now = new Date('2026-11-23T12:00:00Z');
		expect(windowStart({ mode: 'new' }, now)).toBeUndefined();
		expect(windowStart({ mode: 'days', days: 30 }, now)!.toISOString()).toBe(
			'2026-10-24T12:00:00.000Z',
		);
		expect(windowStart({ mode: 'since', since: '2026-01-02T00:00:00Z' }, now)!.toISOString()).toBe(
			'2026-01-02T00:00:00.000Z',
		);
		expect(windowStart({ mode: 'since', since: 'not a date' }, now)).toBeUndefined();
	});

	it('after a UIDVALIDITY change treats only never-emitted Message-IDs as new', () => {
		const recent = rememberKeys([], [messageKey('<a@x>', ''), messageKey('<b@x>', '')]);
		const candidates = [
			{ uid: 3, key: messageKey('<c@x>', '') },
			{ uid: 1, key: messageKey('<a@x>', '') },
			{ uid: 2, key: messageKey('<b@x>', '') },
		];
		expect(newAfterReset(candidates, recent)).toEqual([3]);
	});

	it('bounds the remembered Message-IDs', () => {
		const many = Array.from({ length: RECENT_LIMIT + 10 }, (_, i) => String(i));
		const kept = rememberKeys(['old'], many);
		expect(kept).toHaveLength(RECENT_LIMIT);
		expect(kept[kept.length - 1]).toBe(String(RECENT_LIMIT + 9));
		expect(kept).not.toContain('old');
	});

	it('splits UID lists into batches', () => {
		expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
	});
});

describe('reconnect backoff', () => {
	const o = { baseMs: 1000, maxMs: 30000, jitter: 0.3 };
	it('doubles from the base up to the cap', () => {
		expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, o, () => 0))).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
		]);
	});
	it('jitters down by at most the jitter share', () => {
		expect(backoffDelay(3, o, () => 1)).toBe(2800);
		for (let i = 0; i < 50; i++) {
			const d = backoffDelay(4, o);
			expect(d).toBeGreaterThanOrEqual(5600);
			expect(d).toBeLessThanOrEqual(8000);
		}
	});
});

describe('message item', () => {
	it('takes the thread root from References, else In-Reply-To, else the own Message-ID', () => {
		expect(threadIdOf('<c@x>', '<b@x>', ['<a@x>', '<b@x>'])).toBe('<a@x>');
		expect(threadIdOf('<c@x>', '<b@x>', [])).toBe('<b@x>');
		expect(threadIdOf('<c@x>', '', [])).toBe('<c@x>');
		expect(messageIds('<a@x> <b@x>')).toEqual(['<a@x>', '<b@x>']);
		expect(messageIds(['<a@x>', '<b@x>'])).toEqual(['<a@x>', '<b@x>']);
	});

	it('builds the item from the envelope alone when there is no parsed body', () => {
		const { json, attachments } = toEmailItem({
			fetched: {
				uid: 7,
				size: 1234,
				flags: new Set(['\\Seen']),
				envelope: {
					date: new Date('2026-11-01T10:00:00Z'),
					subject: 'Hi',
					messageId: '<m@x>',
					inReplyTo: '<p@x>',
					from: [{ name: 'Ann', address: 'Ann@Example.com' }],
					to: [{ name: '', address: 'b@x.org' }],
				},
			},
			folder: 'INBOX',
			uidValidity: 42n,
			direction: 'incoming',
			oversized: true,
		});
		expect(json).toMatchObject({
			uid: 7,
			uidValidity: '42',
			messageId: '<m@x>',
			threadId: '<p@x>',
			date: '2026-11-01T10:00:00.000Z',
			from: [{ name: 'Ann', address: 'ann@example.com' }],
			to: [{ name: '', address: 'b@x.org' }],
			flags: ['\\Seen'],
			size: 1234,
			oversized: true,
			text: '',
		});
		expect(attachments).toEqual([]);
	});
});
