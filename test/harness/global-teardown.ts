// Jest global teardown: stops the run's shared Dovecot (global-setup.ts) and removes the run's scratch dir,
// with every per-test Dovecot directory in it.
import * as fs from 'node:fs';
import { TEST_TMP_ENV } from './dovecot';
import { GLOBAL_STATE_KEY, type GlobalState } from './global-setup';

export default async function globalTeardown(): Promise<void> {
	const g = globalThis as Record<string, unknown>;
	const state = g[GLOBAL_STATE_KEY] as GlobalState | undefined;
	if (!state) return;
	delete g[GLOBAL_STATE_KEY];
	if (state.handle) {
		await state.handle.stop();
		for (const k of Object.keys(process.env)) if (k.startsWith('DOVECOT_')) delete process.env[k];
	}
	delete process.env[TEST_TMP_ENV];
	fs.rmSync(state.tmpRoot, { recursive: true, force: true });
}
