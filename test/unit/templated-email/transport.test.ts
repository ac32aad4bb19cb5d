import { explainSmtpError } from '../../../nodes/TemplatedEmail/transport/errors';
import {
	isAllowedSender,
	smtpSettingsFromCredentials,
	transportOptions,
} from '../../../nodes/TemplatedEmail/transport/settings';

describe('SMTP Account settings', () => {
	it('the default sender is always allowed; others come from the list; the From must be one of them', () => {
		const s = smtpSettingsFromCredentials({
			host: 'smtp.x.io',
			security: 'tls',
			senderName: 'Sales',
			senderAddress: 'Sales@Crm.local',
			allowedSenders: 'Anna <anna@crm.local>; support@crm.local',
		});
		expect(s.port).toBe(465);
		expect(s.defaultSender).toEqual({ name: 'Sales', address: 'sales@crm.local' });
		expect(s.allowedSenders.map((a) => a.address)).toEqual([
			'sales@crm.local',
			'anna@crm.local',
			'support@crm.local',
		]);
		expect(isAllowedSender(s, { name: '', address: 'anna@crm.local' })).toBe(true);
		expect(isAllowedSender(s, { name: '', address: 'ceo@crm.local' })).toBe(false);
		expect(
			smtpSettingsFromCredentials({ senderAddress: 'a@b.io' }).allowedSenders.map((a) => a.address),
		).toEqual(['a@b.io']);
	});
	it('security maps to nodemailer: TLS = implicit, STARTTLS = required upgrade, none = never upgrade; TLS verified by default', () => {
		const opts = (security: string, extra = {}) =>
			transportOptions(
				smtpSettingsFromCredentials({ host: 'h', security, ...extra }),
			) as unknown as Record<string, unknown>;
		expect(opts('tls')).toMatchObject({
			secure: true,
			requireTLS: false,
			ignoreTLS: false,
			port: 465,
			tls: { rejectUnauthorized: true },
		});
		expect(opts('starttls')).toMatchObject({ secure: false, requireTLS: true, port: 587 });
		expect(opts('none')).toMatchObject({ secure: false, ignoreTLS: true });
		expect(opts('tls', { allowSelfSigned: true })).toMatchObject({
			tls: { rejectUnauthorized: false },
		});
	});
	it('OAuth2 access token logs in with XOAUTH2; pool size and rate limit reach the pool', () => {
		const o = transportOptions(
			smtpSettingsFromCredentials({
				host: 'h',
				user: 'me@gmail.com',
				authentication: 'oauth2AccessToken',
				accessToken: 'ya29.x',
				password: 'unused',
				poolSize: 3,
				rateLimitPerSecond: 5,
			}),
		) as unknown as Record<string, unknown>;
		expect(o.auth).toEqual({ type: 'OAuth2', user: 'me@gmail.com', accessToken: 'ya29.x' });
		expect(o).toMatchObject({ pool: true, maxConnections: 3, rateLimit: 5, rateDelta: 1000 });
		const p = transportOptions(
			smtpSettingsFromCredentials({ host: 'h', user: 'u', password: 'p' }),
		) as unknown as Record<string, unknown>;
		expect(p.auth).toEqual({ user: 'u', pass: 'p' });
		expect(p.rateLimit).toBeUndefined();
	});
	it('a DKIM key pasted with literal \\n is usable; no DKIM without domain and key', () => {
		expect(
			smtpSettingsFromCredentials({
				dkimDomain: 'x.io',
				dkimSelector: 's1',
				dkimPrivateKey: '-----BEGIN PRIVATE KEY-----\\nAAA\\n-----END PRIVATE KEY-----',
			}).dkim,
		).toEqual({
			domainName: 'x.io',
			keySelector: 's1',
			privateKey: '-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----',
		});
		expect(smtpSettingsFromCredentials({ dkimDomain: 'x.io' }).dkim).toBeUndefined();
	});
});

describe('SMTP errors', () => {
	const s = {
		host: 'smtp.x.io',
		port: 587,
		security: 'starttls' as const,
		user: 'u',
		authentication: 'password' as const,
	};
	it('4xx is transient (retried); a drop or timeout without answer is an unknown outcome (never retried); 5xx is permanent with the server words', () => {
		expect(
			explainSmtpError({ responseCode: 451, response: '451 4.7.1 Greylisted' }, s),
		).toMatchObject({ transient: true, fatal: false });
		expect(
			explainSmtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, s),
		).toMatchObject({ transient: false, fatal: false, unknownOutcome: true });
		expect(
			explainSmtpError({ code: 'ETIMEDOUT', message: 'Timeout', command: 'CONN' }, s),
		).toMatchObject({ transient: false, fatal: false, unknownOutcome: true });
		expect(
			explainSmtpError(
				{
					code: 'EENVELOPE',
					command: 'MAIL FROM',
					responseCode: 553,
					response: '553 5.7.1 Sender address rejected: not owned by user u',
				},
				s,
			),
		).toMatchObject({ fatal: true, senderOnly: true, transient: false });
		const perm = explainSmtpError(
			{
				code: 'EENVELOPE',
				responseCode: 550,
				response: '550 5.1.1 No such user',
				rejected: ['x@y.io'],
			},
			s,
		);
		expect(perm).toMatchObject({
			transient: false,
			fatal: false,
			message: 'The SMTP server refused the message for x@y.io: 550 5.1.1 No such user',
		});
	});
	it('a timeout names port / security pairs; an expired OAuth2 token says so', () => {
		const t = explainSmtpError(
			{ code: 'ETIMEDOUT', message: 'Greeting never received', command: 'CONN' },
			{ ...s, port: 465 },
		);
		expect(t).toMatchObject({ fatal: true, transient: false });
		expect(t.description).toContain('Port 465 expects Security "TLS"');
		expect(
			explainSmtpError(
				{ code: 'EAUTH', responseCode: 535 },
				{ ...s, authentication: 'oauth2AccessToken' },
			).description,
		).toContain('expired');
	});
});
