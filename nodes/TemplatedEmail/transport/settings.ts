// crmMailSmtp credential data -> typed settings -> nodemailer options. No n8n imports.
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { EmailAddress } from '../../shared/addresses';
import { parseAddresses } from '../../shared/addresses';
import type { AccessTokenProvider } from '../../shared/oauth/tokenSource';
import type { DkimSettings } from '../message/build';

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface SmtpSettings {
	host: string;
	port: number;
	security: SmtpSecurity;
	user: string;
	/** `oauth2`: a connected OAuth2 credential, whose tokens come from `tokens` on every login. */
	authentication: 'password' | 'oauth2AccessToken' | 'oauth2';
	password: string;
	accessToken: string;
	tokens?: AccessTokenProvider;
	defaultSender: EmailAddress | undefined;
	/** The From must be one of these (always includes the default sender). */
	allowedSenders: EmailAddress[];
	/**
	 * Where delivery reports go (the envelope sender) instead of the From address, '' for the From. With tracking
	 * on it becomes a VERP address `local+<token>@domain` (nodes/shared/bounces/verp.ts).
	 */
	bounceAddress: string;
	dkim: DkimSettings | undefined;
	poolSize: number;
	/** 0 = unlimited */
	rateLimitPerSecond: number;
	allowSelfSigned: boolean;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

export function smtpSettingsFromCredentials(data: Record<string, unknown>): SmtpSettings {
	const security = (
		['tls', 'starttls', 'none'].includes(str(data.security)) ? str(data.security) : 'starttls'
	) as SmtpSecurity;
	const port = Number(data.port) > 0 ? Number(data.port) : security === 'tls' ? 465 : 587;
	const defaultAddress = parseAddresses(str(data.senderAddress)).addresses[0];
	const defaultSender = defaultAddress
		? { name: str(data.senderName) || defaultAddress.name, address: defaultAddress.address }
		: undefined;
	const allowed = parseAddresses(str(data.allowedSenders)).addresses;
	const allowedSenders =
		defaultSender && !allowed.some((a) => a.address === defaultSender.address)
			? [defaultSender, ...allowed]
			: allowed;
	const dkimDomain = str(data.dkimDomain);
	const dkimKey = str(data.dkimPrivateKey);
	return {
		host: str(data.host),
		port,
		security,
		user: str(data.user),
		authentication:
			data.authentication === 'oauth2AccessToken' || data.authentication === 'oauth2'
				? data.authentication
				: 'password',
		password: data.password === undefined || data.password === null ? '' : String(data.password),
		accessToken: str(data.accessToken),
		defaultSender,
		allowedSenders,
		bounceAddress: str(data.bounceAddress).replace(/^<|>$/g, '').toLowerCase(),
		dkim:
			dkimDomain && dkimKey
				? {
						domainName: dkimDomain,
						keySelector: str(data.dkimSelector) || 'default',
						privateKey: dkimKey.replace(/\\n/g, '\n'),
					}
				: undefined,
		poolSize: Math.max(1, Math.min(50, Number(data.poolSize) || 1)),
		rateLimitPerSecond: Math.max(0, Number(data.rateLimitPerSecond) || 0),
		allowSelfSigned: data.allowSelfSigned === true || data.allowSelfSigned === 'true',
	};
}

/** Pooled transport options. DKIM is NOT given to nodemailer: we sign the bytes ourselves (see message/build). */
export function transportOptions(
	s: SmtpSettings,
	extra: Partial<SMTPPool.Options> = {},
): SMTPPool.Options {
	const auth = !s.user
		? undefined
		: s.authentication === 'oauth2' && s.tokens
			? { type: 'OAuth2' as const, user: s.user, provisionCallback: provisionFrom(s.tokens) }
			: s.authentication === 'oauth2AccessToken'
				? { type: 'OAuth2' as const, user: s.user, accessToken: s.accessToken }
				: { user: s.user, pass: s.password };
	return {
		pool: true,
		host: s.host,
		port: s.port,
		secure: s.security === 'tls',
		requireTLS: s.security === 'starttls',
		ignoreTLS: s.security === 'none',
		auth,
		maxConnections: s.poolSize,
		maxMessages: Infinity,
		...(s.rateLimitPerSecond > 0 ? { rateDelta: 1000, rateLimit: s.rateLimitPerSecond } : {}),
		tls: s.allowSelfSigned ? { rejectUnauthorized: false } : { rejectUnauthorized: true },
		connectionTimeout: 15000,
		greetingTimeout: 15000,
		socketTimeout: 60000,
		logger: false,
		...extra,
	} as SMTPPool.Options;
}

/**
 * nodemailer asks for a token at every login, and again with `renew` after the server refused one (it retries
 * the login once). The token is reported as expiring at once, so no pooled connection logs in with a stale one.
 */
function provisionFrom(tokens: AccessTokenProvider) {
	let last: string | undefined;
	return (
		_user: string,
		renew: boolean,
		callback: (error: Error | null, token?: string, expires?: number) => void,
	) => {
		const next = renew && last ? tokens.renew(last) : tokens.token();
		next.then(
			(token) => {
				last = token;
				callback(null, token, Date.now() + 1);
			},
			(error: Error) => callback(error),
		);
	};
}

/** Whether `from` may be used with this account (case-insensitive address match). */
export function isAllowedSender(s: SmtpSettings, from: EmailAddress): boolean {
	return s.allowedSenders.some((a) => a.address === from.address);
}
