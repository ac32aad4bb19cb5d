'use strict';
// A throw-away Postfix on loopback, for tests and benchmarks that need a real MTA's behaviour (its delivery
// status notifications above all). Debian's package, a private instance: its own config_directory,
// queue_directory and data_directory under one temp dir, started with `postfix -c <dir> start` and stopped
// with `postfix -c <dir> stop`. /etc/postfix and the system service are never touched.
// Mail for the test domain goes to Dovecot's LMTP; other domains go out through smtp(8) without DNS, so an
// unroutable domain bounces at once. Unknown local users are accepted by SMTP and bounced by
// local(8) (users of the MTA's own host name), so the sender gets a real DSN, not an SMTP rejection.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { freePorts } = require('./dovecot');

const POSTFIX = '/usr/sbin/postfix';
const INSTALL_HINT =
	"sudo apt-get install --no-install-recommends postfix (choose 'No configuration'; the system service is not needed)";

/** The path of the postfix command, or null when Debian's postfix package is missing. */
function findPostfix() {
	try {
		fs.accessSync(POSTFIX, fs.constants.X_OK);
		return POSTFIX;
	} catch {
		return null;
	}
}

// Every service runs unchrooted (the chroot would need copies of /etc files) and as the postfix user.
// With stripSmtpPort a second listener plays a relay that drops header fields (header_checks IGNORE in a
// cleanup of its own): what the queued message, and so the returned copy in a bounce, no longer holds.
function masterCf(smtpPort, stripSmtpPort, dir) {
	// smtpd hands its mail to a cleanup of its own, the one that drops the fields
	const smtpd = 'smtpd -o cleanup_service_name=stripcleanup';
	const cleanup = `cleanup -o header_checks=regexp:${dir}/etc/strip_headers`;
	const strip = stripSmtpPort
		? [
				[`127.0.0.1:${stripSmtpPort}`, 'inet', 'n', '-', 'n', '-', '-', smtpd],
				['stripcleanup', 'unix', 'n', '-', 'n', '-', '0', cleanup],
			]
		: [];
	const rows = [
		[`127.0.0.1:${smtpPort}`, 'inet', 'n', '-', 'n', '-', '-', 'smtpd'],
		...strip,
		['pickup', 'unix', 'n', '-', 'n', '60', '1', 'pickup'],
		['cleanup', 'unix', 'n', '-', 'n', '-', '0', 'cleanup'],
		['qmgr', 'unix', 'n', '-', 'n', '300', '1', 'qmgr'],
		['rewrite', 'unix', '-', '-', 'n', '-', '-', 'trivial-rewrite'],
		['bounce', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
		['defer', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
		['trace', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
		['verify', 'unix', '-', '-', 'n', '-', '1', 'verify'],
		['flush', 'unix', 'n', '-', 'n', '1000?', '0', 'flush'],
		['proxymap', 'unix', '-', '-', 'n', '-', '-', 'proxymap'],
		['proxywrite', 'unix', '-', '-', 'n', '-', '1', 'proxymap'],
		['smtp', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
		['relay', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
		['showq', 'unix', 'n', '-', 'n', '-', '-', 'showq'],
		['error', 'unix', '-', '-', 'n', '-', '-', 'error'],
		['retry', 'unix', '-', '-', 'n', '-', '-', 'error'],
		['discard', 'unix', '-', '-', 'n', '-', '-', 'discard'],
		['lmtp', 'unix', '-', '-', 'n', '-', '-', 'lmtp'],
		['local', 'unix', '-', 'n', 'n', '-', '-', 'local'],
		['anvil', 'unix', '-', '-', 'n', '-', '1', 'anvil'],
		['scache', 'unix', '-', '-', 'n', '-', '1', 'scache'],
		['postlog', 'unix-dgram', 'n', '-', 'n', '-', '1', 'postlogd'],
	];
	return rows.map((r) => r.join('  ')).join('\n') + '\n';
}

function mainCf({ dir, domain, hostname, lmtpPort }) {
	return `# Private test instance (scripts/lib/postfix.js); nothing from /etc/postfix is read.
compatibility_level = 3.6
config_directory = ${dir}/etc
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file = ${dir}/postfix.log
maillog_file_prefixes = ${dir}
# a private instance must not be mistaken for the system one
syslog_name = postfix-test
myhostname = ${hostname}
mydomain = ${domain}
myorigin = ${domain}
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# the MTA's own host name is a local domain: local(8) bounces its unknown users ("unknown user", 5.1.1);
# an empty local_recipient_maps lets SMTP accept them so the sender gets a DSN instead of a rejection
mydestination = $myhostname
local_recipient_maps =
alias_maps =
alias_database =
relayhost =
# the test domain: every mailbox lives in Dovecot, reached by LMTP
virtual_mailbox_domains = ${domain}
virtual_mailbox_maps = texthash:${dir}/etc/mailboxes
virtual_transport = lmtp:inet:127.0.0.1:${lmtpPort}
# box+detail@ is box@ (VERP return addresses: bounces+<token>@ reaches the bounces mailbox)
recipient_delimiter = +
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
# everything else: straight out through smtp(8), no DNS
default_transport = smtp
relay_transport = smtp
disable_dns_lookups = yes
smtp_host_lookup = native
smtp_connect_timeout = 5s
# a delay becomes a bounce after the first failed attempt
maximal_queue_lifetime = 0
bounce_queue_lifetime = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
# postmaster hears of resource and software problems only (no transcript of every bounce)
notify_classes = resource, software
biff = no
smtputf8_enable = no
`;
}

function postfixCommand(dir, ...args) {
	try {
		return execFileSync(POSTFIX, ['-c', path.join(dir, 'etc'), ...args], {
			encoding: 'utf8',
			stdio: 'pipe',
		});
	} catch (e) {
		// postfix(1) tells why on a terminal or in syslog only; the instance's own log has the rest
		throw new Error(
			`postfix ${args.join(' ')} failed: ${String(e.stderr || e.message).trim()}\n${logTail(dir)}`,
		);
	}
}

function logTail(dir) {
	try {
		return fs
			.readFileSync(path.join(dir, 'postfix.log'), 'utf8')
			.trim()
			.split('\n')
			.slice(-10)
			.join('\n');
	} catch {
		return '(no log)';
	}
}

function waitSmtpGreeting(port, timeoutMs = 15000) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		(function attempt() {
			const s = net.connect(port, '127.0.0.1');
			const retry = () => {
				s.destroy();
				if (Date.now() > deadline)
					reject(new Error(`Postfix did not greet on 127.0.0.1:${port} within ${timeoutMs} ms`));
				else setTimeout(attempt, 50);
			};
			s.once('data', (d) => {
				s.destroy();
				if (String(d).startsWith('220')) resolve();
				else retry();
			});
			s.once('error', retry);
		})();
	});
}

function masterPid(dir) {
	try {
		return Number(fs.readFileSync(path.join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
	} catch {
		return 0;
	}
}

// Every instance this process started; killed when the process exits so none outlives its parent.
const live = new Map();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const dir of live.keys()) {
			try {
				execFileSync(POSTFIX, ['-c', path.join(dir, 'etc'), 'abort'], { stdio: 'ignore' });
			} catch {
				// already gone
			}
		}
	});
}

/**
 * Starts a private Postfix with SMTP on 127.0.0.1:<smtpPort> (a free one by default).
 * domain: the test domain whose mailboxes are in Dovecot (reached on lmtpPort); mailboxes: its known
 * addresses (any other user of the domain bounces as unknown). stripHeaders: header field names that a second
 * listener (stripSmtpPort) drops from the mail it takes. Returns { host, smtpPort, stripSmtpPort, dir, stop() }.
 */
async function startPostfix({
	dir,
	domain,
	mailboxes = [],
	lmtpPort,
	smtpPort,
	hostname,
	stripHeaders = [],
} = {}) {
	if (!dir || !domain || !lmtpPort) throw new Error('startPostfix needs { dir, domain, lmtpPort }');
	if (!findPostfix())
		throw new Error(
			`Postfix is needed here but is not installed. Install it with: ${INSTALL_HINT}`,
		);
	if (process.getuid() !== 0)
		throw new Error('A private Postfix instance is started as root (its master runs as root)');
	dir = path.resolve(dir);
	for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d))
		if (!(fs.statSync(d).mode & 0o001))
			throw new Error(`Postfix's daemons run as the postfix user and cannot enter ${d}`);
	const [freePort, stripPort] = await freePorts(2);
	smtpPort = smtpPort || freePort;
	const stripSmtpPort = stripHeaders.length ? stripPort : undefined;
	hostname = hostname || `mta.${domain}`;
	for (const d of ['etc', 'queue', 'data']) fs.mkdirSync(path.join(dir, d), { recursive: true });
	fs.chmodSync(dir, 0o755);
	fs.writeFileSync(path.join(dir, 'etc', 'main.cf'), mainCf({ dir, domain, hostname, lmtpPort }));
	fs.writeFileSync(path.join(dir, 'etc', 'master.cf'), masterCf(smtpPort, stripSmtpPort, dir));
	fs.writeFileSync(
		path.join(dir, 'etc', 'strip_headers'),
		stripHeaders.map((h) => `/^${h.replace(/[^\w-]/g, '')}:/ IGNORE`).join('\n') + '\n',
	);
	fs.writeFileSync(
		path.join(dir, 'etc', 'mailboxes'),
		mailboxes.map((m) => `${m.toLowerCase()} ok`).join('\n') + '\n',
	);
	// Postfix insists on its ownership rules: data_directory belongs to the postfix user.
	execFileSync('chown', ['postfix', path.join(dir, 'data')]);
	postfixCommand(dir, 'set-permissions');
	postfixCommand(dir, 'start');
	live.set(dir, true);
	installExitHook();
	try {
		await waitSmtpGreeting(smtpPort);
		if (stripSmtpPort) await waitSmtpGreeting(stripSmtpPort);
	} catch (e) {
		await stopPostfix(dir);
		throw new Error(`${e.message}\n${logTail(dir)}`);
	}
	return {
		host: '127.0.0.1',
		smtpPort,
		stripSmtpPort,
		domain,
		hostname,
		dir,
		get pid() {
			return masterPid(dir);
		},
		log: () => fs.readFileSync(path.join(dir, 'postfix.log'), 'utf8'),
		stop: () => stopPostfix(dir),
	};
}

/** `postfix stop` (graceful), then waits for the master to go; kills it when it lingers. */
async function stopPostfix(dir) {
	const pid = masterPid(dir);
	try {
		postfixCommand(dir, 'stop');
	} catch {
		// not running: nothing to stop
	}
	const deadline = Date.now() + 10000;
	while (pid && isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	if (pid && isAlive(pid)) {
		try {
			postfixCommand(dir, 'abort');
		} catch {
			process.kill(pid, 'SIGKILL');
		}
	}
	live.delete(dir);
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\S+ \(.*\) [ZX]/.test(stat);
	} catch {
		return false;
	}
}

module.exports = { INSTALL_HINT, findPostfix, startPostfix, stopPostfix };
