// Folder listing shared by the IMAP nodes (dropdowns, "list folders", special-use lookup). No n8n imports.
import type { ImapFlow, ListResponse } from 'imapflow';

export interface ImapFolder {
	path: string;
	name: string;
	delimiter: string;
	/** RFC 6154 special use, e.g. '\\Sent', '\\Trash', '\\Inbox' */
	specialUse?: string;
	flags: string[];
	subscribed: boolean;
}

export interface FolderOption {
	name: string;
	value: string;
	description?: string;
}

const SPECIAL_USE_LABEL: Record<string, string> = {
	'\\Inbox': 'Inbox',
	'\\Sent': 'Sent mail',
	'\\Drafts': 'Drafts',
	'\\Trash': 'Trash',
	'\\Junk': 'Spam (junk)',
	'\\Archive': 'Archive',
	'\\All': 'All mail',
	'\\Flagged': 'Flagged',
	'\\Important': 'Important',
};

function toFolder(f: ListResponse): ImapFolder {
	return {
		path: f.path,
		name: f.name,
		delimiter: f.delimiter,
		...(f.specialUse ? { specialUse: f.specialUse } : {}),
		flags: [...(f.flags ?? [])],
		subscribed: f.subscribed,
	};
}

/** Selectable folders (\Noselect ones left out), INBOX first, then by path. */
export async function listFolders(client: ImapFlow): Promise<ImapFolder[]> {
	const listed = await client.list();
	return listed
		.filter((f) => ![...(f.flags ?? [])].some((flag) => /^\\(Noselect|NonExistent)$/i.test(flag)))
		.map(toFolder)
		.sort((a, b) => {
			const ai = a.path.toUpperCase() === 'INBOX' ? 0 : 1;
			const bi = b.path.toUpperCase() === 'INBOX' ? 0 : 1;
			return ai - bi || a.path.localeCompare(b.path);
		});
}

/** Dropdown options: name = full path (readable), value = path, description = special use. */
export function folderOptions(folders: ImapFolder[]): FolderOption[] {
	return folders.map((f) => {
		const label = f.specialUse ? (SPECIAL_USE_LABEL[f.specialUse] ?? f.specialUse) : undefined;
		return {
			name: f.path,
			value: f.path,
			...(label ? { description: `${label} folder (${f.specialUse})` } : {}),
		};
	});
}

/** Path of the folder with the given special use ('\\Sent', '\\Trash', ...), or undefined. */
export async function findSpecialUse(
	client: ImapFlow,
	specialUse: string,
): Promise<string | undefined> {
	const folders = await client.list();
	const wanted = specialUse.toLowerCase();
	return folders.find((f) => (f.specialUse ?? '').toLowerCase() === wanted)?.path;
}
