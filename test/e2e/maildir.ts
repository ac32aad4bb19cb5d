// A big folder fast: messages written straight into a Dovecot user's maildir (one file each, named the way
// Dovecot names them, received date = the file's mtime) instead of hundreds of thousands of SMTP sessions.
// Dovecot indexes them on the next SELECT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DovecotHandle } from '../harness/dovecot';

export interface MaildirMessage {
	raw: string;
	received: Date;
}

/** Writes the messages into `mailbox` of `user` (created when missing); returns how many were written. */
export function writeMaildir(
	dv: DovecotHandle,
	user: string,
	mailbox: string,
	messages: Iterable<MaildirMessage>,
): number {
	const home = path.join(dv.dir, 'mail', user);
	const root = path.join(home, 'Maildir', mailbox === 'INBOX' ? '' : `.${mailbox}`);
	for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(root, sub), { recursive: true });
	// Dovecot runs as the owner of its mail folder (nobody when the tests run as root)
	const owner = fs.statSync(path.join(dv.dir, 'mail'));
	let n = 0;
	for (const m of messages) {
		const secs = Math.floor(m.received.getTime() / 1000);
		const body = Buffer.from(m.raw);
		const file = path.join(root, 'cur', `${secs}.M${n}P${process.pid}.bulk,S=${body.length}:2,`);
		fs.writeFileSync(file, body);
		fs.utimesSync(file, m.received, m.received);
		if (process.getuid?.() === 0) fs.chownSync(file, owner.uid, owner.gid);
		n++;
	}
	if (process.getuid?.() === 0) {
		for (const dir of [
			home,
			path.join(home, 'Maildir'),
			root,
			...['cur', 'new', 'tmp'].map((s) => path.join(root, s)),
		])
			fs.chownSync(dir, owner.uid, owner.gid);
	}
	return n;
}
