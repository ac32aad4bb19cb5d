// `npm run bench -- first-run`: a new user's first hour, checked from outside (test/e2e/first-run.ts): the time
// until `npm start` is ready on an installed machine, whether a renamed and published example survives a SIGTERM to
// npm and a second start, and whether that SIGTERM stops everything the run started.
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
const { firstRunCheck } = require(
	path.join(root, 'test/e2e/first-run.ts'),
) as typeof import('../test/e2e/first-run');

firstRunCheck((m) => process.stderr.write(`[first-run] ${m}\n`))
	.then((r) => {
		const yes = (b: boolean) => (b ? 'yes' : 'no');
		console.log(
			`first-run: ready_s=${r.readyS} edits_kept=${yes(r.editsKept)} active_kept=${yes(r.activeKept)} clean_stop_on_sigterm=${yes(r.cleanStopOnSigterm)}`,
		);
	})
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});
