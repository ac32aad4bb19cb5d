'use strict';
// A throw-away Dovecot 2.3 whose IMAP and SMTP submission logins are OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER),
// checked against an authorization server's RFC 7662 introspection endpoint at every login (no auth cache).
// Submission relays what it accepts to an smtp-server sink; LMTP puts messages into the mailboxes.
// Separate from the shared test Dovecot (scripts/lib/dovecot.js), with which it shares the rootless base.
// Settings tested in /work/shared/reference/queue-mode-and-oauth.md B4.
const fs = require('node:fs');
const path = require('node:path');
const {
	ensureSelfSignedCert,
	runAs,
	checkDir,
	rootlessSettings,
	mailboxSettings,
	ANVIL_WITHOUT_PENALTY,
	writeConfig,
} = require('./dovecot-config');
const {
	findDovecot,
	notInstalledError,
	freePorts,
	runDovecot,
	doveadmRunner,
} = require('./dovecot');
const { startSmtpSink, deliverToLmtp } = require('./smtp');

// Dovecot puts the client id and secret into its introspection form as they are: keep them URL-safe.
const URL_SAFE = /^[A-Za-z0-9._~-]+$/;

/** The oauth2 passdb's own settings file (one `key = value` a line; db-oauth2.c). */
function passdbArgs({ introspectionUrl, clientId, clientSecret }) {
	if (!/^https?:\/\/\S+$/.test(introspectionUrl || ''))
		throw new Error(
			`introspectionUrl must be an http(s) URL, got ${JSON.stringify(introspectionUrl)}`,
		);
	for (const [name, v] of [
		['clientId', clientId],
		['clientSecret', clientSecret],
	]) {
		if (!URL_SAFE.test(v || ''))
			throw new Error(`${name} must be non-empty and URL-safe (A-Z a-z 0-9 . _ ~ -) for Dovecot`);
	}
	return `introspection_url = ${introspectionUrl}
# form token=&client_id=&client_secret= (no Basic header)
introspection_mode = post
client_id = ${clientId}
client_secret = ${clientSecret}
# the SASL user must equal this field of the introspection answer
username_attribute = email
active_attribute = active
active_value = true
`;
}

function oauthConfig({ dir, run, ports, tls, argsPath }) {
	return `# Dovecot 2.3 with OAuth2 logins (scripts/lib/dovecot-oauth.js); nothing from /etc/dovecot is read.
${rootlessSettings({ dir, run, instanceName: `dovecot-oauth-${ports.imap}` })}
protocols = imap lmtp submission
listen = 127.0.0.1
# STARTTLS is offered (self-signed, SAN 127.0.0.1), not required: loopback counts as secured for the bearer
# mechanisms, which are plaintext mechanisms to Dovecot
ssl = yes
ssl_cert = <${tls.cert}
ssl_key = <${tls.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
# every login asks the authorization server (a cached answer would hide an expired or revoked token)
auth_cache_size = 0
# the log says why a token was refused (inactive, user mismatch, unreachable server)
auth_verbose = yes
# no 2 s wait after a refused token (the per-IP penalty is off too, see service anvil)
auth_failure_delay = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${argsPath}
}
${mailboxSettings({ dir, run })}
protocol imap {
  mail_max_userip_connections = 1000
}
postmaster_address = postmaster@test.local
hostname = mail.test.local
# submission needs a relay; it speaks SMTP to it (an smtp-server sink here)
submission_relay_host = 127.0.0.1
submission_relay_port = ${ports.relay}
submission_relay_ssl = no
# the implicit-TLS listeners Dovecot defines by default (993, 465) are off: port 0
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = 0
  }
}
service submission-login {
  chroot =
  inet_listener submission {
    address = 127.0.0.1
    port = ${ports.submission}
  }
  inet_listener submissions {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${ports.lmtp}
  }
}
${ANVIL_WITHOUT_PENALTY}
`;
}

/**
 * Starts the sink and Dovecot (IMAP, submission, LMTP on loopback) in dir. ports: { imap, submission, lmtp }, each
 * 0 or missing for any free port (tests); npm start passes fixed ones. onRelay({ envelope, raw }): what the sink does
 * with each message submission relays (default: only records it in sink.messages); a throw is a 4xx/5xx answer.
 * Returns { host, imapPort, submissionPort, lmtpPort, dir, confPath, logPath, certPem, sink, deliver(user, raw),
 * doveadm(...args), pid, stop() }.
 */
async function startOAuthDovecot({
	dir,
	introspectionUrl,
	clientId,
	clientSecret,
	ports: wanted = {},
	onRelay,
} = {}) {
	if (!dir) throw new Error('startOAuthDovecot needs { dir }');
	const bins = findDovecot();
	if (!bins) throw notInstalledError('the OAuth2 mail server also needs dovecot-submissiond');
	dir = path.resolve(dir);
	fs.mkdirSync(dir, { recursive: true });
	checkDir(dir, []);
	const args = passdbArgs({ introspectionUrl, clientId, clientSecret });
	const sink = await startSmtpSink({ onMessage: onRelay });
	try {
		const fixed = [wanted.imap, wanted.submission, wanted.lmtp];
		const free = await freePorts(fixed.filter((p) => !p).length);
		const [imap, submission, lmtp] = fixed.map((p) => p || free.shift());
		const ports = { imap, submission, lmtp, relay: sink.port };
		const run = runAs();
		const tls = ensureSelfSignedCert(dir);
		const argsPath = path.join(dir, 'dovecot-oauth2.conf.ext');
		fs.writeFileSync(argsPath, args, { mode: 0o600 });
		const confPath = writeConfig({ dir, run }, oauthConfig({ dir, run, ports, tls, argsPath }));
		const proc = await runDovecot({ dir, confPath, run, greetPort: imap });
		return {
			host: '127.0.0.1',
			imapPort: imap,
			submissionPort: submission,
			lmtpPort: lmtp,
			dir,
			confPath,
			logPath: path.join(dir, 'log', 'dovecot.log'),
			certPem: tls.certPem,
			sink,
			/** Delivers raw into user's INBOX over LMTP (no token needed: LMTP only looks the user up). */
			deliver: async (user, raw, from = 'sender@test.local') => {
				await deliverToLmtp({
					port: lmtp,
					envelope: { from, to: [user] },
					raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
				});
			},
			doveadm: doveadmRunner(bins, confPath),
			isRunning: () => proc.isRunning(),
			/** Its process group (npm start records it to stop the remains of a crashed run). */
			get pid() {
				return proc.pid;
			},
			/** Stops Dovecot (its sessions get BYE) and the sink. */
			stop: async () => {
				await proc.stop('SIGTERM');
				await sink.close();
			},
		};
	} catch (e) {
		await sink.close();
		throw e;
	}
}

module.exports = { startOAuthDovecot };
