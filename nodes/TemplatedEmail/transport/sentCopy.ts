// "Copy to Sent": APPENDs the exact bytes that were sent to the mailbox's Sent folder, over ONE IMAP
// connection per node run (opened on the first copy). No n8n imports.
import type { DescribedFailure, Describable } from '../../shared/failure';
import type { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../../shared/imap/connection';
import { closeImap, connectImap, explainImapError } from '../../shared/imap/connection';
import { findSpecialUse } from '../../shared/imap/folders';

export class SentCopyError extends Error implements Describable {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}

	describe(): DescribedFailure {
		return { message: this.message, description: this.description, service: true };
	}
}

const SENT_NAMES = [
	'sent',
	'sent items',
	'sent messages',
	'sent mail',
	'inbox.sent',
	'отправленные',
];

/** The \\Sent special-use folder; else a folder with a usual Sent name; else a new "Sent" (as mail clients do). */
async function findSentFolder(client: ImapFlow): Promise<string> {
	const special = await findSpecialUse(client, '\\Sent');
	if (special) return special;
	const folders = await client.list();
	const named = folders.find(
		(f) => SENT_NAMES.includes(f.path.toLowerCase()) || SENT_NAMES.includes(f.name.toLowerCase()),
	);
	if (named) return named.path;
	await client.mailboxCreate('Sent');
	return 'Sent';
}

export class SentFolderAppender {
	private client: Promise<ImapFlow> | undefined;
	private folder: Promise<string> | undefined;

	constructor(
		private readonly settings: ImapSettings,
		/** Folder path; empty = the folder marked \\Sent (RFC 6154), else one named like Sent, else a new "Sent". */
		private readonly folderPath = '',
	) {}

	private connect(): Promise<ImapFlow> {
		if (!this.client) {
			this.client = connectImap(this.settings, { extra: { disableAutoIdle: true } });
			this.client.catch(() => (this.client = undefined));
		}
		return this.client;
	}

	private sentFolder(client: ImapFlow): Promise<string> {
		if (!this.folder) {
			this.folder = this.folderPath ? Promise.resolve(this.folderPath) : findSentFolder(client);
			this.folder.catch(() => (this.folder = undefined));
		}
		return this.folder;
	}

	/** Appends `raw` as seen; returns the folder and the new UID (when the server reports it). */
	async append(raw: Buffer, date: Date = new Date()): Promise<{ folder: string; uid?: number }> {
		let client: ImapFlow;
		try {
			client = await this.connect();
		} catch (error) {
			const explained = explainImapError(error, this.settings);
			throw new SentCopyError(`Copy to Sent: ${explained.message}`, explained.description);
		}
		const folder = await this.sentFolder(client);
		try {
			const res = await client.append(folder, raw, ['\\Seen'], date);
			return { folder, uid: res ? res.uid : undefined };
		} catch (error) {
			throw new SentCopyError(
				`The message was sent, but copying it to "${folder}" failed: ${(error as Error).message}`,
				'Check that the folder exists in the IMAP account (or leave "Sent Folder" empty to use the folder the server marks as Sent). The email itself went out: do not resend it.',
			);
		}
	}

	async close(): Promise<void> {
		const pending = this.client;
		this.client = undefined;
		if (pending) await closeImap(await pending.catch(() => undefined));
	}
}
