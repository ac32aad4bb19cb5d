// IMAP connection handling shared by the IMAP nodes: credential fields -> imapflow options, a connect with a
// hard deadline (a black-holed host must fail in seconds, not after the OS TCP timeout), and errors explained
// in words a no-code admin can act on. No n8n imports: tested directly against Dovecot.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Describable } from '../failure';
import { isReconnectError, type AccessTokenProvider } from '../oauth/tokenSource';

export type ImapSecurity = 'tls' | 'starttls' | 'none';
/** `oauth2`: a connected OAuth2 credential, whose tokens are refreshed; `oauth2AccessToken`: a raw token. */
export type ImapAuthentication = 'password' | 'oauth2AccessToken' | 'oauth2';

export interface ImapSettings {
	host: string;
	port: number;
	security: ImapSecurity;
	user: string;
	authentication: ImapAuthentication;
	password?: string;
	accessToken?: string;
	/** With `oauth2`: where the access tokens come from (asked on every login). */
	tokens?: AccessTokenProvider;
	allowSelfSigned: boolean;
}

/** Anything with n8n-Logger-like methods (n8n's `this.logger` fits). */
export interface ImapLogger {
	debug(message: string, meta?: object): void;
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	error(message: string, meta?: object): void;
}

export interface ConnectImapOptions {
	/** Overall deadline for TCP + TLS + greeting + login; default 15000 ms. */
	connectTimeoutMs?: number;
	logger?: ImapLogger;
	/** Extra imapflow options (e.g. disableAutoIdle, qresync, socketTimeout). */
	extra?: Partial<ImapFlowOptions>;
}

export interface ExplainedImapError {
	message: string;
	description: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15000;

/** Reads the crmMailImap credential's data (types are loose there: numbers may come as strings). */
export function imapSettingsFromCredentials(data: Record<string, unknown>): ImapSettings {
	const security = String(data.security ?? 'tls') as ImapSecurity;
	const authentication = String(data.authentication ?? 'password') as ImapAuthentication;
	const port = Number(data.port ?? (security === 'tls' ? 993 : 143));
	return {
		host: String(data.host ?? '').trim(),
		port: Number.isFinite(port) && port > 0 ? port : security === 'tls' ? 993 : 143,
		security: ['tls', 'starttls', 'none'].includes(security) ? security : 'tls',
		user: String(data.user ?? '').trim(),
		authentication: authentication === 'oauth2AccessToken' ? 'oauth2AccessToken' : 'password',
		password:
			data.password === undefined || data.password === null ? undefined : String(data.password),
		accessToken:
			data.accessToken === undefined || data.accessToken === null
				? undefined
				: String(data.accessToken),
		allowSelfSigned: data.allowSelfSigned === true || data.allowSelfSigned === 'true',
	};
}

function loggerAdapter(logger: ImapLogger): NonNullable<ImapFlowOptions['logger']> {
	// imapflow logs objects ({ msg, cid, ... }); raw protocol lines are not enabled, and imapflow masks credentials.
	const wrap = (fn: (m: string, meta?: object) => void) => (obj: unknown) => {
		const o = (obj ?? {}) as { msg?: unknown; cid?: unknown; err?: { message?: string } };
		const msg = typeof o.msg === 'string' ? o.msg : (o.err?.message ?? 'imap');
		fn.call(logger, `imap: ${msg}`, { cid: o.cid });
	};
	// imapflow's warn/error entries are about failures we report ourselves (with an explanation): debug level
	return {
		debug: wrap(logger.debug),
		info: wrap(logger.debug),
		warn: wrap(logger.debug),
		error: wrap(logger.debug),
	};
}

/** imapflow options for the settings. `extra` wins over the computed values. */
export function imapFlowOptions(
	settings: ImapSettings,
	extra: Partial<ImapFlowOptions> = {},
): ImapFlowOptions {
	const auth =
		settings.authentication !== 'password'
			? { user: settings.user, accessToken: settings.accessToken ?? '' }
			: { user: settings.user, pass: settings.password ?? '' };
	return {
		host: settings.host,
		port: settings.port,
		secure: settings.security === 'tls',
		// 'starttls' requires the upgrade (never silently falls back to cleartext); 'none' never upgrades
		doSTARTTLS: settings.security === 'tls' ? undefined : settings.security === 'starttls',
		auth,
		tls: {
			rejectUnauthorized: !settings.allowSelfSigned,
			servername: isIp(settings.host) ? undefined : settings.host,
		},
		logger: false,
		connectionTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
		greetingTimeout: 10000,
		clientInfo: { name: 'n8n-nodes-crm-mail' },
		...extra,
	};
}

function isIp(host: string): boolean {
	return /^[\d.]+$/.test(host) || host.includes(':');
}

/** An Error with the imapflow/Node code kept, used for our own deadline. */
class ImapConnectTimeout extends Error {
	code = 'CONNECT_TIMEOUT';
}

/**
 * A connected, logged-in client. An 'error' listener is always attached (an unhandled one would crash n8n);
 * on failure or deadline the socket is closed, never leaked. Caller ends it with `closeImap`.
 */
export async function connectImap(
	settings: ImapSettings,
	opts: ConnectImapOptions = {},
): Promise<ImapFlow> {
	const tokens = settings.authentication === 'oauth2' ? settings.tokens : undefined;
	if (!tokens) return await connectOnce(settings, opts);
	// a fresh token on every login; a refused one is renewed once (it may have expired or been revoked early)
	const token = await tokens.token();
	try {
		return await connectOnce({ ...settings, accessToken: token }, opts);
	} catch (error) {
		if (!isAuthenticationFailure(error)) throw error;
		opts.logger?.debug('imap: the OAuth2 access token was refused; renewing it');
		return await connectOnce({ ...settings, accessToken: await tokens.renew(token) }, opts);
	}
}

const isAuthenticationFailure = (error: unknown) => {
	const e = error as { authenticationFailed?: boolean; serverResponseCode?: string };
	return e?.authenticationFailed === true || e?.serverResponseCode === 'AUTHENTICATIONFAILED';
};

async function connectOnce(settings: ImapSettings, opts: ConnectImapOptions): Promise<ImapFlow> {
	const deadline = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
	const client = new ImapFlow(
		imapFlowOptions(settings, {
			connectionTimeout: deadline,
			greetingTimeout: Math.min(10000, deadline),
			...(opts.logger ? { logger: loggerAdapter(opts.logger) } : {}),
			...opts.extra,
		}),
	);
	client.on('error', (error: Error) => {
		opts.logger?.debug(`imap: connection error: ${error.message}`);
	});
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					new ImapConnectTimeout(
						`No answer from ${settings.host}:${settings.port} within ${deadline / 1000} s`,
					),
				),
			deadline,
		);
	});
	try {
		await Promise.race([client.connect(), timeout]);
		return client;
	} catch (error) {
		client.close();
		// plain module (no n8n imports): callers turn this into a NodeOperationError via explainImapError
		throw error;
	} finally {
		clearTimeout(timer);
	}
}

/** Logs out politely (bounded), then makes sure the socket is gone. Never throws. */
export async function closeImap(client: ImapFlow | undefined, timeoutMs = 5000): Promise<void> {
	if (!client) return;
	let timer: NodeJS.Timeout | undefined;
	try {
		if (client.usable) {
			await Promise.race([
				client.logout().catch(() => undefined),
				new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
			]);
		}
	} finally {
		clearTimeout(timer);
		client.close();
	}
}

const where = (s: ImapSettings) => `${s.host}:${s.port}`;
const PAIRING =
	'Usual pairs: port 993 with Security "TLS", port 143 with "STARTTLS" (or "None" only on a trusted network).';

interface ErrorLike {
	message?: string;
	code?: string;
	authenticationFailed?: boolean;
	tlsFailed?: boolean;
	responseText?: string;
	serverResponseCode?: string;
	reason?: string;
}

/** What went wrong, and what the admin should check, for any connect/login error. */
export function explainImapError(error: unknown, settings: ImapSettings): ExplainedImapError {
	const e = (error ?? {}) as ErrorLike;
	const code = String(e.code ?? '');
	const raw = String(e.message ?? error ?? 'unknown error');
	const text = `${raw} ${e.responseText ?? ''} ${e.reason ?? ''}`.toLowerCase();
	const token = settings.authentication !== 'password';

	// our own token errors (reconnect the credential, a refused stored token) already say what to do
	if (isReconnectError(error) || typeof (error as Describable)?.describe === 'function') {
		const described = (error as Describable).describe();
		return { message: described.message, description: described.description ?? '' };
	}
	if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
		return {
			message: `Authentication failed for "${settings.user}" on ${where(settings)}${e.responseText ? `: ${e.responseText}` : ''}`,
			description: settings.tokens
				? "The server refused the OAuth2 access token, also a freshly refreshed one. Check that the credential's mailbox address is the account you signed in with, that the app was granted the IMAP scope (Gmail: https://mail.google.com/, Microsoft 365: IMAP.AccessAsUser.All) and that IMAP is enabled for the mailbox (Microsoft 365: an admin may need to allow IMAP for the user)."
				: token
					? 'The server refused the OAuth2 access token. Check that it has not expired, that it was issued for this user and with the IMAP scope (Gmail: https://mail.google.com/, Outlook: IMAP.AccessAsUser.All), and that IMAP is enabled for the mailbox.'
					: 'Check the user name (usually the full email address) and the password. Gmail, Outlook.com, Yahoo and Yandex need an app password when two-step verification is on, and IMAP must be enabled in the mailbox settings at the provider.',
		};
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
		return {
			message: `The IMAP host "${settings.host}" was not found (DNS)`,
			description:
				'Check the Host field for typos (e.g. imap.gmail.com, outlook.office365.com) and that the n8n server can resolve names.',
		};
	}
	if (code === 'ECONNREFUSED') {
		return {
			message: `Connection refused by ${where(settings)}: nothing accepts IMAP connections on this port`,
			description: `Check the port and that the IMAP service is running and reachable from the n8n server (firewall). ${PAIRING}`,
		};
	}
	if (
		/cert|self[- ]signed|unable to verify|altname|hostname\/ip does not match/.test(text) ||
		/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)
	) {
		return {
			message: `The server's TLS certificate was rejected (${raw})`,
			description:
				'The certificate is self-signed, expired or issued for another name. Use the host name the certificate was issued for. Only if you trust this server (e.g. your own on a private network), turn on "Allow Self-Signed Certificates".',
		};
	}
	if (
		code === 'ClosedAfterConnectTLS' ||
		code.startsWith('ERR_SSL') ||
		e.tlsFailed ||
		(settings.security !== 'none' &&
			(code === 'EPROTO' ||
				/wrong version number|packet length too long|ssl routines|handshake|starttls/.test(text)))
	) {
		return {
			message: `TLS handshake with ${where(settings)} failed: the port and the Security setting do not match`,
			description: `Security is "${settings.security}" but the server on port ${settings.port} speaks something else. ${PAIRING}`,
		};
	}
	if (code === 'GREETING_TIMEOUT') {
		return {
			message: `${where(settings)} accepted the connection but sent no IMAP greeting`,
			description:
				settings.security === 'tls'
					? `The port may not be an IMAP port. ${PAIRING}`
					: `This is probably a TLS port (like 993) and Security should be "TLS". ${PAIRING}`,
		};
	}
	if (
		code === 'CONNECT_TIMEOUT' ||
		code === 'ETIMEDOUT' ||
		code === 'ETIMEOUT' ||
		code === 'UPGRADE_TIMEOUT'
	) {
		return {
			message: `Timed out connecting to ${where(settings)}: the server did not answer`,
			description: `Check the host and port, and that a firewall lets the n8n server reach it (many hosting providers block outgoing mail ports). ${PAIRING}`,
		};
	}
	if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
		return {
			message: `${where(settings)} is unreachable from the n8n server`,
			description:
				'Check the host name / address and the network route or VPN between n8n and the mail server.',
		};
	}
	if (
		code === 'ClosedAfterConnectText' ||
		code === 'EConnectionClosed' ||
		code === 'ECONNRESET' ||
		code === 'NoConnection' ||
		code === 'EPIPE'
	) {
		return {
			message: `${where(settings)} closed the connection${e.reason ? ` (${e.reason})` : ''}`,
			description: `The server hung up before login finished. Check the Security setting for this port (${PAIRING}) and whether the server limits connections or blocks your IP.`,
		};
	}
	return {
		message: `IMAP error on ${where(settings)}: ${raw}`,
		description: `Check the host, port, security, user and password of the IMAP credential. ${PAIRING}`,
	};
}

export interface ImapConnectionTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** Logs in and lists folders, like the credential test in the editor. */
export async function testImapConnection(
	settings: ImapSettings,
	opts: ConnectImapOptions = {},
): Promise<ImapConnectionTestResult> {
	if (!settings.host)
		return {
			status: 'Error',
			message: 'Host is empty: enter the IMAP server name, e.g. imap.gmail.com',
		};
	if (!settings.user)
		return {
			status: 'Error',
			message: 'User is empty: enter the mailbox login, usually the full email address',
		};
	let client: ImapFlow | undefined;
	try {
		client = await connectImap(settings, {
			...opts,
			extra: { disableAutoIdle: true, ...opts.extra },
		});
		const folders = await client.list();
		return {
			status: 'OK',
			message: `Connected as ${settings.user}; ${folders.length} folder(s) found`,
		};
	} catch (error) {
		const explained = explainImapError(error, settings);
		return { status: 'Error', message: `${explained.message}. ${explained.description}` };
	} finally {
		await closeImap(client);
	}
}
