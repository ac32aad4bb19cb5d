// Every sample of the bounce corpus (test/fixtures/bounces: RFC examples and the documented layouts of
// Postfix, Exim, qmail, Sendmail, Exchange / Office 365, Gmail, Yandex, Mail.ru ..., English and Russian)
// gives exactly the events its manifest expects; auto-replies and success notices give none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyMessage, type ReportEvent } from '../../../nodes/shared/bounces';

interface Expected {
	event: 'bounce' | 'complaint';
	recipient: string;
	status?: string;
	kind?: string;
	reason?: string;
	feedbackType?: string;
	action?: string;
	originalMessageId?: string;
}
interface Sample {
	file: string;
	sender: string;
	language: 'en' | 'ru';
	expect: Expected[] | null;
}

const dir = path.join(__dirname, '../../fixtures/bounces');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Sample[];

/** The manifest's fields of an event, to compare like with like. */
function shape(e: ReportEvent, wanted: Expected): Expected {
	const out: Expected = { event: e.event, recipient: e.recipient };
	if (e.event === 'bounce')
		Object.assign(out, { status: e.status, kind: e.kind, reason: e.reason });
	else out.feedbackType = e.feedbackType;
	if (wanted.action) out.action = e.event === 'bounce' ? e.action : undefined;
	if (wanted.originalMessageId) out.originalMessageId = e.original.messageId;
	return out;
}

describe('bounce corpus', () => {
	it('holds at least 40 distinct reports, English and Russian, plus messages that are not reports', () => {
		const reports = manifest.filter((s) => s.expect);
		expect(new Set(reports.map((s) => s.sender)).size).toBeGreaterThanOrEqual(40);
		expect(reports.filter((s) => s.language === 'ru').length).toBeGreaterThanOrEqual(10);
		expect(manifest.filter((s) => !s.expect).length).toBeGreaterThanOrEqual(3);
		for (const s of manifest) expect(fs.existsSync(path.join(dir, s.file))).toBe(true);
	});

	it.each(manifest.map((s) => [s.file, s] as const))('%s', async (_file, sample) => {
		const found = await classifyMessage(fs.readFileSync(path.join(dir, sample.file)));
		if (!sample.expect) {
			expect(found).toBeUndefined();
			return;
		}
		expect(found).toBeDefined();
		expect(found!.map((e, i) => shape(e, sample.expect![i] ?? sample.expect![0]))).toEqual(
			sample.expect,
		);
	});

	it('reads the original message quoted by the report', async () => {
		const [event] = (await classifyMessage(
			fs.readFileSync(path.join(dir, 'postfix-remote-rcpt-rejected.eml')),
		))!;
		expect(event.original).toEqual({
			messageId: '<pf-2@shop.example>',
			subject: 'Offer #1042 for your team',
			to: ['j.doe@client.example'],
			date: '2025-02-03T06:58:12.000Z',
		});
		expect(event).toMatchObject({
			action: 'failed',
			remoteMta: 'mx1.client.example',
			reportingMta: 'mail.shop.example',
			diagnosticCode: expect.stringContaining('User unknown in virtual mailbox table'),
		});
	});

	it('decodes a Russian original subject (encoded words)', async () => {
		const [event] = (await classifyMessage(
			fs.readFileSync(path.join(dir, 'yandex-mailbox-full.eml')),
		))!;
		expect(event.original.subject).toBe('Коммерческое предложение');
	});
});
