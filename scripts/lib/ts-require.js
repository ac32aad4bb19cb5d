'use strict';
// Preloaded into every benchmark (`node -r`): lets it require the project's TypeScript sources (the test
// harnesses, fakes and nodes) at run time, each file transformed by esbuild as it is required.
const fs = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
	const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
		loader: 'ts',
		format: 'cjs',
		target: 'node20',
		sourcefile: filename,
	});
	module._compile(code, filename);
};
