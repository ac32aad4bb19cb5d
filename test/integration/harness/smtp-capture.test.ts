import nodemailer from 'nodemailer';
import {
	buildMessage,
	deliverLmtp,
	dovecotLib,
	newUser,
	openImap,
	sharedDovecot,
} from '../../harness/dovecot';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';

function transport(sink: SmtpCapture, extra: Record<string, unknown> = {}) {
	return nodemailer.createTransport({
		host: sink.host,
		port: sink.port,
		secure: sink.secure,
		tls: { rejectUnauthorized: false },
		connectionTimeout: 5000,
		...extra,
	});
}

describe('SMTP capture sink', () => {
	let sink: SmtpCapture;
	beforeAll(async () => {
		sink = await startSmtpCapture();
	});
	afterAll(async () => {
		await sink?.close();
	});
	beforeEach(() => sink.reset());

	it('records the envelope and the raw message', async () => {
		await transport(sink).sendMail({
			envelope: { from: 'bounce@test.local', to: ['a@test.local', 'b@test.local'] },
			from: 'Shop <shop@test.local>',
			to: 'a@test.local',
			subject: 'Order 42',
			text: 'Thanks',
		});
		const [m] = await sink.waitFor(1);
		expect(m.envelope).toEqual({
			mailFrom: 'bounce@test.local',
			rcptTo: ['a@test.local', 'b@test.local'],
		});
		expect(m.secure).toBe(false);
		const parsed = await parseCaptured(m.raw);
		expect(parsed.subject).toBe('Order 42');
		expect(parsed.text?.trim()).toBe('Thanks');
		expect(m.receivedAt).toBeInstanceOf(Date);
	});

	it('answers 4xx / 5xx on request; the sender sees that code', async () => {
		sink.failNext(1, { code: 451, message: 'Greylisted' });
		sink.failNext(1, { code: 550, message: 'Mailbox unavailable' });
		const t = transport(sink);
		const mail = { from: 'x@test.local', to: 'y@test.local', subject: 's', text: 't' };
		await expect(t.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
		await expect(t.sendMail(mail)).rejects.toMatchObject({ responseCode: 550 });
		await t.sendMail(mail); // the failures are used up
		expect(sink.messages).toHaveLength(1);
		expect(sink.rejected.map((r) => r.code)).toEqual([451, 550]);
	});

	it('failRcpt refuses one recipient with its code', async () => {
		sink.failRcpt('gone@test.local', 550, 'No such user');
		const t = transport(sink);
		await expect(
			t.sendMail({ from: 'x@test.local', to: 'gone@test.local', text: 't' }),
		).rejects.toMatchObject({ responseCode: 550 });
		const info = await t.sendMail({
			from: 'x@test.local',
			to: ['gone@test.local', 'ok@test.local'],
			text: 't',
		});
		expect(info.rejected).toEqual(['gone@test.local']);
		expect((await sink.waitFor(1))[0].envelope.rcptTo).toEqual(['ok@test.local']);
	});

	it('drops the connection at DATA; the sender sees a connection error', async () => {
		sink.dropNext(1);
		const t = transport(sink);
		const err = await t
			.sendMail({ from: 'x@test.local', to: 'y@test.local', text: 't' })
			.catch((e: unknown) => e);
		expect(err).toBeInstanceOf(Error);
		expect((err as { responseCode?: number }).responseCode).toBeUndefined();
		expect(String((err as { code?: string }).code)).toMatch(/ECONNECTION|ECONNRESET|ESOCKET/);
		expect(sink.messages).toHaveLength(0);
		await t.sendMail({ from: 'x@test.local', to: 'y@test.local', text: 't' });
		expect(sink.messages).toHaveLength(1);
	});

	it('waitFor rejects, saying how many arrived, when too few do', async () => {
		await expect(sink.waitFor(1, 100)).rejects.toThrow(
			/expected 1 message\(s\) within 100 ms, got 0/,
		);
	});
});

describe('SMTP capture sink with AUTH and TLS', () => {
	it('accepts the right credentials and rejects a wrong password with 535', async () => {
		const sink = await startSmtpCapture({ auth: { user: 'app', pass: 's3cret' } });
		try {
			await expect(
				transport(sink, { auth: { user: 'app', pass: 'wrong' } }).sendMail({
					from: 'x@test.local',
					to: 'y@test.local',
					text: 't',
				}),
			).rejects.toMatchObject({ responseCode: 535, code: 'EAUTH' });
			await expect(
				transport(sink).sendMail({ from: 'x@test.local', to: 'y@test.local', text: 't' }),
			).rejects.toMatchObject({
				responseCode: 530,
			});
			for (const method of ['PLAIN', 'LOGIN']) {
				await transport(sink, {
					auth: { user: 'app', pass: 's3cret' },
					authMethod: method,
				}).sendMail({
					from: 'x@test.local',
					to: 'y@test.local',
					text: method,
				});
			}
			expect(sink.messages.map((m) => m.authUser)).toEqual(['app', 'app']);
		} finally {
			await sink.close();
		}
	});

	it('offers STARTTLS with a self-signed certificate only when asked', async () => {
		const plain = await startSmtpCapture();
		const tls = await startSmtpCapture({ starttls: true });
		try {
			await expect(
				transport(plain, { requireTLS: true }).sendMail({
					from: 'x@test.local',
					to: 'y@test.local',
					text: 't',
				}),
			).rejects.toThrow(/STARTTLS/);
			await transport(tls, { requireTLS: true }).sendMail({
				from: 'x@test.local',
				to: 'y@test.local',
				text: 't',
			});
			expect(tls.messages[0].secure).toBe(true);
			await expect(
				transport(tls, { requireTLS: true, tls: { rejectUnauthorized: true } }).sendMail({
					from: 'x@test.local',
					to: 'y@test.local',
					text: 't',
				}),
			).rejects.toThrow(/self[- ]signed/i);
			await transport(tls, {
				requireTLS: true,
				tls: { ca: tls.certPem, servername: 'localhost' },
			}).sendMail({
				from: 'x@test.local',
				to: 'y@test.local',
				text: 'verified',
			});
			expect(tls.messages).toHaveLength(2);
		} finally {
			await plain.close();
			await tls.close();
		}
	});
});

describe('SMTP sink relaying into Dovecot LMTP (onMessage)', () => {
	it('answers 250 only after the message is in the Dovecot mailbox', async () => {
		const dv = await sharedDovecot();
		const user = newUser('relay');
		const sink = await startSmtpCapture({
			onMessage: ({ envelope, raw }) => deliverLmtp(dv, envelope.rcptTo, raw, envelope.mailFrom),
		});
		try {
			await transport(sink).sendMail({
				envelope: { from: 'x@test.local', to: [user.user] },
				raw: await buildMessage({ subject: 'relayed' }),
			});
			const client = await openImap(dv, user);
			const st = await client.status('INBOX', { messages: true });
			await client.logout();
			expect(st && st.messages).toBe(1);
			expect(sink.messages[0].envelope.rcptTo).toEqual([user.user]);
		} finally {
			await sink.close();
		}
	});

	it('answers 451 (sender retries later) when the relay fails, and does not record the message', async () => {
		const dv = await sharedDovecot();
		const [closedPort] = await dovecotLib.freePorts(1);
		const sink = await startSmtpCapture({
			onMessage: ({ envelope, raw }) =>
				deliverLmtp({ ...dv, lmtpPort: closedPort }, envelope.rcptTo, raw),
		});
		try {
			await expect(
				transport(sink).sendMail({ from: 'x@test.local', to: 'y@test.local', text: 't' }),
			).rejects.toMatchObject({
				responseCode: 451,
			});
			expect(sink.messages).toHaveLength(0);
			expect(sink.rejected.map((r) => r.code)).toEqual([451]);
		} finally {
			await sink.close();
		}
	});
});
