#!/usr/bin/env node
'use strict';
// `node scripts/install-n8n.js [version ...]`: installs the given pinned n8n versions (default: all) into
// .n8n-runtime/, one after the other, as the e2e tests and `npm start` would on first use. The test script runs it in
// the background so that one version installs while the tests of another run.
const versions = require('./lib/n8n-versions');

(async () => {
	const wanted = process.argv.slice(2).length
		? process.argv.slice(2)
		: Object.keys(versions.PINNED);
	for (const v of wanted)
		await versions.ensureN8n({
			version: versions.resolveVersion(v),
			log: (m) => console.log(`[install-n8n] ${m}`),
		});
})().catch((error) => {
	console.error(`[install-n8n] ${error.message}`);
	process.exit(1);
});
