// Mail helpers of the example checks: deliver a message into a sandbox mailbox (LMTP, as the sandbox SMTP relay
// does) and find a message in one over IMAP.
import { randomUUID } from 'node:crypto';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { E2eEnv, Sandbox } from './harness';

const { deliverToLmtp } = require('../../scripts/lib/smtp');

export type SandboxUser = 'sales' | 'customer';

function sandboxOf(env: E2eEnv): Sandbox {
	if (!env.sandbox) throw new Error('The mail sandbox is not running (Dovecot missing?)');
	return env.sandbox;
}

export interface MailSpec {
	from: string;
	fromName?: string;
	subject: string;
	text: string;
}

/** Delivers a plain-text mail into `to`'s INBOX; returns its Message-ID (with angle brackets). */
export async function deliverMail(env: E2eEnv, to: SandboxUser, mail: MailSpec): Promise<string> {
	const sandbox = sandboxOf(env);
	const rcpt = sandbox.users[to].user;
	const messageId = `<${randomUUID()}@e2e.test>`;
	const raw = [
		`From: ${mail.fromName ? `"${mail.fromName}" <${mail.from}>` : mail.from}`,
		`To: ${rcpt}`,
		`Subject: ${mail.subject}`,
		`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: ${messageId}`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'',
		mail.text,
		'',
	].join('\r\n');
	await deliverToLmtp({
		host: sandbox.host,
		port: sandbox.lmtpPort,
		envelope: { from: mail.from, to: [rcpt] },
		raw,
	});
	return messageId;
}

/** Waits until `user`'s INBOX holds a message whose subject contains `subjectPart`; returns the newest such. */
export async function findMail(
	env: E2eEnv,
	user: SandboxUser,
	subjectPart: string,
	timeoutMs = 30000,
): Promise<FetchMessageObject> {
	const sandbox = sandboxOf(env);
	const { user: login, pass } = sandbox.users[user];
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		// plain IMAP on loopback: Dovecot offers STARTTLS with its self-signed certificate
		const client = new ImapFlow({
			host: sandbox.host,
			port: sandbox.imapPort,
			secure: false,
			doSTARTTLS: false,
			auth: { user: login, pass },
			logger: false,
		});
		client.on('error', () => undefined);
		await client.connect();
		try {
			await client.mailboxOpen('INBOX');
			const uids = (await client.search({ subject: subjectPart }, { uid: true })) || [];
			if (uids.length) {
				const msg = await client.fetchOne(
					String(uids[uids.length - 1]),
					{ envelope: true, source: true, internalDate: true },
					{ uid: true },
				);
				if (msg) return msg;
			}
		} finally {
			await client.logout().catch(() => undefined);
		}
		if (Date.now() > deadline)
			throw new Error(
				`No mail with "${subjectPart}" in ${login}'s INBOX within ${timeoutMs / 1000} s`,
			);
		await new Promise((r) => setTimeout(r, 500));
	}
}
