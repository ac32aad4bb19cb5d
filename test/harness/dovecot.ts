// Real Dovecot for tests: one shared instance per test run (started by global-setup.ts, reached through
// DOVECOT_* env vars), or one per test with startDovecot() when a test stops / kills / restarts it.
// Isolation comes from users, not servers: newUser() gives a fresh *@test.local mailbox (password "pass").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

export interface DovecotUser {
	user: string;
	pass: string;
}

export interface DovecotHandle {
	host: string;
	imapPort: number;
	imapsPort: number;
	lmtpPort: number;
	dir: string;
	confPath: string;
	/** The self-signed certificate of IMAPS / STARTTLS (SAN localhost, 127.0.0.1). */
	certPem: string;
	users: DovecotUser[];
	readonly pid: number;
	/** Graceful (clients get BYE); resolves when every Dovecot process is gone. */
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** Crash: SIGKILL to every Dovecot process. */
	kill(): Promise<void>;
	restart(signal?: NodeJS.Signals): Promise<void>;
	isRunning(): boolean;
	/** Runs doveadm against this instance; returns stdout. */
	doveadm(...args: Array<string | number>): string;
	setUidValidity(user: string, mailbox: string, value: number): void;
}

export interface StartDovecotOptions {
	dir?: string;
	imapPort?: number;
	imapsPort?: number;
	lmtpPort?: number;
	/** Named users with real password checks (in addition to the ad-hoc *@test.local / "pass"). */
	users?: DovecotUser[];
}

interface DovecotLib {
	INSTALL_HINT: string;
	findDovecot(opts?: {
		searchPath?: string;
	}): { dovecot: string; doveadm: string; setpriv: string | null } | null;
	ensureDovecotInstalled(opts?: {
		log?: (m: string) => void;
		searchPath?: string;
		allowInstall?: boolean;
	}): {
		dovecot: string;
		doveadm: string;
	};
	startDovecot(opts: StartDovecotOptions & { dir: string }): Promise<DovecotHandle>;
	dovecotEnv(h: DovecotHandle): Record<string, string>;
	freePorts(count: number): Promise<number[]>;
	attachDovecot(env?: NodeJS.ProcessEnv): DovecotHandle | null;
}

interface SmtpLib {
	deliverToLmtp(opts: {
		host?: string;
		port: number;
		envelope: { from?: string; to?: string[]; mailFrom?: string; rcptTo?: string[] };
		raw: Buffer;
	}): Promise<{ accepted: unknown[]; rejected: unknown[]; response: string }>;
}

export const dovecotLib = require('../../scripts/lib/dovecot.js') as DovecotLib;
const smtpLib = require('../../scripts/lib/smtp.js') as SmtpLib;

/** Env var naming the run's scratch dir (made by global-setup.ts, removed by global-teardown.ts). */
export const TEST_TMP_ENV = 'CRM_MAIL_TEST_TMP';

const tmpDirs: string[] = [];
let cleanupInstalled = false;
/** A fresh scratch dir under the run's one (removed by the global teardown), else under the OS tmp dir. */
export function tmpDir(prefix: string): string {
	// Under the run's scratch dir the global teardown removes everything, even if a worker is killed.
	const root = process.env[TEST_TMP_ENV];
	if (root && fs.existsSync(root)) return fs.mkdtempSync(path.join(root, prefix));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tmpDirs.push(dir);
	if (!cleanupInstalled) {
		cleanupInstalled = true;
		process.on('exit', () =>
			tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
		);
	}
	return dir;
}

/** A Dovecot of this test's own (to stop / kill / restart). Stop it in afterAll; leftovers die with the process. */
export async function startDovecot(opts: StartDovecotOptions = {}): Promise<DovecotHandle> {
	return dovecotLib.startDovecot({ ...opts, dir: opts.dir ?? tmpDir('dovecot-test-') });
}

let shared: Promise<DovecotHandle> | undefined;
/**
 * The run's shared Dovecot: the one global-setup.ts started (DOVECOT_* env vars), else one started lazily for
 * this worker. Never stop it; use startDovecot() for that.
 */
export function sharedDovecot(): Promise<DovecotHandle> {
	if (!shared) {
		const attached = dovecotLib.attachDovecot(process.env);
		shared = attached ? Promise.resolve(attached) : startDovecot();
		shared.catch(() => (shared = undefined));
	}
	return shared;
}

let userSeq = 0;
/** A fresh, empty mailbox: `<prefix>-<unique>@test.local` / "pass". */
export function newUser(prefix = 'user'): DovecotUser {
	const clean = prefix.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
	const unique = `${process.pid}-${Date.now().toString(36)}-${++userSeq}`;
	return { user: `${clean}-${unique}@test.local`, pass: 'pass' };
}

export type TlsMode = 'tls' | 'starttls' | 'none';

/** Plain connection settings, shaped like the IMAP credential's fields. */
export interface ImapSettings {
	host: string;
	port: number;
	/** Implicit TLS (IMAPS). */
	secure: boolean;
	/** Upgrade with STARTTLS (required) on the plain port. */
	starttls: boolean;
	user: string;
	password: string;
	/** Accept Dovecot's self-signed certificate. */
	allowSelfSigned: boolean;
}

function userOf(user: DovecotUser | string): DovecotUser {
	return typeof user === 'string' ? { user, pass: 'pass' } : user;
}

/** Settings for `user` (default tls: 'none'); allowSelfSigned defaults to true when TLS is used. */
export function imapConfig(
	dovecot: DovecotHandle,
	user: DovecotUser | string,
	opts: { tls?: TlsMode; allowSelfSigned?: boolean } = {},
): ImapSettings {
	const tls = opts.tls ?? 'none';
	const u = userOf(user);
	return {
		host: dovecot.host,
		port: tls === 'tls' ? dovecot.imapsPort : dovecot.imapPort,
		secure: tls === 'tls',
		starttls: tls === 'starttls',
		user: u.user,
		password: u.pass,
		allowSelfSigned: opts.allowSelfSigned ?? tls !== 'none',
	};
}

/** The data of an "IMAP Account" credential (crmMailImap) for `user` on the plain port, password login. */
export function imapCredential(
	dovecot: DovecotHandle,
	user: DovecotUser | string,
	over: Record<string, unknown> = {},
) {
	const u = userOf(user);
	return {
		host: dovecot.host,
		port: dovecot.imapPort,
		security: 'none',
		user: u.user,
		authentication: 'password',
		password: u.pass,
		allowSelfSigned: false,
		...over,
	};
}

/** imapflow options for settings; `ca` verifies against a given certificate instead of skipping verification. */
export function imapFlowOptions(s: ImapSettings, extra: { ca?: string } = {}): ImapFlowOptions {
	return {
		host: s.host,
		port: s.port,
		secure: s.secure,
		doSTARTTLS: s.secure ? undefined : s.starttls,
		auth: { user: s.user, pass: s.password },
		tls: s.allowSelfSigned ? { rejectUnauthorized: false } : extra.ca ? { ca: extra.ca } : {},
		logger: false,
		// a test that fails should say so quickly, not hang on a dead server
		connectionTimeout: 10000,
		greetingTimeout: 10000,
	};
}

/** A connected, logged-in imapflow client (caller logs out). */
export async function openImap(
	dovecot: DovecotHandle,
	user: DovecotUser | string,
	opts: { tls?: TlsMode; allowSelfSigned?: boolean; ca?: string } = {},
): Promise<ImapFlow> {
	const client = new ImapFlow(imapFlowOptions(imapConfig(dovecot, user, opts), opts));
	client.on('error', () => {}); // surfaced through the rejected promises instead
	await client.connect();
	return client;
}

/** APPENDs raw to folder; returns the new message's UID and the folder's UIDVALIDITY. */
export async function appendMessage(
	dovecot: DovecotHandle,
	user: DovecotUser | string,
	folder: string,
	raw: Buffer | string,
	flags: string[] = [],
	date?: Date,
): Promise<{ uid: number; uidValidity: bigint }> {
	const client = await openImap(dovecot, user);
	try {
		const res = await client.append(folder, raw, flags, date);
		if (!res || res.uid === undefined || res.uidValidity === undefined)
			throw new Error(`APPEND to ${folder} returned no UID`);
		return { uid: res.uid, uidValidity: res.uidValidity };
	} finally {
		await client.logout().catch(() => undefined);
	}
}

/** Delivers raw through Dovecot's LMTP (the real delivery path: Return-Path / Delivered-To are added). */
export async function deliverLmtp(
	dovecot: DovecotHandle,
	to: string | string[],
	raw: Buffer | string,
	from = 'sender@test.local',
): Promise<void> {
	await smtpLib.deliverToLmtp({
		host: dovecot.host,
		port: dovecot.lmtpPort,
		envelope: { from, to: Array.isArray(to) ? to : [to] },
		raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
	});
}

export interface BuildMessageOptions {
	from?: string;
	to?: string | string[];
	cc?: string | string[];
	subject?: string;
	text?: string;
	html?: string;
	attachments?: Mail.Attachment[];
	headers?: Record<string, string>;
	messageId?: string;
	inReplyTo?: string;
	references?: string | string[];
	date?: Date;
}

/** An RFC 5322 message built by nodemailer's MailComposer (defaults fill the required headers). */
export function buildMessage(o: BuildMessageOptions = {}): Promise<Buffer> {
	const mail = new MailComposer({
		from: o.from ?? 'Sender <sender@test.local>',
		to: o.to ?? 'rcpt@test.local',
		cc: o.cc,
		subject: o.subject ?? 'Test message',
		text: o.text ?? (o.html ? undefined : 'Hello from the test harness.'),
		html: o.html,
		attachments: o.attachments,
		headers: o.headers,
		messageId: o.messageId,
		inReplyTo: o.inReplyTo,
		references: o.references,
		date: o.date,
	});
	return new Promise((resolve, reject) =>
		mail.compile().build((err, msg) => (err ? reject(err) : resolve(msg))),
	);
}
