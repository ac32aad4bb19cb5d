// The IMAP Sync Trigger in a real n8n (the package packed and installed as the Community Nodes screen does):
// exactly once across graceful restarts, re-published workflows and kill -9; a folder of 200,000 messages;
// push for a second watched folder; live change events; problems that stay with their folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendMessage, deliverLmtp, newUser, openImap, startDovecot, type DovecotHandle } from '../harness/dovecot';
import { activate, countDelivery, createCredential, createTriggerWorkflow, deactivate, executionsOf, until } from './imap-flow';
import { runRestartScenario } from './imap-restarts';
import { startPackagedN8n, type N8nInstance } from './n8n-instance';


const log = (m: string) => process.stdout.write(`[imap-e2e] ${m}\n`);
let n8n: N8nInstance;
let dv: DovecotHandle;

beforeAll(async () => {
	dv = await startDovecot();
	n8n = await startPackagedN8n({ name: 'imap-sync', log });
}, 15 * 60 * 1000);

afterAll(async () => {
	await n8n?.stop();
	await dv?.stop();
}, 60 * 1000);

const account = (user: string) => ({ host: dv.host, port: dv.imapPort, user, password: 'pass' });
const raw = (id: string, extra = '') => [`From: Client <client@example.org>`, `To: sales@test.local`, `Subject: ${id}`, `Message-ID: <${id}>`, extra, '', `Body of ${id}.`, ''].filter((l, i) => i !== 4 || l).join('\r\n');

test('exactly once across 5 graceful restarts and 2 re-publishes while 500 mails arrive; after kill -9 nothing is missing', async () => {
	const result = await runRestartScenario(n8n, dv, undefined, log);
	expect(result.events.filter((e) => e === 'restart')).toHaveLength(5);
	expect(result.events.filter((e) => e === 'republish')).toHaveLength(2);
	expect(result.graceful.missing).toEqual([]);
	expect(result.graceful.duplicated).toEqual([]);
	expect(result.crash.missing).toEqual([]);
	// a kill may cut off the batch in flight: it is delivered again, at most that batch per kill
	expect(result.crash.duplicates).toBeLessThanOrEqual(2 * result.batchSize);
	process.stdout.write(`[imap-e2e] restart figures: graceful missing=${result.graceful.missing.length} duplicates=${result.graceful.duplicates}; kill -9 missing=${result.crash.missing.length} duplicates=${result.crash.duplicates} (batch size ${result.batchSize})\n`);
	await deactivate(n8n, result.workflowId);
}, 15 * 60 * 1000);
