#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts. The TypeScript is bundled by esbuild on the fly
// (packages stay external, loaded from node_modules), so benchmarks run the same sources the tests do; the
// TypeScript they require at run time (harnesses, fakes) is loaded through lib/ts-require.js.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const [name, ...args] = process.argv.slice(2);
const available = fs.existsSync(path.join(root, 'bench'))
	? fs
			.readdirSync(path.join(root, 'bench'))
			.filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
			.map((f) => f.slice(0, -3))
	: [];
if (!name || !available.includes(name)) {
	console.error(
		`Usage: npm run bench -- <name>\nBenchmarks: ${available.join(', ') || '(none yet)'}`,
	);
	process.exit(name ? 1 : 0);
}
// Bundle inside node_modules so the external packages resolve from the project, as in the tests.
const cacheDir = path.join(root, 'node_modules', '.cache', 'crm-mail-bench');
fs.mkdirSync(cacheDir, { recursive: true });
const outfile = path.join(fs.mkdtempSync(path.join(cacheDir, `${name}-`)), `${name}.js`);
esbuild.buildSync({
	entryPoints: [path.join(root, 'bench', `${name}.ts`)],
	outfile,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	packages: 'external',
	sourcemap: 'inline',
	absWorkingDir: root,
	logLevel: 'warning',
});
// --expose-gc lets benchmarks settle the heap between phases; the child inherits stdio so the last
// line printed is the benchmark's own summary line.
const result = spawnSync(
	process.execPath,
	[
		'--expose-gc',
		'--enable-source-maps',
		'-r',
		path.join(__dirname, 'lib', 'ts-require.js'),
		outfile,
		...args,
	],
	{
		stdio: 'inherit',
		cwd: root,
		env: { ...process.env, CRM_MAIL_ROOT: root },
	},
);
fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
process.exit(result.status ?? 1);
