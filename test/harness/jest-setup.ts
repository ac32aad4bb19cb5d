// Per test file: n8n's user folder in a temporary directory (n8n-core and the IMAP Sync Trigger's run markers
// write there, never into the home of whoever runs the tests), and after the file, stop what n8n-core's DI
// container started for the file's nodes: a TriggerContext creates n8n's SSHClientsManager, whose 60 s cleanup
// interval would otherwise keep jest from exiting (n8n stops it on shutdown, which never happens in a test).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Container } from '@n8n/di';

const ownUserFolder = process.env.N8N_USER_FOLDER
	? undefined
	: fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-n8n-user-'));
if (ownUserFolder) process.env.N8N_USER_FOLDER = ownUserFolder;

afterAll(() => {
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
		SSHClientsManager: new () => { onShutdown(): void };
	};
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
	if (ownUserFolder) {
		fs.rmSync(ownUserFolder, { recursive: true, force: true });
		delete process.env.N8N_USER_FOLDER;
	}
});
