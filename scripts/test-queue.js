'use strict';
// `npm run test:queue`: the queue-mode end-to-end tests (test/queue/) in the pinned n8n (CRM_MAIL_N8N_VERSION,
// default the latest), then the run's figures as the last line:
//   queue-mode: executions=<n> missing=<n> duplicated=<n> waits_resumed=<n> worker_kills=<n> tracking_hits=<n>
// Extra arguments go to jest (e.g. --json --outputFile=...). Exits non-zero when a test failed.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');
const FIGURES_FILE = path.join(REPO, '.e2e', 'queue-figures.json');
const NAMES = [
	'executions',
	'missing',
	'duplicated',
	'waits_resumed',
	'worker_kills',
	'tracking_hits',
];

fs.rmSync(FIGURES_FILE, { force: true });
const jest = spawnSync(
	process.execPath,
	[
		require.resolve('jest/bin/jest'),
		'--selectProjects',
		'queue',
		'--runInBand',
		...process.argv.slice(2),
	],
	{ cwd: REPO, stdio: 'inherit' },
);
let figures = {};
try {
	figures = JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8'));
} catch {
	// the tests did not get to start n8n
}
const value = (name) =>
	figures[name] === null || figures[name] === undefined ? 'not-measured' : figures[name];
console.log(`queue-mode: ${NAMES.map((name) => `${name}=${value(name)}`).join(' ')}`);
process.exit(jest.status ?? 1);
