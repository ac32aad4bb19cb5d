// Jest global setup (integration + workflow projects): makes sure Dovecot is installed (a missing one fails the
// run once, with the install command), then starts ONE Dovecot for the whole run and hands it to the workers
// through DOVECOT_* env vars (read by sharedDovecot()). Tests that need no Dovecot simply ignore it.
// Also makes the run's scratch dir (CRM_MAIL_TEST_TMP) that the teardown removes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dovecotLib, TEST_TMP_ENV, type DovecotHandle } from './dovecot';

export interface GlobalState {
	handle?: DovecotHandle;
	tmpRoot: string;
}

export const GLOBAL_STATE_KEY = '__CRM_MAIL_GLOBAL_STATE__';

export default async function globalSetup(): Promise<void> {
	dovecotLib.ensureDovecotInstalled({ log: (m) => process.stderr.write(`[global-setup] ${m}\n`) });
	const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-test-'));
	fs.chmodSync(tmpRoot, 0o755); // Dovecot runs as nobody when we are root
	process.env[TEST_TMP_ENV] = tmpRoot;
	const state: GlobalState = { tmpRoot };
	(globalThis as Record<string, unknown>)[GLOBAL_STATE_KEY] = state;
	// An outer process (e.g. the sandbox) already provides one: reuse it and leave it alone.
	if (process.env.DOVECOT_IMAP_PORT && process.env.DOVECOT_DIR) return;
	state.handle = await dovecotLib.startDovecot({ dir: path.join(tmpRoot, 'shared-dovecot') });
	Object.assign(process.env, dovecotLib.dovecotEnv(state.handle));
}
