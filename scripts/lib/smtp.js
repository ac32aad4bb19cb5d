'use strict';
// An smtp-server sink on loopback: records envelopes and raw messages, can be told to answer 4xx / 5xx or to
// drop the connection, and (with onMessage) relays what it accepts, e.g. into Dovecot over LMTP.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');
const nodemailer = require('nodemailer');
const { ensureSelfSignedCert } = require('./dovecot');

let certCache = null;
// One self-signed certificate per process is enough for every sink; only its PEM text is kept.
function sinkCert() {
	if (!certCache) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtp-sink-cert-'));
		try {
			const { certPem, keyPem } = ensureSelfSignedCert(dir);
			certCache = { certPem, keyPem };
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	return certCache;
}

function smtpError(code, message) {
	const err = new Error(message || (code >= 500 ? 'Rejected by the test sink' : 'Try again later'));
	err.responseCode = code;
	return err;
}

/**
 * startSmtpSink({ port?, host?, auth?: { user, pass } | Array<{ user, pass }> | false, secure?, starttls?, onMessage? })
 * secure: implicit TLS; starttls: offer STARTTLS. Both use a self-signed certificate (handle.certPem).
 */
async function startSmtpSink({
	port = 0,
	host = '127.0.0.1',
	auth = false,
	secure = false,
	starttls = false,
	onMessage,
} = {}) {
	const messages = [];
	const rejected = [];
	const failures = []; // queued { code, message } answers for the next messages
	let dropCount = 0;
	const rcptFailures = new Map();
	const waiters = new Set();
	const useTls = secure || starttls;
	const tls = useTls ? sinkCert() : null;

	const notify = () => {
		for (const w of waiters) if (messages.length >= w.count) w.resolve(messages.slice());
	};

	const server = new SMTPServer({
		secure,
		...(tls ? { key: tls.keyPem, cert: tls.certPem } : {}),
		// no STARTTLS unless asked: smtp-server would otherwise offer it with its built-in certificate
		disabledCommands: [...(starttls || secure ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
		authMethods: ['PLAIN', 'LOGIN'],
		authOptional: !auth,
		allowInsecureAuth: true,
		logger: false,
		onAuth(a, session, cb) {
			const accounts = Array.isArray(auth) ? auth : auth ? [auth] : [];
			if (accounts.some((u) => a.username === u.user && a.password === u.pass))
				return cb(null, { user: a.username });
			const err = smtpError(535, 'Authentication credentials invalid');
			return cb(err);
		},
		onRcptTo(address, session, cb) {
			const f = rcptFailures.get(String(address.address).toLowerCase());
			return f ? cb(smtpError(f.code, f.message)) : cb();
		},
		onData(stream, session, cb) {
			if (dropCount > 0) {
				dropCount--;
				// the connection dies while the client sends DATA: no answer at all
				const conn = [...server.connections].find((c) => c.id === session.id);
				stream.resume();
				if (conn && conn._socket) conn._socket.destroy();
				return;
			}
			const chunks = [];
			stream.on('data', (c) => chunks.push(c));
			stream.on('end', async () => {
				const record = {
					envelope: {
						mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						rcptTo: session.envelope.rcptTo.map((r) => r.address),
					},
					raw: Buffer.concat(chunks),
					receivedAt: new Date(),
					authUser: session.user || null,
					secure: !!session.secure,
				};
				const failure = failures.shift();
				if (failure) {
					rejected.push({ ...record, code: failure.code });
					return cb(smtpError(failure.code, failure.message));
				}
				if (onMessage) {
					try {
						await onMessage({ envelope: record.envelope, raw: record.raw });
					} catch (e) {
						// a failed relay is a temporary failure unless the next hop said otherwise
						rejected.push({ ...record, code: e.responseCode || 451 });
						return cb(smtpError(e.responseCode || 451, `Relay failed: ${e.message}`));
					}
				}
				messages.push(record);
				notify();
				cb(null, 'OK: captured');
			});
		},
	});
	server.on('error', () => {}); // client-side protocol errors are not the sink's problem

	await new Promise((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const actualPort = server.server.address().port;

	return {
		host,
		port: actualPort,
		secure,
		starttls,
		certPem: tls ? tls.certPem : null,
		messages,
		rejected,
		/** Answer the next n messages (after DATA) with code, e.g. 451 or 550. */
		failNext(n, { code = 451, message } = {}) {
			for (let i = 0; i < n; i++) failures.push({ code, message });
		},
		/** Destroy the connection at DATA for the next n messages. */
		dropNext(n) {
			dropCount += n;
		},
		/** Answer RCPT TO:<address> with code until reset(). */
		failRcpt(address, code = 550, message = 'No such user here') {
			rcptFailures.set(String(address).toLowerCase(), { code, message });
		},
		reset() {
			messages.length = 0;
			rejected.length = 0;
			failures.length = 0;
			dropCount = 0;
			rcptFailures.clear();
		},
		/** Resolves with the messages once at least count were accepted. */
		waitFor(count, timeoutMs = 10000) {
			if (messages.length >= count) return Promise.resolve(messages.slice());
			return new Promise((resolve, reject) => {
				const w = {
					count,
					resolve: (m) => {
						clearTimeout(timer);
						waiters.delete(w);
						resolve(m);
					},
				};
				const timer = setTimeout(() => {
					waiters.delete(w);
					reject(
						new Error(
							`SMTP sink: expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`,
						),
					);
				}, timeoutMs);
				waiters.add(w);
			});
		},
		/** Closes the listener and every open connection (pooled senders included) at once. */
		close() {
			return new Promise((resolve) => {
				for (const c of server.connections) if (c._socket) c._socket.destroy();
				server.close(() => resolve());
			});
		},
	};
}

/**
 * Delivers a raw message over LMTP (e.g. to Dovecot). envelope: { mailFrom, rcptTo } (sink form) or { from, to }.
 * Throws (with responseCode) when any recipient is refused.
 */
async function deliverToLmtp({ host = '127.0.0.1', port, envelope, raw }) {
	const from = envelope.mailFrom !== undefined ? envelope.mailFrom : envelope.from;
	const to = envelope.rcptTo !== undefined ? envelope.rcptTo : envelope.to;
	const transport = nodemailer.createTransport({
		lmtp: true,
		host,
		port,
		secure: false,
		ignoreTLS: true,
		name: 'localhost',
		logger: false,
	});
	try {
		const info = await transport.sendMail({ envelope: { from: from || '', to }, raw });
		if (info.rejected && info.rejected.length) {
			const first = (info.rejectedErrors && info.rejectedErrors[0]) || {};
			const err = new Error(
				`LMTP refused ${info.rejected.join(', ')}: ${first.response || first.message || ''}`,
			);
			err.responseCode = first.responseCode || 550;
			throw err;
		}
		return info;
	} finally {
		transport.close();
	}
}

module.exports = { startSmtpSink, deliverToLmtp };
