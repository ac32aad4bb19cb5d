// A small file that exists while an active trigger may have executions running in this n8n process. n8n
// saves a trigger's static data when it emits and never on shutdown, so the saved state cannot tell whether
// the executions of the last batches finished. The marker can: n8n waits for running executions when it
// stops, and the marker is removed once the trigger was closed and its executions finished. A marker that a
// new n8n process finds was left by one that was killed or crashed: its batches in flight are delivered again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Beside n8n's own files (`<N8N_USER_FOLDER or home>/.n8n`, as n8n's InstanceSettings computes it). */
export function markerDir(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(env.N8N_USER_FOLDER || os.homedir(), '.n8n', 'crm-mail-imap-sync');
}

export class RunMarker {
	readonly file: string;

	constructor(
		dir: string,
		key: string,
		private readonly warn: (message: string) => void = () => {},
	) {
		this.file = path.join(dir, `${key.replace(/[^A-Za-z0-9_-]+/g, '_')}.running`);
	}

	exists(): boolean {
		return fs.existsSync(this.file);
	}

	/** Synchronous on purpose: a process that exits right after must not leave a half-written state. */
	write(): boolean {
		try {
			fs.mkdirSync(path.dirname(this.file), { recursive: true });
			fs.writeFileSync(
				this.file,
				JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }),
			);
			return true;
		} catch (error) {
			this.warn(
				`IMAP Sync Trigger: cannot write ${this.file} (${(error as Error).message}); after a crash of n8n the batch in flight is not delivered again`,
			);
			return false;
		}
	}

	remove(): void {
		try {
			fs.rmSync(this.file, { force: true });
		} catch (error) {
			this.warn(`IMAP Sync Trigger: cannot remove ${this.file} (${(error as Error).message})`);
		}
	}
}
