import * as fs from 'node:fs';
import * as net from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { buildMessage, newUser } from '../../harness/dovecot';
import { parseCaptured } from '../../harness/smtp-capture';
import { startOAuthMailServer, type OAuthMailServer } from '../../harness/oauth-mail';
import { startOAuth2Fake, type OAuth2Fake } from '../../fakes/oauth2/server';
import { postForm } from '../../fakes/oauth2/test-client';

const APP = { clientId: 'n8n-app', clientSecret: 'app-secret' };
// Dovecot introspects as a resource server with a client of its own
const DOVECOT = { clientId: 'dovecot', clientSecret: 'dovecot-secret' };
const TTL = 3;

interface ImapFailure {
	authenticationFailed?: boolean;
	serverResponseCode?: string;
	response?: string;
	oauthError?: unknown;
}

describe('OAuth2 mail server: Dovecot checks IMAP and SMTP bearer tokens against the fake', () => {
	let fake: OAuth2Fake;
	let mail: OAuthMailServer;
	const open: ImapFlow[] = [];

	beforeAll(async () => {
		fake = await startOAuth2Fake({ clients: [APP, DOVECOT], accessTokenTtlSeconds: TTL });
		mail = await startOAuthMailServer({ introspectionUrl: fake.introspectionUrl, ...DOVECOT });
	});
	afterAll(async () => {
		await Promise.all(open.map((c) => c.logout().catch(() => undefined)));
		await mail?.stop();
		await fake?.close();
	});

	const log = () => fs.readFileSync(mail.logPath, 'utf8');
	/** The auth process's lines about user's logins: why a token was refused. */
	const authLog = (user: string) =>
		log()
			.split('\n')
			.filter((l) => l.includes(`auth: Info: oauth2(${user},`))
			.join('\n');

	function imapClient(user: string, accessToken: string, extra: Partial<ImapFlowOptions> = {}) {
		const client = new ImapFlow({
			host: mail.host,
			port: mail.imapPort,
			secure: false,
			doSTARTTLS: false,
			auth: { user, accessToken },
			logger: false,
			connectionTimeout: 10000,
			...extra,
		});
		client.on('error', () => {}); // surfaced through connect()'s rejection
		open.push(client);
		return client;
	}

	const imapLoginFails = async (user: string, token: string): Promise<ImapFailure> => {
		const err = await imapClient(user, token)
			.connect()
			.then(() => undefined)
			.catch((e: ImapFailure) => e);
		if (!err) throw new Error('the IMAP login succeeded');
		return err;
	};

	const smtpSend = (user: string, accessToken: string, subject = 'Hello') =>
		nodemailer
			.createTransport({
				host: mail.host,
				port: mail.submissionPort,
				secure: false,
				ignoreTLS: true,
				auth: { type: 'OAuth2', user, accessToken },
				logger: false,
			})
			.sendMail({ from: user, to: 'customer@example.test', subject, text: 'Hi there.' });

	/** AUTHENTICATE XOAUTH2 by hand (imapflow prefers OAUTHBEARER when offered); returns the server's lines. */
	function imapXoauth2(user: string, token: string): Promise<string[]> {
		const payload = Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
		return new Promise((resolve, reject) => {
			const lines: string[] = [];
			let buf = '';
			const socket = net.connect(mail.imapPort, mail.host);
			socket.setTimeout(10000, () => socket.destroy(new Error('XOAUTH2 exchange timed out')));
			socket.on('error', reject);
			socket.on('data', (d) => {
				buf += d.toString('utf8');
				let i;
				while ((i = buf.indexOf('\r\n')) >= 0) {
					const line = buf.slice(0, i);
					buf = buf.slice(i + 2);
					lines.push(line);
					if (line.startsWith('* OK') && lines.length === 1)
						socket.write(`a AUTHENTICATE XOAUTH2 ${payload}\r\n`);
					else if (line.startsWith('+ '))
						socket.write('\r\n'); // XOAUTH2: an empty answer ends it
					else if (/^a (OK|NO|BAD)/.test(line)) {
						socket.end('b LOGOUT\r\n');
						resolve(lines);
					}
				}
			});
		});
	}

	it('logs in to IMAP with a valid token (OAUTHBEARER) and sees what deliver() put in the INBOX', async () => {
		const { user } = newUser('oauth-imap');
		const tokens = fake.issueTokens(user, APP.clientId);
		await mail.deliver(user, await buildMessage({ to: user, subject: 'Delivered over LMTP' }));
		const active = fake.stats.activeIntrospections;
		const client = imapClient(user, tokens.access_token);
		await client.connect();
		expect(fake.stats.activeIntrospections).toBe(active + 1);
		const lock = await client.getMailboxLock('INBOX');
		try {
			const msg = await client.fetchOne('*', { envelope: true });
			expect(msg && msg.envelope?.subject).toBe('Delivered over LMTP');
		} finally {
			lock.release();
		}
		await client.logout();
		expect(log()).toContain(`imap-login: Info: Login: user=<${user}>, method=OAUTHBEARER`);
	});

	it('logs in with XOAUTH2 too, and answers a bad XOAUTH2 token with the JSON error Google clients expect', async () => {
		const { user } = newUser('oauth-xoauth2');
		const tokens = fake.issueTokens(user, APP.clientId);
		const ok = await imapXoauth2(user, tokens.access_token);
		expect(ok[ok.length - 1]).toMatch(/^a OK .*Logged in/);
		const refused = await imapXoauth2(user, 'not-a-token');
		const challenge = refused.find((l) => l.startsWith('+ '))!;
		expect(JSON.parse(Buffer.from(challenge.slice(2), 'base64').toString('utf8'))).toEqual({
			status: '401',
			schemes: 'bearer',
			scope: 'mail',
		});
		expect(refused[refused.length - 1]).toBe('a NO [AUTHENTICATIONFAILED] Authentication failed.');
	});

	it('offers STARTTLS with its self-signed certificate', async () => {
		const { user } = newUser('oauth-tls');
		const tokens = fake.issueTokens(user, APP.clientId);
		const client = imapClient(user, tokens.access_token, {
			doSTARTTLS: true,
			tls: { ca: mail.certPem, servername: 'localhost' },
		});
		await client.connect();
		expect(client.secureConnection).toBe(true);
		await client.logout();
	});

	it('sends over SMTP submission with a valid token (XOAUTH2) and relays to the sink', async () => {
		const { user } = newUser('oauth-smtp');
		const tokens = fake.issueTokens(user, APP.clientId);
		mail.sink.reset();
		const info = await smtpSend(user, tokens.access_token, 'Sent with a bearer token');
		expect(info.accepted).toEqual(['customer@example.test']);
		const [relayed] = await mail.sink.waitFor(1);
		expect(relayed.envelope).toEqual({ mailFrom: user, rcptTo: ['customer@example.test'] });
		expect((await parseCaptured(relayed)).subject).toBe('Sent with a bearer token');
		expect(log()).toContain(`submission-login: Info: Login: user=<${user}>, method=XOAUTH2`);
	});

	it('refuses an expired token on IMAP and SMTP, keeps an open session, and accepts the refreshed token', async () => {
		const { user } = newUser('oauth-expiry');
		const tokens = fake.issueTokens(user, APP.clientId);
		const session = imapClient(user, tokens.access_token);
		await session.connect();
		await new Promise((r) => setTimeout(r, TTL * 1000 + 200));

		expect(authLog(user)).toBe(''); // the login before the expiry was not refused
		const inactive = () => fake.stats.introspections - fake.stats.activeIntrospections;
		const inactiveBefore = inactive();
		const imap = await imapLoginFails(user, tokens.access_token);
		expect(imap).toMatchObject({
			authenticationFailed: true,
			serverResponseCode: 'AUTHENTICATIONFAILED',
			oauthError: { status: 'invalid_token' },
		});
		const smtp = await smtpSend(user, tokens.access_token).catch((e: Record<string, unknown>) => e);
		expect(smtp).toMatchObject({ code: 'EAUTH', responseCode: 535, command: 'AUTH XOAUTH2' });
		// one IMAP attempt; nodemailer tries AUTH XOAUTH2 twice with the same token (no refresh source given)
		expect(inactive() - inactiveBefore).toBe(3);
		expect(authLog(user)).toContain(
			'oauth2 failed: Introspection failed: Provided token is not valid',
		);

		// Dovecot checks the token at AUTHENTICATE only: the session opened before the expiry goes on working
		await mail.deliver(user, await buildMessage({ to: user, subject: 'After expiry' }));
		const status = await session.status('INBOX', { messages: true });
		expect(status && status.messages).toBe(1);
		await session.logout();

		const refreshed = await postForm(
			fake.tokenUrl,
			{ grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
			{ body: APP },
		);
		const again = imapClient(user, refreshed.json.access_token as string);
		await again.connect();
		await again.logout();
	});

	it('refuses a revoked token and a token presented for another user', async () => {
		const { user } = newUser('oauth-revoked');
		const tokens = fake.issueTokens(user, APP.clientId);
		fake.revoke(tokens.refresh_token); // takes the access token along
		expect(await imapLoginFails(user, tokens.access_token)).toMatchObject({
			authenticationFailed: true,
		});
		expect(authLog(user)).toContain('Provided token is not valid');
		const other = newUser('oauth-other').user;
		const theirs = fake.issueTokens(other, APP.clientId);
		expect(await imapLoginFails(user, theirs.access_token)).toMatchObject({
			authenticationFailed: true,
		});
		// Dovecot compares the SASL user with the introspected `email`
		expect(authLog(user)).toContain(
			`oauth2 failed: Introspection failed: Username '${user}' did not match '${other}'`,
		);
	});
});
