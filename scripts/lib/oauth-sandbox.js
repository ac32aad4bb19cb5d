'use strict';
// The OAuth2 part of the `npm start` sandbox, so "Connect my account" can be tried without a Google or Microsoft
// account: the local OAuth2 provider (oauth2-standin.js) and a Dovecot whose IMAP and SMTP submission take only
// its tokens (dovecot-oauth.js), on fixed ports so the credential "Sandbox OAuth2 mailbox" stays valid across runs.
// Its one mailbox, oauth@crm.local, lives in that Dovecot; what it sends to anyone else goes into the mail sandbox.
const net = require('node:net');
const standInLib = require('./oauth2-standin');
const { startOAuthDovecot } = require('./dovecot-oauth');
const { deliverToLmtp } = require('./smtp');
const { importCredentials } = require('./n8n-rest');

const PORTS = { provider: standInLib.DEFAULT_PORT, imap: 3144, submission: 3587, lmtp: 3026 };
const USER = 'oauth@crm.local';
const CREDENTIAL = { name: 'Sandbox OAuth2 mailbox', type: 'crmMailOAuth2Api' };
const [N8N_CLIENT, DOVECOT_CLIENT] = standInLib.DEFAULT_CLIENTS;

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * Starts the provider and, when Dovecot is there, the OAuth2 mail server. relay({ envelope, raw }): delivery for
 * recipients other than oauth@crm.local (the mail sandbox); without it those stay in the submission sink.
 * ttlSeconds: access token lifetime (shorter to watch n8n refresh). Returns { standIn, dovecot (null when it could
 * not start), dovecotError, ttlSeconds, stop() }. Throws only when the provider cannot start.
 */
async function startOAuthSandbox({ dir, relay, ttlSeconds = 3600, log = () => {} }) {
	const standIn = await standInLib.startOAuth2Standin({
		port: PORTS.provider,
		accessTokenTtlSeconds: ttlSeconds,
		defaultUser: USER,
	});
	let dovecot = null;
	let dovecotError = null;
	try {
		const busy = [];
		for (const p of [PORTS.imap, PORTS.submission, PORTS.lmtp])
			if (!(await portIsFree(p))) busy.push(p);
		if (busy.length) throw new Error(`port ${busy.join(', ')} already in use`);
		dovecot = await startOAuthDovecot({
			dir,
			introspectionUrl: standIn.introspectionUrl,
			clientId: DOVECOT_CLIENT.clientId,
			clientSecret: DOVECOT_CLIENT.clientSecret,
			ports: { imap: PORTS.imap, submission: PORTS.submission, lmtp: PORTS.lmtp },
			onRelay: ({ envelope, raw }) => relayMessage({ envelope, raw, relay }),
		});
	} catch (error) {
		dovecotError = error.message;
		log(`The OAuth2 mail server (Dovecot) is not available: ${error.message}`);
	}
	let stopping = null;
	const stop = () => {
		stopping ??= Promise.allSettled([dovecot?.stop(), standIn.stop()]).then(() => undefined);
		return stopping;
	};
	return { standIn, dovecot, dovecotError, ttlSeconds, stop };
}

/** What submission accepted: oauth@crm.local into its own INBOX, everyone else through relay (if any). */
async function relayMessage({ envelope, raw, relay }) {
	const own = envelope.rcptTo.filter((to) => to.toLowerCase() === USER);
	const others = envelope.rcptTo.filter((to) => to.toLowerCase() !== USER);
	if (own.length)
		await deliverToLmtp({ port: PORTS.lmtp, envelope: { ...envelope, rcptTo: own }, raw });
	if (others.length && relay) await relay({ envelope: { ...envelope, rcptTo: others }, raw });
}

/** The credential, not connected: the user clicks "Connect my account" (localhost: the browser opens it too). */
function credentialData() {
	const provider = `http://localhost:${PORTS.provider}`;
	return {
		clientId: N8N_CLIENT.clientId,
		clientSecret: N8N_CLIENT.clientSecret,
		authUrl: `${provider}/authorize`,
		accessTokenUrl: `${provider}/token`,
		mailScope: 'offline_access mail',
		authQueryParameters: '',
		authentication: 'header',
		user: USER,
		senderName: 'OAuth Sandbox',
		allowedSenders: '',
		imapHost: '127.0.0.1',
		imapPort: PORTS.imap,
		imapSecurity: 'none',
		smtpHost: '127.0.0.1',
		smtpPort: PORTS.submission,
		smtpSecurity: 'none',
		allowSelfSigned: false,
	};
}

/**
 * Creates "Sandbox OAuth2 mailbox" when missing. An existing one is left as it is (its tokens, the user's edits)
 * unless reset: then its fields are set again, unless the user pointed it at another provider.
 */
async function importOAuthCredential(session, { reset = false, log = () => {} } = {}) {
	const def = { id: 'sandbox-oauth2', ...CREDENTIAL, data: credentialData() };
	const ownProvider = (data) =>
		String(data.authUrl || '').startsWith(`http://localhost:${PORTS.provider}/`);
	const map = await importCredentials(session, [def], {
		preserve: (_def, data) => !reset || !ownProvider(data),
		log,
	});
	return map.get(def.id);
}

/** The summary lines npm start prints: where the provider and its mail server are, and how to connect. */
function describe(oauth, credential, n8nUrl) {
	const provider = `http://localhost:${PORTS.provider}`;
	const { clientId, clientSecret } = N8N_CLIENT;
	const open = credential ? ` (${n8nUrl}/home/credentials/${credential.id})` : '';
	return [
		`OAuth2: a LOCAL TEST PROVIDER at ${provider} (not Google or Microsoft; client ${clientId} / ${clientSecret}; grants live in memory until Ctrl-C)`,
		oauth.dovecot
			? `  its mail server (tokens only): IMAP ${oauth.dovecot.host}:${oauth.dovecot.imapPort}, SMTP submission ${oauth.dovecot.host}:${oauth.dovecot.submissionPort}, mailbox ${USER}`
			: `  its mail server is not running (${oauth.dovecotError}): the credential connects, the nodes cannot log in`,
		`  Try it: open Credentials -> ${CREDENTIAL.name}${open} -> Connect my account -> Allow;`,
		'  then pick Authentication: OAuth2 (Other Provider) in IMAP Sync Trigger / IMAP Mailbox / Send Templated Email.',
		`  Access tokens last ${oauth.ttlSeconds} s (CRM_MAIL_OAUTH_TTL=<seconds> to watch n8n refresh them); after a restart, Reconnect.`,
	].join('\n');
}

module.exports = {
	startOAuthSandbox,
	importOAuthCredential,
	credentialData,
	describe,
	PORTS,
	USER,
	CREDENTIAL,
};
