// "Fetch Test Event": the latest messages of each folder, parsed like the live trigger would, without
// reading or writing any sync state.
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { parseFetched, type EmailItem } from '../../shared/imap/message';
import type { FolderSettings, SyncOptions } from './folderState';

export async function latestMessages(
	client: ImapFlow,
	folder: FolderSettings,
	count: number,
	options: SyncOptions,
): Promise<EmailItem[]> {
	const lock = await client.getMailboxLock(folder.path, {
		readOnly: true,
		description: 'imapSyncTrigger test event',
	});
	try {
		const uids = ((await client.search({ uid: '1:*' }, { uid: true })) || []) as number[];
		const wanted = uids.sort((a, b) => a - b).slice(-count);
		if (!wanted.length) return [];
		const uidValidity = String((client.mailbox as { uidValidity: bigint }).uidValidity);
		const meta: FetchMessageObject[] = [];
		for await (const m of client.fetch(
			wanted,
			{ uid: true, flags: true, size: true, internalDate: true, headers: true },
			{ uid: true },
		))
			meta.push(m);
		const small =
			folder.load === 'headers'
				? []
				: meta.filter((m) => (m.size ?? 0) <= options.sizeLimitBytes).map((m) => m.uid);
		const sources = new Map<number, Buffer>();
		if (small.length) {
			for await (const m of client.fetch(small, { uid: true, source: true }, { uid: true }))
				if (m.source) sources.set(m.uid, m.source);
		}
		const items: EmailItem[] = [];
		for (const m of meta.sort((a, b) => b.uid - a.uid)) {
			items.push(
				await parseFetched(
					{ ...m, source: sources.get(m.uid) },
					{
						folder: folder.path,
						uidValidity,
						direction: folder.direction,
						includeHeaders: options.includeHeaders,
						oversized: (m.size ?? 0) > options.sizeLimitBytes,
						load: folder.load,
					},
				),
			);
		}
		return items;
	} finally {
		lock.release();
	}
}
