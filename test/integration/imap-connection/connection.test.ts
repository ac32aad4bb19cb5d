// The IMAP credential against a real Dovecot: every way a no-code admin gets the settings wrong must fail
// quickly (our 15 s connect deadline, never a hang) with a message that names the cause and says what to check.
import * as net from 'node:net';
import { startDovecot, type DovecotHandle } from '../../harness/dovecot';
import {
	connectImap,
	closeImap,
	explainImapError,
	imapSettingsFromCredentials,
	testImapConnection,
	type ImapSettings,
} from '../../../nodes/shared/imap/connection';
import { findSpecialUse, folderOptions, listFolders } from '../../../nodes/shared/imap/folders';

const NAMED = {
	user: 'alice@named.local',
	pass: process.env.TEST_IMAP_NAMED_PASS ?? 'correct-horse',
};
const WRONG = ['wrong', 'guess', '123'].join('-');
const BOGUS_TOKEN = ['ya29', 'bogus'].join('.');
let dv: DovecotHandle;

beforeAll(async () => {
	dv = await startDovecot({ users: [NAMED] });
});
afterAll(async () => {
	await dv?.stop();
});

function settings(over: Partial<ImapSettings> = {}): ImapSettings {
	return {
		host: dv.host,
		port: dv.imapPort,
		security: 'none',
		user: NAMED.user,
		authentication: 'password',
		password: NAMED.pass,
		allowSelfSigned: false,
		...over,
	};
}

/** Runs the credential test and also measures that it ended by our deadline (it must never hang). */
async function timedTest(s: ImapSettings) {
	const started = Date.now();
	const result = await testImapConnection(s);
	return { result, elapsed: Date.now() - started };
}

async function freePort(): Promise<number> {
	return await new Promise((resolve) => {
		const srv = net.createServer();
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as net.AddressInfo).port;
			srv.close(() => resolve(port));
		});
	});
}

describe('credential fields', () => {
	test('credential data is read with defaults and loose types', () => {
		const s = imapSettingsFromCredentials({
			host: ' imap.example.com ',
			port: '143',
			security: 'starttls',
			user: 'u',
			password: 'p',
		});
		expect(s).toEqual({
			host: 'imap.example.com',
			port: 143,
			security: 'starttls',
			user: 'u',
			authentication: 'password',
			password: 'p',
			accessToken: undefined,
			allowSelfSigned: false,
		});
		expect(imapSettingsFromCredentials({ host: 'h', user: 'u' }).port).toBe(993);
	});

	test('empty host is reported without connecting', async () => {
		const r = await testImapConnection(settings({ host: '' }));
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(/Host is empty/);
	});
});

describe('connection test against Dovecot', () => {
	test('correct settings: OK, logs in and lists folders', async () => {
		const r = await testImapConnection(settings());
		expect(r).toEqual({
			status: 'OK',
			message: expect.stringMatching(/Connected as alice@named\.local; \d+ folder\(s\) found/),
		});
	});

	test('STARTTLS on 143 with allowSelfSigned works; TLS on 993 too', async () => {
		expect(
			(await testImapConnection(settings({ security: 'starttls', allowSelfSigned: true }))).status,
		).toBe('OK');
		expect(
			(
				await testImapConnection(
					settings({ security: 'tls', port: dv.imapsPort, allowSelfSigned: true }),
				)
			).status,
		).toBe('OK');
	});

	test('wrong password for a named user: authentication failed, with app-password advice, secret not echoed', async () => {
		const { result } = await timedTest(settings({ password: WRONG }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Authentication failed for "alice@named\.local"/);
		expect(result.message).toMatch(/app password/);
		expect(result.message).toMatch(/IMAP must be enabled/);
		expect(result.message).not.toContain(WRONG);
	});

	test('OAuth2 token refused: the description talks about the token, not the password', async () => {
		const s = settings({ accessToken: BOGUS_TOKEN });
		s.authentication = 'oauth2AccessToken';
		let caught: unknown;
		await connectImap(s).catch((e) => (caught = e));
		expect(caught).toBeDefined();
		const ex = explainImapError(caught, s);
		expect(ex.message).toMatch(/Authentication failed|closed the connection|IMAP error/);
		if (/Authentication failed/.test(ex.message)) expect(ex.description).toMatch(/access token/);
	});

	test('wrong port (nothing listening): connection refused, port advice', async () => {
		const { result, elapsed } = await timedTest(settings({ port: await freePort() }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Connection refused by 127\.0\.0\.1:\d+/);
		expect(result.message).toMatch(/993 with Security "TLS"/);
		expect(elapsed).toBeLessThan(15000);
	});

	test('TLS on the plaintext port: TLS handshake failed, port/security mismatch', async () => {
		const { result, elapsed } = await timedTest(
			settings({ security: 'tls', allowSelfSigned: true }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/TLS handshake with 127\.0\.0\.1:\d+ failed: the port and the Security setting do not match/,
		);
		expect(elapsed).toBeLessThan(15000);
	});

	test('plaintext on the TLS port: no greeting, says the port wants TLS', async () => {
		const { result, elapsed } = await timedTest(settings({ port: dv.imapsPort, security: 'none' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/sent no IMAP greeting|closed the connection|port and the Security setting/,
		);
		expect(result.message).toMatch(/Security should be "TLS"|993 with Security "TLS"/);
		expect(elapsed).toBeLessThan(15000);
	});

	test('STARTTLS to the TLS port fails the same clear way', async () => {
		const { result, elapsed } = await timedTest(
			settings({ port: dv.imapsPort, security: 'starttls' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/993 with Security "TLS"/);
		expect(elapsed).toBeLessThan(15000);
	});

	test('self-signed certificate: rejected by default, accepted with allowSelfSigned', async () => {
		const rejected = await testImapConnection(settings({ security: 'tls', port: dv.imapsPort }));
		expect(rejected.status).toBe('Error');
		expect(rejected.message).toMatch(/TLS certificate was rejected/);
		expect(rejected.message).toMatch(/Allow Self-Signed Certificates/);
		const starttls = await testImapConnection(settings({ security: 'starttls' }));
		expect(starttls.message).toMatch(/TLS certificate was rejected/);
		const accepted = await testImapConnection(
			settings({ security: 'tls', port: dv.imapsPort, allowSelfSigned: true }),
		);
		expect(accepted.status).toBe('OK');
	});

	// 10.255.255.1 is non-routable. (In some sandboxes a transparent proxy accepts the TCP connection and then
	// stays silent, resets it, or even answers TLS on 993; port 143 with Security "None" fails within the deadline.)
	test('unreachable host (black hole): fails by our deadline with a timeout message, never hangs', async () => {
		const { result, elapsed } = await timedTest(
			settings({ host: '10.255.255.1', port: 143, security: 'none' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/Timed out connecting to 10\.255\.255\.1:143|10\.255\.255\.1:143 accepted the connection but sent no IMAP greeting|10\.255\.255\.1:143 closed the connection/,
		);
		expect(result.message).toMatch(/firewall|port/);
		expect(elapsed).toBeLessThan(15500);
	}, 30000);

	test('unknown host name: DNS error', async () => {
		const { result } = await timedTest(settings({ host: 'no-such-host.invalid' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/IMAP host "no-such-host\.invalid" was not found \(DNS\)/);
	});

	test('a short connect deadline is honoured and the socket is not leaked', async () => {
		const s = settings({ host: '10.255.255.1', port: 143 });
		const started = Date.now();
		let caught: { code?: string } | undefined;
		await connectImap(s, { connectTimeoutMs: 1000 }).catch((e) => (caught = e));
		expect(caught?.code).toMatch(/CONNECT_TIMEOUT|ETIMEDOUT/);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(explainImapError(caught, s).message).toMatch(/Timed out/);
	});
});

describe('folders', () => {
	test('listFolders, folderOptions and findSpecialUse', async () => {
		const client = await connectImap(settings());
		try {
			await client.mailboxCreate('Projects/Acme').catch(() => undefined);
			const folders = await listFolders(client);
			expect(folders[0].path).toBe('INBOX');
			expect(folders.map((f) => f.path)).toContain('Projects/Acme');
			const opts = folderOptions(folders);
			expect(opts).toContainEqual({ name: 'Projects/Acme', value: 'Projects/Acme' });
			const sent = await findSpecialUse(client, '\\Sent');
			if (sent) expect(opts.find((o) => o.value === sent)?.description).toMatch(/Sent mail folder/);
		} finally {
			await closeImap(client);
		}
	});
});
