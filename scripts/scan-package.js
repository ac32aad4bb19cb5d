#!/usr/bin/env node
'use strict';
// `npm run scan`: n8n's community-package scanner (@n8n/scan-community-package) over the packed tarball, the
// static analysis n8n runs before it verifies a package: ESLint with n8n's community-node rules, the n8n Cloud
// ones included, over every file of the package. (Its provenance check needs a package published from CI with
// npm provenance, which a local tarball cannot have.) The scanner is installed on first use into
// .n8n-runtime/scanner without its install scripts. Prints what it flags per rule and per file; the full
// report goes to .n8n-runtime/scanner/report.txt. README.md lists the findings and why they are there.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const REPO = path.resolve(__dirname, '..');
const SCANNER_VERSION = '0.32.0';
const dir = path.join(REPO, '.n8n-runtime', 'scanner');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function main() {
	const entry = path.join(
		dir,
		'node_modules',
		'@n8n',
		'scan-community-package',
		'scanner',
		'scanner.mjs',
	);
	if (!fs.existsSync(entry)) {
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: 'scanner', private: true }),
		);
		console.log(`Installing @n8n/scan-community-package@${SCANNER_VERSION} into ${dir}...`);
		// eslint-plugin-n8n-nodes-base's preinstall insists on pnpm; the scanner needs none of the scripts
		execFileSync(
			npm,
			[
				'install',
				'--no-audit',
				'--no-fund',
				'--ignore-scripts',
				'--loglevel=warn',
				`@n8n/scan-community-package@${SCANNER_VERSION}`,
			],
			{ cwd: dir, stdio: 'inherit' },
		);
	}
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-scan-'));
	try {
		const tarball = execFileSync(npm, ['pack', '--silent', '--pack-destination', tmp], {
			cwd: REPO,
			encoding: 'utf8',
		})
			.trim()
			.split('\n')
			.pop();
		execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp]);
		const { analyzePackage } = await import(pathToFileURL(entry).href);
		const result = await analyzePackage(path.join(tmp, 'package'));
		const report = String(result.details ?? '');
		fs.writeFileSync(path.join(dir, 'report.txt'), report);
		const byRule = new Map();
		const byFile = new Map();
		let file = '';
		for (const line of report.split('\n')) {
			if (line.startsWith(tmp)) file = path.relative(path.join(tmp, 'package'), line.trim());
			const m = /\s(error|warning)\s.*\s(\S+)\s*$/.exec(line);
			if (!m) continue;
			byRule.set(m[2], (byRule.get(m[2]) ?? 0) + 1);
			byFile.set(file, (byFile.get(file) ?? 0) + 1);
		}
		console.log(`${tarball}: ${result.passed ? 'passed' : `not passed (${result.message})`}`);
		for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1]))
			console.log(`  ${String(n).padStart(5)}  ${rule}`);
		console.log('by file:');
		for (const [f, n] of [...byFile].sort((a, b) => b[1] - a[1]))
			console.log(`  ${String(n).padStart(5)}  ${f}`);
		console.log(`full report: ${path.relative(REPO, path.join(dir, 'report.txt'))}`);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
