// A folder's problem in words an admin can act on: what failed, in which folder, and what to do. The other
// folders keep syncing meanwhile, and the folder is retried on its own.
export interface ExplainedFolderError {
	message: string;
	description: string;
}

interface ImapCommandError {
	message?: string;
	responseText?: string;
	serverResponseCode?: string;
}

export function explainFolderError(
	path: string,
	error: Error,
	during: string,
): ExplainedFolderError {
	const e = error as ImapCommandError;
	const said = e.responseText || e.message || String(error);
	const code = String(e.serverResponseCode ?? '').toUpperCase();
	const missing =
		code === 'NONEXISTENT' ||
		code === 'TRYCREATE' ||
		/doesn't exist|does not exist|not found|unknown mailbox/i.test(said);
	if (during !== 'syncing') {
		return {
			message: `${capitalize(during)} failed in folder "${path}": ${said}`,
			description: missing
				? `The target folder does not exist on the server (renamed or deleted?). Create it, or pick another folder under "After Emitting". The messages were emitted; the action is retried with every sync, and the other folders keep syncing.`
				: `The server refused the action. The messages were emitted; the action is retried with every sync, and the other folders keep syncing.`,
		};
	}
	return {
		message: `Folder "${path}" could not be synced: ${said}`,
		description: missing
			? `The folder does not exist on the server (renamed or deleted?). Pick it again under "Folders" or remove it. The other folders keep syncing; this one is retried with growing pauses (up to 5 minutes).`
			: `The server refused a command for this folder. The other folders keep syncing; this one is retried with growing pauses (up to 5 minutes). Nothing of it is marked as processed until it syncs.`,
	};
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
