// A new user's first hour (see first-run.ts): npm start keeps what the user changed, and a SIGTERM to npm stops
// everything it started.
import { firstRunCheck } from './first-run';

test(
	'npm start keeps a renamed, published example across a SIGTERM to npm and a second start; nothing is left running',
	async () => {
		const result = await firstRunCheck((m) => process.stdout.write(`[first-run] ${m}\n`));
		process.stdout.write(
			`[first-run] first-run: ready_s=${result.readyS} edits_kept=${result.editsKept ? 'yes' : 'no'} active_kept=${result.activeKept ? 'yes' : 'no'} clean_stop_on_sigterm=${result.cleanStopOnSigterm ? 'yes' : 'no'}\n`,
		);
		expect(result.leftBound).toEqual([]);
		expect(result).toMatchObject({
			editsKept: true,
			activeKept: true,
			cleanStopOnSigterm: true,
			oauthCredential: true,
			oauthProviderUp: true,
		});
	},
	30 * 60 * 1000,
);
