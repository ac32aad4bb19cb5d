// Real bounces from a real MTA: a private Postfix (scripts/lib/postfix.js) in front of a Dovecot of its own
// whose users have a quota, so the three everyday failures come back as Postfix's own delivery reports:
// an unknown local user (local(8)), an unroutable domain (smtp(8), no DNS) and a full mailbox (Dovecot's
// LMTP refusing over quota). Shared by test/integration/bounces and bench/bounces.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import nodemailer from 'nodemailer';
import {
	appendMessage,
	buildMessage,
	newUser,
	openImap,
	startDovecot,
	tmpDir,
	type DovecotHandle,
} from './dovecot';

export interface PostfixHandle {
	host: string;
	smtpPort: number;
	/** The listener that drops the `stripHeaders` fields (a relay that strips headers), when asked for. */
	stripSmtpPort?: number;
	/** The test domain: its mailboxes are in Dovecot. */
	domain: string;
	/** The MTA's host name: a local domain without users, so every user of it is unknown. */
	hostname: string;
	dir: string;
	readonly pid: number;
	log(): string;
	stop(): Promise<void>;
}

interface PostfixLib {
	INSTALL_HINT: string;
	findPostfix(): string | null;
	startPostfix(opts: {
		dir: string;
		domain: string;
		mailboxes?: string[];
		lmtpPort: number;
		smtpPort?: number;
		hostname?: string;
		stripHeaders?: string[];
	}): Promise<PostfixHandle>;
}

export const postfixLib = require('../../scripts/lib/postfix.js') as PostfixLib;

/** Whether Debian's postfix is installed and we may run a private instance (root). */
export function postfixAvailable(): boolean {
	return postfixLib.findPostfix() !== null && process.getuid?.() === 0;
}

/** Each user's quota in the bounce lab's Dovecot: small, so one stuffed mailbox is full. */
export const QUOTA_BYTES = 64 * 1024;

/** A Dovecot of its own whose every user has QUOTA_BYTES of storage (Dovecot's quota plugin, maildir backend). */
export async function startDovecotWithQuota(): Promise<DovecotHandle> {
	const dv = await startDovecot();
	// the shared configuration has no quota; the plugin is added here and read on restart
	fs.appendFileSync(
		dv.confPath,
		`mail_plugins = $mail_plugins quota
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=${QUOTA_BYTES}B
}
`,
	);
	await dv.restart();
	return dv;
}

export interface BounceLab {
	dovecot: DovecotHandle;
	postfix: PostfixHandle;
	/** The sender, a Dovecot mailbox: the reports come back to its INBOX. */
	sender: string;
	/** A Dovecot mailbox stuffed to its quota. */
	fullUser: string;
	stop(): Promise<void>;
}

export interface BounceLabOptions {
	/** More mailboxes of the test domain (e.g. a VERP bounce mailbox: its +detail forms reach it too). */
	mailboxes?: string[];
	/** Header fields the second listener (postfix.stripSmtpPort) drops from the mail it takes. */
	stripHeaders?: string[];
}

/** Dovecot with quota + a private Postfix delivering the test domain to it; a sender and a full mailbox. */
export async function startBounceLab(options: BounceLabOptions = {}): Promise<BounceLab> {
	const dovecot = await startDovecotWithQuota();
	const sender = newUser('bounce-sender').user;
	const fullUser = newUser('bounce-full').user;
	let postfix: PostfixHandle | undefined;
	try {
		// nearly the whole quota: the next message of some size no longer fits
		await appendMessage(
			dovecot,
			fullUser,
			'INBOX',
			await buildMessage({ to: fullUser, text: 'x'.repeat(QUOTA_BYTES - 4096) }),
		);
		const parent = tmpDir('postfix-test-');
		fs.chmodSync(parent, 0o755); // Postfix's daemons run as the postfix user
		postfix = await postfixLib.startPostfix({
			dir: path.join(parent, 'postfix'),
			domain: 'test.local',
			mailboxes: [sender, fullUser, ...(options.mailboxes ?? [])],
			lmtpPort: dovecot.lmtpPort,
			stripHeaders: options.stripHeaders,
		});
	} catch (error) {
		await dovecot.stop();
		throw error;
	}
	const started = postfix;
	return {
		dovecot,
		postfix: started,
		sender,
		fullUser,
		stop: async () => {
			await started.stop();
			await dovecot.stop();
		},
	};
}

export interface BounceScenario {
	name: 'unknownUser' | 'unroutableDomain' | 'mailboxFull';
	to: string;
	/** The Message-ID the test gave the original. */
	messageId: string;
	/** What the bounce library should make of Postfix's report. */
	expect: { status: RegExp; kind: 'hard' | 'soft'; reason: string };
}

/** The three failures, with Message-IDs unique to this run. */
export function bounceScenarios(lab: BounceLab): BounceScenario[] {
	const unique = `${process.pid}.${Date.now().toString(36)}`;
	return [
		{
			name: 'unknownUser',
			to: `no-such-user@${lab.postfix.hostname}`,
			messageId: `<unknown.${unique}@shop.test.local>`,
			expect: { status: /^5\.1\.1$/, kind: 'hard', reason: 'userUnknown' },
		},
		{
			name: 'unroutableDomain',
			to: 'client@nowhere.invalid',
			messageId: `<unroutable.${unique}@shop.test.local>`,
			expect: { status: /^5\.(4\.4|1\.2)$/, kind: 'hard', reason: 'hostUnknown' },
		},
		{
			name: 'mailboxFull',
			to: lab.fullUser,
			messageId: `<full.${unique}@shop.test.local>`,
			expect: { status: /^5\.2\.2$/, kind: 'soft', reason: 'mailboxFull' },
		},
	];
}

/** Submits each scenario's message to Postfix over SMTP, from the lab's sender. */
export async function sendScenarios(lab: BounceLab, scenarios: BounceScenario[]): Promise<void> {
	const transport = nodemailer.createTransport({
		host: lab.postfix.host,
		port: lab.postfix.smtpPort,
		secure: false,
		ignoreTLS: true,
	});
	try {
		for (const s of scenarios)
			await transport.sendMail({
				from: `Shop <${lab.sender}>`,
				to: s.to,
				subject: `Offer for ${s.to}`,
				messageId: s.messageId,
				// bigger than what is left of the full mailbox's quota
				text: 'Our offer. '.repeat(1000),
			});
	} finally {
		transport.close();
	}
}

/** The raw messages of `user`'s INBOX once it holds `count` (Postfix delivers its reports within seconds). */
export async function waitForInbox(
	dovecot: DovecotHandle,
	user: string,
	count: number,
	timeoutMs = 30000,
): Promise<Buffer[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const client = await openImap(dovecot, user);
		try {
			const status = await client.status('INBOX', { messages: true });
			if (((status && status.messages) || 0) >= count || Date.now() > deadline) {
				const lock = await client.getMailboxLock('INBOX');
				try {
					const sources: Buffer[] = [];
					for await (const m of client.fetch('1:*', { source: true }))
						if (m.source) sources.push(m.source);
					return sources;
				} finally {
					lock.release();
				}
			}
		} finally {
			await client.logout().catch(() => undefined);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
}
