// Jest global setup of the e2e project: builds and packs this package once per run (CRM_MAIL_TARBALL), so each
// e2e file installs the same tarball instead of building again. An outer CRM_MAIL_TARBALL (a released version,
// or the test script's pack shared by both n8n versions) is used as it is.
import * as fs from 'node:fs';
import * as path from 'node:path';

export default async function e2eSetup(): Promise<void> {
	if (process.env.CRM_MAIL_TARBALL && fs.existsSync(process.env.CRM_MAIL_TARBALL)) return;
	const rt = require('../../scripts/lib/n8n-runtime');
	const dir = path.resolve(__dirname, '..', '..', '.e2e', 'pack');
	fs.rmSync(dir, { recursive: true, force: true });
	process.env.CRM_MAIL_TARBALL = await rt.buildAndPack({
		destDir: dir,
		log: (m: string) => process.stderr.write(`[e2e-setup] ${m}\n`),
	});
}
