// One IMAP connection per execution, opened on first use, reused by every item, closed at the end (also on
// error). A connection that broke mid-way is replaced once per item, so one network hiccup does not fail the rest.
// No n8n imports.
import { CheckFailure } from '../../shared/failure';
import type { ImapFlow } from 'imapflow';
import {
	closeImap,
	connectImap,
	type ImapLogger,
	type ImapSettings,
} from '../../shared/imap/connection';
import { listFolders, type ImapFolder } from '../../shared/imap/folders';

/** A mailbox check that failed: what is wrong, and what to do. */
export class MailboxError extends CheckFailure {}

export class MailboxSession {
	private client?: ImapFlow;

	private folders?: ImapFolder[];

	/** How many connections this execution opened (1 unless one broke). */
	connections = 0;

	constructor(
		readonly settings: ImapSettings,
		private readonly logger?: ImapLogger,
	) {}

	async imap(): Promise<ImapFlow> {
		if (this.client?.usable) return this.client;
		if (this.client) await closeImap(this.client, 1000);
		this.client = undefined;
		this.client = await connectImap(this.settings, {
			logger: this.logger,
			extra: { disableAutoIdle: true },
		});
		this.connections++;
		return this.client;
	}

	async folderList(): Promise<ImapFolder[]> {
		if (!this.folders) this.folders = await listFolders(await this.imap());
		return this.folders;
	}

	/** Selects `folder` for `fn` (imapflow's mailbox lock); a missing folder gives a clear error. */
	async inFolder<T>(
		folder: string,
		fn: (client: ImapFlow) => Promise<T>,
		readOnly = false,
	): Promise<T> {
		const client = await this.imap();
		const lock = await client.getMailboxLock(folder, { readOnly }).catch((error: Error) => error);
		if (lock instanceof Error) {
			// a dead connection keeps its own error (explained by the caller); a refused SELECT names the folder
			if (!client.usable) throw lock;
			const why = (lock as { responseText?: string }).responseText;
			throw new MailboxError(
				`Folder "${folder}" could not be opened${why ? `: ${why}` : ''}`,
				'Pick the folder from the list, or check the exact path (with its parent folders and separator) in "List Folders".',
			);
		}
		try {
			return await fn(client);
		} finally {
			lock.release();
		}
	}

	async close(): Promise<void> {
		const c = this.client;
		this.client = undefined;
		await closeImap(c);
	}
}

/** UIDs from a parameter: a number, "12", "12, 15 17", or an array of those. */
export function parseUids(value: unknown): number[] {
	const parts = (Array.isArray(value) ? value : [value]).flatMap((v) =>
		typeof v === 'number' ? [String(v)] : String(v ?? '').split(/[\s,;]+/),
	);
	const uids: number[] = [];
	for (const p of parts.map((x) => x.trim()).filter(Boolean)) {
		if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 4294967295) {
			throw new MailboxError(
				`"${p}" is not a message UID`,
				'A UID is a positive whole number, e.g. the "uid" field of an item from "Get Messages" or the IMAP Sync Trigger. Separate several with commas.',
			);
		}
		uids.push(Number(p));
	}
	if (!uids.length) {
		throw new MailboxError(
			'No message UID given',
			'Enter a UID, or map the "uid" field of the incoming item with an expression.',
		);
	}
	return [...new Set(uids)];
}

/** Fails with the UIDs that do not exist in the selected folder (IMAP itself silently ignores them). */
export async function requireUids(client: ImapFlow, folder: string, uids: number[]): Promise<void> {
	const found = new Set((await client.search({ uid: uids.join(',') }, { uid: true })) || []);
	const missing = uids.filter((u) => !found.has(u));
	if (missing.length) {
		throw new MailboxError(
			`No message with UID ${missing.join(', ')} in folder "${folder}"`,
			'The message may have been moved or deleted, or the UID belongs to another folder. UIDs are only valid in the folder they came from.',
		);
	}
}

/** Standard flag names from the dropdown plus custom keywords (comma separated). */
export function flagList(standard: unknown, custom: unknown): string[] {
	const flags = (Array.isArray(standard) ? standard : []).map(String);
	for (const k of String(custom ?? '')
		.split(/[\s,]+/)
		.filter(Boolean)) {
		if (!/^\\?[^\s()\]{%*"\\]+$/.test(k)) {
			throw new MailboxError(
				`"${k}" is not a valid IMAP keyword`,
				'Keywords are single words without spaces, brackets or quotes, e.g. "$Processed" or "crm-linked".',
			);
		}
		flags.push(k);
	}
	return [...new Set(flags)];
}
