'use strict';
// Loads a TypeScript fake of test/fakes/ into plain Node for the stand-ins of `npm start`
// (unisender-standin.js, oauth2-standin.js, bitrix24-standin.js): esbuild bundles it into node_modules/.cache/
// (packages stay external, so it uses the repo's node_modules) and the bundle is required. Bundling, not
// ts-node: npm start must not pay a type check, and the fakes are the same code the tests run.
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const CACHE = path.join(REPO, 'node_modules', '.cache', 'crm-mail-standin');

/**
 * Bundles `source` (a path relative to the repo, e.g. test/fakes/unisender/server.ts) into
 * node_modules/.cache/crm-mail-standin/<name>.js and returns the module's exports.
 */
function loadFake(source, name) {
	const esbuild = require('esbuild');
	const outfile = path.join(CACHE, `${name}.js`);
	fs.mkdirSync(CACHE, { recursive: true });
	const { outputFiles } = esbuild.buildSync({
		entryPoints: [path.join(REPO, source)],
		outfile,
		write: false,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		packages: 'external',
		absWorkingDir: REPO,
		logLevel: 'warning',
	});
	// no esbuild service process left running next to npm start
	if (typeof esbuild.stop === 'function') esbuild.stop();
	// written aside and renamed: another process (the e2e tests, a second npm start) may be loading it right now
	const partial = `${outfile}.${process.pid}.tmp`;
	fs.writeFileSync(partial, outputFiles[0].contents);
	fs.renameSync(partial, outfile);
	delete require.cache[outfile];
	return require(outfile);
}

module.exports = { loadFake };
