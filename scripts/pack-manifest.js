#!/usr/bin/env node
// `npm pack` / `npm publish` hooks (prepack / postpack). The repository's package.json carries two fields that
// only serve development: `overrides` (n8n-nodes-base, a devDependency used as the benchmarks' anchor, needs
// xlsx from the registry instead of its unreachable URL) and `allowScripts` (npm's install-script approvals).
// A community package must ship neither (n8n's lint: no-overrides-field), so prepack writes the manifest
// without them and postpack puts the original back.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package.json');
const backup = path.join(__dirname, '..', '.package.json.prepack');
const DEV_ONLY = ['overrides', 'allowScripts'];

const [mode] = process.argv.slice(2);
if (mode === 'strip') {
	// a pack that died before postpack left the original in the backup: start from it
	if (fs.existsSync(backup)) fs.copyFileSync(backup, file);
	const original = fs.readFileSync(file, 'utf8');
	fs.writeFileSync(backup, original);
	const pkg = JSON.parse(original);
	for (const key of DEV_ONLY) delete pkg[key];
	fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
} else if (mode === 'restore') {
	if (fs.existsSync(backup)) {
		fs.copyFileSync(backup, file);
		fs.rmSync(backup);
	}
} else {
	console.error('usage: pack-manifest.js strip|restore');
	process.exit(1);
}
