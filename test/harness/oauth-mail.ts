// Typed wrapper of scripts/lib/dovecot-oauth.js: a Dovecot of its own whose IMAP and SMTP submission logins are
// OAuth2 access tokens (XOAUTH2, OAUTHBEARER) checked by introspection at every login, e.g. against
// test/fakes/oauth2/server.ts. Submission relays to an smtp-server sink; deliver() fills a mailbox over LMTP.
import { tmpDir } from './dovecot';
import type { SmtpCapture } from './smtp-capture';

export interface OAuthMailServer {
	host: '127.0.0.1';
	/** IMAP without TLS (STARTTLS offered, not required). */
	imapPort: number;
	/** SMTP submission without TLS (STARTTLS offered, not required); relays to sink. */
	submissionPort: number;
	lmtpPort: number;
	/** The self-signed certificate offered by STARTTLS (SAN localhost, 127.0.0.1). */
	certPem: string;
	/** Puts a message into user's INBOX (LMTP: no token involved). */
	deliver(user: string, raw: Buffer | string): Promise<void>;
	/** What the submission service relayed. */
	sink: SmtpCapture;
	/** Dovecot's log: refused tokens show up here with the reason. */
	logPath: string;
	/** Runs doveadm against this instance; returns stdout. */
	doveadm(...args: Array<string | number>): string;
	isRunning(): boolean;
	stop(): Promise<void>;
}

export interface OAuthMailServerOptions {
	/** The authorization server's RFC 7662 endpoint (Dovecot POSTs token, client_id, client_secret). */
	introspectionUrl: string;
	/** URL-safe: Dovecot puts them into the form as they are. */
	clientId: string;
	clientSecret: string;
}

const lib = require('../../scripts/lib/dovecot-oauth.js') as {
	startOAuthDovecot(opts: OAuthMailServerOptions & { dir: string }): Promise<OAuthMailServer>;
};

/** Starts one (stop it in afterAll; leftovers die with the process, its dir with the run's scratch dir). */
export function startOAuthMailServer(opts: OAuthMailServerOptions): Promise<OAuthMailServer> {
	return lib.startOAuthDovecot({ ...opts, dir: tmpDir('dovecot-oauth-') });
}
