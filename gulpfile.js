// Build steps after `tsc` has type-checked the sources:
//  - bundle every node and credential listed in package.json (n8n.nodes / n8n.credentials) with esbuild;
//  - put each runtime library they import (imapflow, nodemailer, mailparser, handlebars, ...) into ONE
//    shared file under dist/vendor/, so the package installs with no runtime dependencies at all
//    (n8n installs community packages with --ignore-scripts and a shallow tree; nested dependencies
//    are known to break there) and no library is duplicated across nodes;
//  - copy icons and codex files, and collect the bundled libraries' license texts.
// `n8n-workflow` stays external: n8n provides it (peerDependency).
const { series, parallel, src, dest } = require('gulp');
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const root = __dirname;
const dist = path.join(root, 'dist');
const pkg = require('./package.json');
const EXTERNAL = new Set(['n8n-workflow']);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** 'handlebars/runtime' -> 'handlebars__runtime' ; '@scope/x' -> 'scope__x' */
const vendorFileName = (spec) => spec.replace(/^@/, '').replace(/[\/]/g, '__') + '.js';

function entries() {
	return [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((out) => {
		const rel = out.replace(/^dist\//, '').replace(/\.js$/, '.ts');
		return { source: path.join(root, rel), outfile: path.join(root, out) };
	});
}

async function bundleEntries() {
	const vendor = new Set();
	for (const { source, outfile } of entries()) {
		if (!fs.existsSync(source))
			throw new Error(`package.json lists ${source}, which does not exist`);
		const vendorDir = path
			.relative(path.dirname(outfile), path.join(dist, 'vendor'))
			.split(path.sep)
			.join('/');
		await esbuild.build({
			entryPoints: [source],
			outfile,
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			logLevel: 'warning',
			legalComments: 'none',
			plugins: [
				{
					name: 'vendor-externals',
					setup(build) {
						build.onResolve({ filter: /^[^./]/ }, (args) => {
							if (builtins.has(args.path) || EXTERNAL.has(args.path))
								return { path: args.path, external: true };
							if (args.path.endsWith('.json')) return undefined;
							vendor.add(args.path);
							return { path: `${vendorDir}/${vendorFileName(args.path)}`, external: true };
						});
					},
				},
			],
		});
	}
	return vendor;
}

async function bundleVendor(specs) {
	const inputs = new Set();
	for (const spec of specs) {
		const result = await esbuild.build({
			stdin: {
				contents: `module.exports = require(${JSON.stringify(spec)});`,
				resolveDir: root,
				loader: 'js',
			},
			outfile: path.join(dist, 'vendor', vendorFileName(spec)),
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			logLevel: 'warning',
			legalComments: 'none',
			metafile: true,
			external: [...EXTERNAL],
		});
		for (const input of Object.keys(result.metafile.inputs)) inputs.add(input);
	}
	return inputs;
}

/** One file with the license text of every package whose code ended up in dist/vendor. */
function writeLicenses(inputs) {
	const packages = new Map();
	for (const input of inputs) {
		const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
		if (!m || packages.has(m[1])) continue;
		const dir = path.join(root, m[1]);
		const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
		const text = file
			? fs.readFileSync(path.join(dir, file), 'utf8').trim()
			: `License: ${meta.license}`;
		packages.set(m[1], `## ${meta.name}@${meta.version} (${meta.license})\n\n${text}\n`);
	}
	const body = [...packages.values()].sort().join('\n');
	fs.mkdirSync(dist, { recursive: true });
	fs.writeFileSync(
		path.join(dist, 'THIRD_PARTY_LICENSES.md'),
		`# Third-party software bundled in dist/vendor\n\n${body}`,
	);
	return packages.size;
}

async function bundle() {
	fs.rmSync(path.join(dist, 'vendor'), { recursive: true, force: true });
	const vendor = await bundleEntries();
	const inputs = await bundleVendor([...vendor].sort());
	const count = writeLicenses(inputs);
	console.log(
		`bundled ${entries().length} entries; vendor: ${[...vendor].sort().join(', ') || 'none'}; ${count} licenses`,
	);
}

function copyStatic() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

function clean(done) {
	fs.rmSync(dist, { recursive: true, force: true });
	done();
}

exports.bundle = bundle;
exports.build = series(clean, parallel(bundle, copyStatic));
