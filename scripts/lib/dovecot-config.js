'use strict';
// The self-contained Dovecot 2.3 configuration (users, TLS certificate, listeners, folders) that
// scripts/lib/dovecot.js starts. Nothing from /etc/dovecot is read.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
/** Writes DIR/cert.pem + DIR/key.pem (self-signed, SAN localhost and 127.0.0.1) once; returns their paths. */
function ensureSelfSignedCert(dir) {
	const cert = path.join(dir, 'cert.pem');
	const key = path.join(dir, 'key.pem');
	if (!fs.existsSync(cert) || !fs.existsSync(key)) {
		fs.mkdirSync(dir, { recursive: true });
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'3650',
				'-subj',
				'/CN=localhost',
				'-addext',
				'subjectAltName=DNS:localhost,IP:127.0.0.1',
				'-keyout',
				key,
				'-out',
				cert,
			],
			{ stdio: 'pipe' },
		);
	}
	return {
		cert,
		key,
		certPem: fs.readFileSync(cert, 'utf8'),
		keyPem: fs.readFileSync(key, 'utf8'),
	};
}

// Dovecot's login processes refuse to run as root: as root the whole instance runs as nobody.
function runAs() {
	if (process.getuid() !== 0)
		return {
			uid: process.getuid(),
			gid: process.getgid(),
			user: os.userInfo().username,
			group: null,
		};
	const nobody = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.map((l) => l.split(':'))
		.find((f) => f[0] === 'nobody');
	const uid = nobody ? Number(nobody[2]) : 65534;
	const gid = nobody ? Number(nobody[3]) : 65534;
	const grp = fs
		.readFileSync('/etc/group', 'utf8')
		.split('\n')
		.map((l) => l.split(':'))
		.find((f) => Number(f[2]) === gid);
	return { uid, gid, user: 'nobody', group: grp ? grp[0] : 'nogroup' };
}

function groupName(gid) {
	const grp = fs
		.readFileSync('/etc/group', 'utf8')
		.split('\n')
		.map((l) => l.split(':'))
		.find((f) => Number(f[2]) === gid);
	return grp ? grp[0] : String(gid);
}

function checkDir(dir, users) {
	if (/\s/.test(dir))
		throw new Error(`Dovecot dir must not contain whitespace (it goes into dovecot.conf): ${dir}`);
	if (process.getuid() === 0) {
		// nobody must be able to reach the directory.
		for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
			if (!(fs.statSync(d).mode & 0o001))
				throw new Error(`Dovecot runs as nobody and cannot enter ${d}; put its dir under /tmp`);
		}
	}
	for (const u of users) {
		if (!u || !u.user || u.pass == null || /[:\s]/.test(u.user) || /[:\n]/.test(String(u.pass))) {
			throw new Error(
				`Invalid Dovecot user ${JSON.stringify(u)}: need { user, pass } without ':' or whitespace in the name`,
			);
		}
	}
}

/**
 * The settings every throw-away instance shares: all paths under dir, every process as `run` (nobody when root),
 * one log file dir/log/dovecot.log. Makes the run, state, mail and log dirs.
 */
function rootlessSettings({ dir, run, instanceName }) {
	for (const d of ['run', 'state', 'mail', 'log'])
		fs.mkdirSync(path.join(dir, d), { recursive: true });
	fs.chmodSync(dir, 0o755);
	fs.chmodSync(path.join(dir, 'run'), 0o755);
	return `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = ${instanceName}
log_path = ${dir}/log/dovecot.log
info_log_path = ${dir}/log/dovecot.log
default_internal_user = ${run.user}
default_internal_group = ${run.group || groupName(run.gid)}
default_login_user = ${run.user}
first_valid_uid = ${run.uid}
last_valid_uid = ${run.uid}
first_valid_gid = 0`;
}

const mailbox = (name, use) =>
	`  mailbox ${name} {\n    special_use = \\${use}\n    auto = subscribe\n  }`;

/** Maildir under each user's home (userdb home=dir/mail/%u) and INBOX with the special-use folders. */
function mailboxSettings({ dir, run }) {
	return `userdb {
  driver = static
  args = uid=${run.uid} gid=${run.gid} home=${dir}/mail/%u allow_all_users=yes
}
mail_location = maildir:~/Maildir
# durability is not needed in tests; avoids an fsync per APPEND / flag change
mail_fsync = never
mail_privileged_group =
namespace inbox {
  inbox = yes
  separator = /
${mailbox('Drafts', 'Drafts')}
${mailbox('Sent', 'Sent')}
${mailbox('Trash', 'Trash')}
${mailbox('Archive', 'Archive')}
${mailbox('Junk', 'Junk')}
}`;
}

const ANVIL_WITHOUT_PENALTY = `service anvil {
  chroot =
  # Dovecot's documented way to turn off the auth penalty (up to 15 s per failed login from one IP)
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}`;

/** Writes dir/dovecot.conf and, when root, hands dir to the user Dovecot runs as; returns the path. */
function writeConfig({ dir, run }, conf) {
	const confPath = path.join(dir, 'dovecot.conf');
	fs.writeFileSync(confPath, conf);
	if (process.getuid() === 0) execFileSync('chown', ['-R', `${run.uid}:${run.gid}`, dir]);
	return confPath;
}

function makeConfig({ dir, imapPort, imapsPort, lmtpPort, users, run }) {
	const tls = ensureSelfSignedCert(dir);
	const base = rootlessSettings({ dir, run, instanceName: `dovecot-test-${imapPort}` });
	fs.writeFileSync(
		path.join(dir, 'users'),
		users.map((u) => `${u.user}:{PLAIN}${u.pass}`).join('\n') + '\n',
	);
	// Named users are excluded from the static passdb so a wrong password for them really fails.
	const exclude = users.map((u) => ` !${u.user}`).join('');
	const conf = `# Self-contained Dovecot 2.3 test config (scripts/lib/dovecot.js); nothing from /etc/dovecot is read.
${base}
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${tls.cert}
ssl_key = <${tls.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 0
# tests check wrong passwords: no 2 s failure delay (the per-IP penalty is off too, see service anvil)
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
# Ad-hoc users: any *@test.local logs in with "pass" and gets a fresh mailbox (isolation without cleanup).
passdb {
  driver = static
  args = password=pass
  username_filter = *@test.local${exclude}
}
${mailboxSettings({ dir, run })}
protocol imap {
  # tests open many sessions per user
  mail_max_userip_connections = 1000
  imap_idle_notify_interval = 2 mins
}
postmaster_address = postmaster@test.local
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
${ANVIL_WITHOUT_PENALTY}
service imap {
  process_limit = 1024
}
`;
	return { confPath: writeConfig({ dir, run }, conf), certPem: tls.certPem };
}

module.exports = {
	ensureSelfSignedCert,
	runAs,
	checkDir,
	makeConfig,
	rootlessSettings,
	mailboxSettings,
	ANVIL_WITHOUT_PENALTY,
	writeConfig,
};
