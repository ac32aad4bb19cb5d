'use strict';
// The local mail sandbox of `npm start`: a Dovecot with two mailboxes and an SMTP endpoint on loopback that
// relays every accepted message into Dovecot over LMTP, so example flows can send a mail, receive it and react
// without any outside account, and a Bitrix24 stand-in (lib/bitrix24-standin.js) for the Bitrix24 examples.
// Fixed ports and a persistent folder keep the n8n credentials valid across runs.
//
//   node scripts/sandbox.js      runs only the sandbox until Ctrl-C
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDovecot, ensureDovecotInstalled } = require('./lib/dovecot');
const { startSmtpSink, deliverToLmtp } = require('./lib/smtp');
const bitrix24Lib = require('./lib/bitrix24-standin');

const REPO = path.resolve(__dirname, '..');
const DEFAULT_PORTS = {
	imapPort: 3143,
	imapsPort: 3993,
	lmtpPort: 3024,
	smtpPort: 3025,
	bitrix24Port: Number(process.env.BITRIX24_STANDIN_PORT || bitrix24Lib.DEFAULT_PORT),
};
// Demo mailboxes only reachable on 127.0.0.1; fixed so the imported credentials keep working.
const USERS = {
	sales: { user: 'sales@crm.local', pass: 'sales-sandbox-pass' },
	customer: { user: 'customer@client.local', pass: 'customer-sandbox-pass' },
};

/** Dovecot runs as nobody when we are root, and nobody must be able to enter every parent of its folder. */
function usableDir(dir) {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return dir;
	for (let d = path.dirname(path.resolve(dir)); d !== path.dirname(d); d = path.dirname(d)) {
		if (!(fs.statSync(d).mode & 0o001)) return path.join(os.tmpdir(), 'n8n-nodes-crm-mail-sandbox');
	}
	return dir;
}

/**
 * Starts Dovecot, the SMTP relay and the Bitrix24 stand-in. ports: fixed ports by default; pass 0 for any free
 * port (tests). Returns { host, imapPort, imapsPort, lmtpPort, smtpPort, users, dir, certPem, bitrix24, vars, stop() }
 * (bitrix24: the stand-in, null when it could not start).
 * Throws when Dovecot is missing and cannot be installed (the caller decides whether that is fatal).
 */
async function startSandbox({
	dir = path.join(REPO, '.sandbox'),
	ports = DEFAULT_PORTS,
	log = console.log,
} = {}) {
	ensureDovecotInstalled({ log });
	dir = usableDir(dir);
	const users = Object.values(USERS);
	const dovecot = await startDovecot({
		dir,
		imapPort: ports.imapPort || undefined,
		imapsPort: ports.imapsPort || undefined,
		lmtpPort: ports.lmtpPort || undefined,
		users,
	});
	// mailboxes another local Dovecot holds (the OAuth2 one of npm start): address -> its LMTP port
	const elsewhere = new Map();
	const deliver = ({ envelope, raw }) =>
		deliverByMailbox({ host: dovecot.host, port: dovecot.lmtpPort, elsewhere, envelope, raw });
	let smtp;
	try {
		smtp = await startSmtpSink({
			port: ports.smtpPort || 0,
			// both mailboxes can send (the CRM side as sales, a "customer" replying as customer)
			auth: [USERS.sales, USERS.customer],
			onMessage: deliver,
		});
	} catch (error) {
		await dovecot.stop();
		throw error;
	}
	// a CRM stand-in that does not start (its port taken) leaves the mail sandbox usable
	const bitrix24Port = ports.bitrix24Port || 0;
	const bitrix24 = await bitrix24Lib.startBitrix24StandIn({ port: bitrix24Port }).catch((error) => {
		log(`The Bitrix24 stand-in is not available: ${error.message}`);
		return null;
	});
	const info = {
		host: '127.0.0.1',
		imapPort: dovecot.imapPort,
		imapsPort: dovecot.imapsPort,
		lmtpPort: dovecot.lmtpPort,
		smtpPort: smtp.port,
		dir,
		certPem: dovecot.certPem,
		users: USERS,
		dovecot,
		smtp,
		bitrix24,
		/** Delivers { envelope: { mailFrom, rcptTo }, raw } into the mailboxes, as the SMTP endpoint does. */
		deliver,
		/** Mail for address goes to the Dovecot whose LMTP listens on lmtpPort (127.0.0.1) instead of this one. */
		addMailbox: (address, lmtpPort) => elsewhere.set(address.toLowerCase(), lmtpPort),
	};
	let stopping = null;
	info.stop = () => {
		stopping ??= Promise.allSettled([smtp.close(), dovecot.stop(), bitrix24?.stop()]).then(
			() => undefined,
		);
		return stopping;
	};
	// Placeholder values for examples/credentials.json: {{sandbox.imapPort}}, {{sandbox.sales.user}}, ...
	info.vars = {
		host: info.host,
		imapPort: info.imapPort,
		imapsPort: info.imapsPort,
		lmtpPort: info.lmtpPort,
		smtpPort: info.smtpPort,
		sales: { ...USERS.sales },
		customer: { ...USERS.customer },
		smtpUser: USERS.sales.user,
		smtpPassword: USERS.sales.pass,
		bitrix24: bitrix24
			? { webhookUrl: bitrix24.webhookUrl, applicationToken: bitrix24.applicationToken }
			: bitrix24Lib.standInVars(bitrix24Port),
	};
	return info;
}

/** LMTP delivery split by recipient: those in elsewhere (address -> port) go there, the rest to port. */
async function deliverByMailbox({ host, port, elsewhere, envelope, raw }) {
	const byPort = new Map();
	for (const to of envelope.rcptTo) {
		const p = elsewhere.get(String(to).toLowerCase()) ?? port;
		byPort.set(p, [...(byPort.get(p) ?? []), to]);
	}
	for (const [p, rcptTo] of byPort)
		await deliverToLmtp({ host, port: p, envelope: { ...envelope, rcptTo }, raw });
}

/** The placeholder values when the sandbox could not start: the fixed ports, so credentials are still valid later. */
function offlineVars() {
	return {
		host: '127.0.0.1',
		...DEFAULT_PORTS,
		sales: { ...USERS.sales },
		customer: { ...USERS.customer },
		smtpUser: USERS.sales.user,
		smtpPassword: USERS.sales.pass,
		bitrix24: bitrix24Lib.standInVars(DEFAULT_PORTS.bitrix24Port),
	};
}

function describe(sandbox, n8nUrl) {
	return [
		`Mail sandbox (loopback only, folder ${sandbox.dir}):`,
		`  IMAP   ${sandbox.host}:${sandbox.imapPort} (plain)  IMAPS ${sandbox.host}:${sandbox.imapsPort} (self-signed)`,
		`  SMTP   ${sandbox.host}:${sandbox.smtpPort} (AUTH ${USERS.sales.user}), every accepted message is delivered into the mailboxes`,
		...Object.values(USERS).map((u) => `  mailbox ${u.user}  password ${u.pass}`),
		'',
		sandbox.bitrix24
			? bitrix24Lib.describe(sandbox.bitrix24, n8nUrl)
			: 'Bitrix24 stand-in: not running (see the message above).',
	].join('\n');
}

module.exports = { startSandbox, offlineVars, describe, USERS, DEFAULT_PORTS };

if (require.main === module) {
	startSandbox()
		.then((sandbox) => {
			console.log(describe(sandbox));
			console.log('Press Ctrl-C to stop.');
			const shutdown = () => sandbox.stop().then(() => process.exit(0));
			process.once('SIGINT', shutdown);
			process.once('SIGTERM', shutdown);
		})
		.catch((error) => {
			console.error(`The mail sandbox could not start: ${error.message}`);
			process.exit(1);
		});
}
