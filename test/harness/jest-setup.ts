// After each test file: stop what n8n-core's DI container started for the file's nodes. A TriggerContext creates
// n8n's SSHClientsManager, whose 60 s cleanup interval would otherwise keep jest from exiting (n8n stops it on
// shutdown, which never happens in a test).
import { Container } from '@n8n/di';

afterAll(() => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
		SSHClientsManager: new () => { onShutdown(): void };
	};
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
});
