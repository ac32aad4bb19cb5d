// What the Bitrix24 example checks share: the Bitrix24 stand-in of the e2e's sandbox (scripts/sandbox.js starts
// the fake of test/fakes/bitrix24 on a free port; the "Sandbox Bitrix24" credential points at it), and reading
// an execution's node outputs. Not an example check itself: no examples/bitrix24-portal.json.
import type { FakeBitrix24 } from '../../fakes/bitrix24/server';
import type { Fields } from '../../fakes/bitrix24/php';
import type { E2eEnv, Execution, Json } from '../harness';

export type { Fields };

/** The portal the "Sandbox Bitrix24" credential points at; its records are the fake's in-memory state. */
export function portalOf(env: E2eEnv): FakeBitrix24 {
	const standIn = env.sandbox?.bitrix24;
	if (!standIn)
		throw new Error(
			'The Bitrix24 stand-in is not running (see "[e2e]" lines of the sandbox start)',
		);
	return standIn.fake;
}

/** The addresses of a record's EMAIL multi-field, lower-cased. */
export function emailsOf(record: Fields): string[] {
	return ((record.EMAIL as Array<{ VALUE?: string }> | undefined) ?? []).map((m) =>
		String(m.VALUE ?? '').toLowerCase(),
	);
}

/** The output items (json) of a node's first run, [] when it did not run or put out nothing. */
export function itemsOf(execution: Execution, node: string, output = 0): Json[] {
	return (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[output] ?? []).map(
		(i: Json) => i.json,
	);
}

export function ran(execution: Execution, node: string): boolean {
	return !!execution.data?.resultData?.runData?.[node];
}

/** Polls `probe` until it returns a value other than undefined; throws `what` with the last state on timeout. */
export async function waitFor<T>(
	what: () => string,
	probe: () => T | undefined | Promise<T | undefined>,
	timeoutMs = 30000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(what());
		await new Promise((r) => setTimeout(r, 300));
	}
}
