// A corpus of malformed and unusual messages: each is emitted exactly once and nothing crashes.
import { appendMessage, newUser, sharedDovecot, type DovecotHandle } from '../../harness/dovecot';
import { startEngine, type Harness } from './helpers';

jest.setTimeout(180000);

const head = (id: string, extra: string[] = []) => [
	'From: Corpus <corpus@example.org>',
	'To: rcpt@test.local',
	`Message-ID: <${id}@corpus>`,
	`Subject: ${id}`,
	'MIME-Version: 1.0',
	...extra,
];

function corpus(): Array<{ id: string; raw: Buffer }> {
	const list: Array<{ id: string; raw: string | Buffer }> = [
		{
			id: 'bad-charset',
			raw: [
				...head('bad-charset', ['Content-Type: text/plain; charset=x-no-such-charset']),
				'',
				'Gr\xfc\xdfe',
				'',
			].join('\r\n'),
		},
		{
			id: 'koi8r',
			raw: Buffer.concat([
				Buffer.from(
					[...head('koi8r', ['Content-Type: text/plain; charset=koi8-r']), '', ''].join('\r\n'),
				),
				Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]),
			]),
		},
		{
			id: 'broken-multipart',
			raw: [
				...head('broken-multipart', ['Content-Type: multipart/mixed; boundary="never-closed"']),
				'',
				'--never-closed',
				'Content-Type: text/plain',
				'',
				'part one',
				'--wrong-boundary',
				'garbage',
			].join('\r\n'),
		},
		{
			id: 'no-boundary',
			raw: [
				...head('no-boundary', ['Content-Type: multipart/alternative']),
				'',
				'text without any boundary',
			].join('\r\n'),
		},
		{
			id: '8bit-headers',
			raw: Buffer.from(
				[
					...head('8bit-headers'),
					'X-Name: Jürgen Müller',
					'Content-Type: text/plain',
					'',
					'body',
					'',
				]
					.join('\r\n')
					.replace('Subject: 8bit-headers', 'Subject: Привет 8bit-headers'),
				'utf8',
			),
		},
		{
			id: 'long-header',
			raw: [
				...head('long-header', [
					`X-Long: ${'a'.repeat(200_000)}`,
					`References: ${Array.from({ length: 2000 }, (_, i) => `<r${i}@x>`).join(' ')}`,
				]),
				'Content-Type: text/plain',
				'',
				'b',
				'',
			].join('\r\n'),
		},
		{ id: 'empty-body', raw: [...head('empty-body'), '', ''].join('\r\n') },
		{ id: 'no-headers-body', raw: ['Message-ID: <no-headers-body@corpus>', '', ''].join('\r\n') },
		{
			id: 'nested-rfc822',
			raw: [
				...head('nested-rfc822', ['Content-Type: multipart/mixed; boundary="outer"']),
				'',
				'--outer',
				'Content-Type: text/plain',
				'',
				'Forwarded below.',
				'--outer',
				'Content-Type: message/rfc822',
				'Content-Disposition: attachment; filename="original.eml"',
				'',
				'From: inner@example.org',
				'Subject: Inner',
				'Message-ID: <inner@corpus>',
				'',
				'Inner body',
				'--outer--',
				'',
			].join('\r\n'),
		},
		{
			id: 'winmail',
			raw: [
				...head('winmail', ['Content-Type: multipart/mixed; boundary="w"']),
				'',
				'--w',
				'Content-Type: text/plain',
				'',
				'See TNEF.',
				'--w',
				'Content-Type: application/ms-tnef; name="winmail.dat"',
				'Content-Disposition: attachment; filename="winmail.dat"',
				'Content-Transfer-Encoding: base64',
				'',
				Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x06, 0x90, 0x08, 0x00]).toString(
					'base64',
				),
				'--w--',
				'',
			].join('\r\n'),
		},
		{
			id: 'bad-base64',
			raw: [
				...head('bad-base64', ['Content-Type: text/plain', 'Content-Transfer-Encoding: base64']),
				'',
				'!!!not base64@@@',
				'',
			].join('\r\n'),
		},
		{
			id: 'bad-date',
			raw: [
				...head('bad-date', ['Date: yesterday-ish', 'Content-Type: text/plain']),
				'',
				'x',
				'',
			].join('\r\n'),
		},
		{
			id: 'bad-addresses',
			raw: [
				...head('bad-addresses', [
					'Cc: ,,, <>, "unclosed <x@',
					'Reply-To: undisclosed-recipients:;',
					'Content-Type: text/plain',
				]),
				'',
				'x',
				'',
			].join('\r\n'),
		},
		{
			id: 'attachment-30mb',
			raw: [
				...head('attachment-30mb', ['Content-Type: multipart/mixed; boundary="big"']),
				'',
				'--big',
				'Content-Type: text/plain',
				'',
				'A big file.',
				'--big',
				'Content-Type: application/octet-stream; name="big.bin"',
				'Content-Disposition: attachment; filename="big.bin"',
				'Content-Transfer-Encoding: base64',
				'',
				Buffer.alloc(30 * 1024 * 1024, 7)
					.toString('base64')
					.replace(/.{76}/g, '$&\r\n'),
				'--big--',
				'',
			].join('\r\n'),
		},
	];
	return list.map((m) => ({
		id: m.id,
		raw: Buffer.isBuffer(m.raw) ? m.raw : Buffer.from(m.raw, 'latin1'),
	}));
}

describe('malformed and unusual messages', () => {
	let dv: DovecotHandle;
	let h: Harness | undefined;
	beforeAll(async () => {
		dv = await sharedDovecot();
	});
	afterAll(async () => {
		await h?.session.close();
	});

	it('emits each message of the corpus once, without crashing', async () => {
		const { user } = newUser('corpus');
		const messages = corpus();
		for (const m of messages) await appendMessage(dv, user, 'INBOX', m.raw);
		h = await startEngine(dv, user, {
			options: { firstSync: { mode: 'days', days: 30 }, batchSize: 5 },
		});
		const harness = h;
		await harness.waitFor(() => harness.messages().length >= messages.length, 120000, 'the corpus');
		harness.session.request();
		await new Promise((r) => setTimeout(r, 500));
		const emitted = harness.messages();
		expect(emitted.map((m) => m.messageId)).toEqual(messages.map((m) => `<${m.id}@corpus>`));
		const by = new Map(emitted.map((m) => [String(m.messageId).slice(1, -8), m]));
		expect(by.get('8bit-headers')!.subject).toBe('Привет 8bit-headers');
		expect(by.get('koi8r')!.text).toContain('Привет');
		expect((by.get('long-header')!.references as string[]).length).toBe(2000);
		expect(by.get('long-header')!.threadId).toBe('<r0@x>');
		expect(by.get('nested-rfc822')!.attachments).toEqual([
			expect.objectContaining({ type: 'message/rfc822' }),
		]);
		expect(by.get('winmail')!.attachments).toEqual([
			expect.objectContaining({ name: 'winmail.dat', type: 'application/ms-tnef' }),
		]);
		expect(by.get('attachment-30mb')!.attachments).toEqual([
			{ name: 'big.bin', type: 'application/octet-stream', size: 30 * 1024 * 1024 },
		]);
		expect(new Date(by.get('bad-date')!.date as string).getTime()).toBeGreaterThan(
			Date.now() - 3600000,
		); // server receipt time
		expect(harness.fatal).toEqual([]);
	});
});
