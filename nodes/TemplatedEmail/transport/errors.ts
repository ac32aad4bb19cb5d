// SMTP errors in words an admin can act on: the cause and the fix. No n8n imports.
import { isReconnectError } from '../../shared/oauth/tokenSource';
import type { SmtpSettings } from './settings';

export interface SmtpErrorLike {
	message?: string;
	code?: string;
	errno?: string | number;
	responseCode?: number;
	response?: string;
	command?: string;
	rejected?: string[];
}

export interface ExplainedSmtpError {
	message: string;
	description: string;
	/** Safe and worth repeating: the server answered 4xx, so it did not take the message. */
	transient: boolean;
	/** The account or network is wrong: every other message would fail too. */
	fatal: boolean;
	/** The connection ended without the server's answer: the message may have been delivered. */
	unknownOutcome?: boolean;
	/** Fatal for messages from this envelope sender only (a 5xx on MAIL FROM). */
	senderOnly?: boolean;
}

const UNKNOWN_OUTCOME =
	"The node does not send it again by itself, so that nobody gets it twice. Look for it in the recipient's mailbox or in the server's log (by its Message-ID) before sending it again. If this happens often, check the server's limits on connections and messages per connection (lower \"Pool Size\").";

const PAIRING =
	'Usual pairs: port 465 with Security "TLS", port 587 (or 25) with "STARTTLS"; "None" only on a trusted network.';

export function explainSmtpError(
	error: unknown,
	s: Pick<SmtpSettings, 'host' | 'port' | 'security' | 'user' | 'authentication'>,
): ExplainedSmtpError {
	const e = (error ?? {}) as SmtpErrorLike;
	const where = `${s.host}:${s.port}`;
	const text = `${e.message ?? ''} ${e.response ?? ''}`;
	const code = String(e.code ?? '');
	const responseCode = Number(e.responseCode) || 0;
	const result = (message: string, description: string, transient = false, fatal = false) => ({
		message,
		description,
		transient,
		fatal,
	});

	// the OAuth2 credential cannot get a token (nodemailer passes our error on, marked EAUTH)
	if (isReconnectError(error)) {
		return result(error.message, error.describe().description ?? '', false, true);
	}
	if (code === 'EDNS' || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(text)) {
		return result(
			`The SMTP host "${s.host}" was not found (DNS)`,
			'Check the Host field for typos (e.g. smtp.example.com) and that this n8n server can resolve it.',
			false,
			true,
		);
	}
	if (/ECONNREFUSED/.test(text) || e.errno === 'ECONNREFUSED') {
		return result(
			`The SMTP server ${where} refused the connection`,
			`Nothing accepts connections on port ${s.port} there. Check the port and that the server or a firewall allows this n8n server. ${PAIRING}`,
			false,
			true,
		);
	}
	if (code === 'EAUTH' || responseCode === 535 || responseCode === 534 || responseCode === 530) {
		const how =
			s.authentication === 'oauth2'
				? 'The server refused the OAuth2 access token, also a freshly refreshed one. Check that the mailbox address is the account you signed in with, that the app was granted the SMTP scope (Gmail: https://mail.google.com/, Microsoft 365: SMTP.Send) and, for Microsoft 365, that an admin enabled "Authenticated SMTP" for the mailbox.'
				: s.authentication === 'oauth2AccessToken'
					? 'The OAuth2 access token was refused: it may have expired or lack the SMTP scope (e.g. https://mail.google.com/ for Gmail). Paste a fresh token.'
					: "Check the user and password. Gmail, Yandex, Mail.ru, Outlook and iCloud with two-factor login need an app password (created in the account's security settings), not the normal one.";
		return result(
			`The SMTP server rejected the login for "${s.user}": ${e.response ?? e.message ?? ''}`.trim(),
			how,
			false,
			true,
		);
	}
	if (
		/wrong version number|WRONG_VERSION_NUMBER|unknown protocol|ssl3_get_record|packet length too long|EPROTO/i.test(
			text,
		)
	) {
		return result(
			`TLS handshake with ${where} failed: the port does not speak the chosen security`,
			`Security is "${s.security}" but the server answered differently. ${PAIRING}`,
			false,
			true,
		);
	}
	if (/self[- ]signed|certificate|UNABLE_TO_VERIFY|CERT_|altnames/i.test(text)) {
		return result(
			`The certificate of ${where} is not trusted: ${e.message ?? ''}`,
			'Use the host name the certificate was issued for. Only for a server you trust on your own network, turn on "Allow Self-Signed Certificates".',
			false,
			true,
		);
	}
	if (/STARTTLS/i.test(text) && s.security === 'starttls') {
		return result(
			`The SMTP server ${where} does not offer STARTTLS`,
			`${PAIRING} Use "TLS" for port 465, or "None" only on a trusted network.`,
			false,
			true,
		);
	}
	if (code === 'ETIMEDOUT' || /timeout|timed out|Greeting never received/i.test(text)) {
		const tlsHint =
			s.security === 'tls' ? '' : s.port === 465 ? ' Port 465 expects Security "TLS".' : '';
		// nodemailer marks every socket timeout 'CONN'; only these words say it happened before any command
		const connect = /Greeting never received|Connection timeout|connect ETIMEDOUT/i.test(text);
		if (!connect)
			return {
				...result(
					`The SMTP server ${where} stopped answering before it confirmed the message: it may have been sent`,
					UNKNOWN_OUTCOME,
				),
				unknownOutcome: true,
			};
		return result(
			`No answer from the SMTP server ${where} in time`,
			`The host may be down, a firewall may drop the traffic, or the port and security do not match.${tlsHint} ${PAIRING}`,
			false,
			true,
		);
	}
	if (responseCode >= 400 && responseCode < 500) {
		return result(
			`The SMTP server answered a temporary error: ${e.response ?? e.message}`,
			'The server asked to try again later (greylisting, rate limit, busy). The node retried with backoff; raise "Retries" or lower the sending rate.',
			true,
		);
	}
	if (responseCode >= 500 && e.command === 'MAIL FROM') {
		return {
			...result(
				`The SMTP server refused the sender: ${e.response ?? e.message}`,
				'Every message from this sender would be refused too, so the node sent no more of them. Check that the account may send as this address (an alias or "Send As" right at the provider), or pick the account\'s own address. With a "Bounce Address (VERP)" in the credential the server must also accept it and its bounces+<code> forms as sender: allow them, or clear that field.',
				false,
				true,
			),
			senderOnly: true,
		};
	}
	if (responseCode >= 500) {
		const who = e.rejected?.length ? ` for ${e.rejected.join(', ')}` : '';
		return result(
			`The SMTP server refused the message${who}: ${e.response ?? e.message}`,
			'This is a permanent refusal: check the recipient address, the sender (is it allowed on this account?), and the message size.',
		);
	}
	if (
		code === 'ECONNECTION' ||
		code === 'ESOCKET' ||
		/ECONNRESET|EPIPE|closed unexpectedly|Connection closed|socket hang up/i.test(text)
	) {
		// no answer: nodemailer cannot tell whether the server had taken the message (after DATA) or not
		return {
			...result(
				`The connection to ${where} dropped before the server confirmed the message (${e.message ?? ''}): it may have been sent`,
				UNKNOWN_OUTCOME,
			),
			unknownOutcome: true,
		};
	}
	return result(
		`Sending through ${where} failed: ${e.message ?? String(error)}`,
		"Check the SMTP credential and the server's log.",
	);
}
