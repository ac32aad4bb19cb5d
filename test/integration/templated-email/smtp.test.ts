import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import type { INodeType } from 'n8n-workflow';
import { imapConfig, newUser, openImap, sharedDovecot } from '../../harness/dovecot';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { outputOf, packageNodes, runWorkflow } from '../../harness/workflow';
import { testCredential } from '../../harness/node-methods';
import { NODE, sendWorkflow, smtpCredential } from '../../workflow/templated-email/helpers';
import { verifySmtp } from '../../../nodes/TemplatedEmail/transport/sender';
import { smtpSettingsFromCredentials } from '../../../nodes/TemplatedEmail/transport/settings';
import { verifyDkim } from './dkim-verify';

const node = () => packageNodes().get('n8n-nodes-crm-mail.templatedEmail') as INodeType;
const params = {
	to: '={{ $json.email }}',
	subject: 'Счёт для {{name}}',
	html: '<p>Hello {{name}}</p>',
	options: { retryDelay: 10 },
};

describe('SMTP Account credential test (connect + TLS + login)', () => {
	let authSink: SmtpCapture;
	let tlsSink: SmtpCapture;
	let starttlsSink: SmtpCapture;
	beforeAll(async () => {
		authSink = await startSmtpCapture({ auth: { user: 'sales@crm.local', pass: 'app-pass' } });
		tlsSink = await startSmtpCapture({ secure: true });
		starttlsSink = await startSmtpCapture({ starttls: true, auth: { user: 'u', pass: 'p' } });
	});
	afterAll(async () => {
		await Promise.all([authSink?.close(), tlsSink?.close(), starttlsSink?.close()]);
	});
	const test = (data: Record<string, unknown>) =>
		testCredential(node(), 'crmMailSmtp', data as never);

	it('OK when it connects and logs in', async () => {
		const r = await test(
			smtpCredential(authSink, { user: 'sales@crm.local', password: 'app-pass' }),
		);
		expect(r).toEqual({
			status: 'OK',
			message: `Connected to 127.0.0.1:${authSink.port} and logged in`,
		});
	});
	it('a wrong password names the login and suggests an app password', async () => {
		const r = await test(
			smtpCredential(authSink, { user: 'sales@crm.local', password: 'normal-password' }),
		);
		expect(r.status).toBe('Error');
		expect(r.message).toContain('rejected the login for "sales@crm.local"');
		expect(r.message).toContain('app password');
	});
	it('a refused port says so and names host and port', async () => {
		const free = net.createServer();
		await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
		const port = (free.address() as net.AddressInfo).port;
		await new Promise<void>((r) => free.close(() => r()));
		const r = await test(smtpCredential({ host: '127.0.0.1', port }));
		expect(r.message).toContain(`The SMTP server 127.0.0.1:${port} refused the connection`);
	});
	it('an unknown host is a DNS error', async () => {
		const r = await test(smtpCredential({ host: 'no-such-host.invalid', port: 25 }));
		expect(r.message).toContain('"no-such-host.invalid" was not found (DNS)');
	});
	it('TLS against a plain port: a TLS/port mismatch with the usual pairs', async () => {
		const r = await test(smtpCredential(authSink, { security: 'tls' }));
		expect(r.message).toMatch(/TLS handshake .* failed|No answer/);
		expect(r.message).toContain('port 465 with Security "TLS"');
	});
	it('a self-signed certificate is refused by default and accepted when allowed', async () => {
		const refused = await test(smtpCredential(tlsSink, { security: 'tls' }));
		expect(refused.message).toContain('is not trusted');
		expect(
			await test(smtpCredential(tlsSink, { security: 'tls', allowSelfSigned: true })),
		).toMatchObject({ status: 'OK' });
		expect(
			await test(
				smtpCredential(starttlsSink, {
					security: 'starttls',
					allowSelfSigned: true,
					user: 'u',
					password: 'p',
				}),
			),
		).toMatchObject({ status: 'OK' });
	});
	it('a server that never greets: a timeout that names host, port and the TLS pairing', async () => {
		const silent = net.createServer(() => undefined);
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
		const port = (silent.address() as net.AddressInfo).port;
		try {
			const r = await verifySmtp(
				smtpSettingsFromCredentials(smtpCredential({ host: '127.0.0.1', port })),
				800,
			);
			expect(r.ok).toBe(false);
			if (!r.ok) {
				expect(r.error.message).toBe(`No answer from the SMTP server 127.0.0.1:${port} in time`);
				expect(r.error.description).toContain('port 465 with Security "TLS"');
			}
		} finally {
			await new Promise<void>((r) => silent.close(() => r()));
		}
	});
	it('STARTTLS required but not offered is named', async () => {
		const plain = await startSmtpCapture();
		try {
			const r = await test(smtpCredential(plain, { security: 'starttls' }));
			expect(r.message).toContain('does not offer STARTTLS');
		} finally {
			await plain.close();
		}
	});
});

describe('DKIM', () => {
	let sink: SmtpCapture;
	beforeAll(async () => {
		sink = await startSmtpCapture();
	});
	afterAll(async () => sink?.close());

	it('signs with the credential key; the signature verifies with the public key (RFC 6376 verifier), and fails once tampered', async () => {
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const creds = {
			crmMailSmtp: smtpCredential(sink, {
				dkimDomain: 'crm.local',
				dkimSelector: 'n8n',
				dkimPrivateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
			}),
		};
		const wf = sendWorkflow({
			...params,
			options: {
				...params.options,
				headers: {
					header: [{ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' }],
				},
			},
		});
		await runWorkflow(wf, {
			credentials: creds,
			input: [{ json: { email: 'c@client.local', name: 'Анна' } }],
		});
		const [m] = await sink.waitFor(1);
		const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
		const result = verifyDkim(m.raw, pem);
		expect(result).toMatchObject({ ok: true, domain: 'crm.local', selector: 'n8n' });
		expect(result.signedHeaders).toEqual(
			expect.arrayContaining(['from', 'subject', 'to', 'message-id', 'list-unsubscribe-post']),
		);
		const tampered = Buffer.from(
			m.raw.toString('binary').replace(/^Subject: .*$/m, 'Subject: changed'),
			'binary',
		);
		expect(verifyDkim(tampered, pem)).toMatchObject({ ok: false, reason: 'signature mismatch' });
		const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
			.publicKey.export({ type: 'spki', format: 'pem' })
			.toString();
		expect(verifyDkim(m.raw, otherKey).ok).toBe(false);
	});
});

describe('Copy to Sent (Dovecot)', () => {
	let sink: SmtpCapture;
	beforeAll(async () => {
		sink = await startSmtpCapture();
	});
	afterAll(async () => sink?.close());

	it('appends exactly the bytes the SMTP server received, marked seen', async () => {
		const dv = await sharedDovecot();
		const user = newUser('sent');
		const imap = imapConfig(dv, user);
		const credentials = {
			crmMailSmtp: smtpCredential(sink),
			crmMailImap: {
				host: imap.host,
				port: imap.port,
				security: 'none',
				user: imap.user,
				authentication: 'password',
				password: imap.password,
				allowSelfSigned: false,
			},
		};
		const wf = sendWorkflow({ ...params, copyToSent: true }, { imap: true });
		const run = await runWorkflow(wf, {
			credentials,
			input: [
				{ json: { email: 'a@client.local', name: 'A' } },
				{ json: { email: 'b@client.local', name: 'B' } },
			],
		});
		expect(run.data.resultData.error).toBeUndefined();
		const out = outputOf(run, NODE);
		expect(out[0].json.copyToSent).toMatchObject({ folder: 'Sent' });
		await sink.waitFor(2);
		const client = await openImap(dv, user);
		try {
			await client.mailboxOpen('Sent');
			const stored = [];
			for await (const msg of client.fetch('1:*', { source: true, flags: true, envelope: true }))
				stored.push(msg);
			expect(stored).toHaveLength(2);
			for (const msg of stored) {
				const sent = sink.messages.find(
					(m) => m.envelope.rcptTo[0] === msg.envelope!.to![0].address,
				)!;
				expect(Buffer.compare(msg.source!, sent.raw)).toBe(0);
				expect(msg.flags!.has('\\Seen')).toBe(true);
			}
		} finally {
			await client.logout();
		}
	});
});
