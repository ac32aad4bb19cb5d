// Exactly once under faults: Dovecot is SIGKILLed and restarted 20 times while the trigger's engine syncs
// 5,000 messages and more arrive through LMTP. Every message in the mailbox is emitted, none twice.
import { deliverLmtp, newUser, startDovecot, type DovecotHandle } from '../../harness/dovecot';
import { messageIdsIn, rawMessage, seed, startEngine, type Harness } from './helpers';

jest.setTimeout(240000);

describe('IMAP sync engine: exactly once under server crashes', () => {
	let dv: DovecotHandle;
	let h: Harness | undefined;
	beforeAll(async () => {
		dv = await startDovecot();
	});
	afterAll(async () => {
		await h?.session.close();
		await dv?.stop();
	});

	it('emits each of 5,000 seeded plus live-delivered messages once across 20 SIGKILLs', async () => {
		const { user } = newUser('faults');
		const seeded = Array.from({ length: 5000 }, (_, i) => rawMessage(`seed-${i}@faults.test`));
		await seed(dv, user, 'INBOX', seeded);

		h = await startEngine(dv, user, {
			options: { firstSync: { mode: 'since', since: '2000-01-01' }, batchSize: 50 },
		});
		const harness = h;
		const acked: string[] = [];
		let delivering = true;
		const delivery = (async () => {
			let n = 0;
			while (delivering) {
				const id = `live-${n++}@faults.test`; // never re-sent: a retry could store a second copy
				try {
					await deliverLmtp(dv, user, rawMessage(id));
					acked.push(id);
				} catch {
					await new Promise((r) => setTimeout(r, 30));
				}
			}
		})();

		const emittedAtKill: number[] = [];
		for (let k = 0; k < 20; k++) {
			const connects = harness.session.stats.connects;
			await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
			emittedAtKill.push(harness.messages().length);
			await dv.kill();
			await new Promise((r) => setTimeout(r, Math.random() * 200));
			await dv.restart();
			// the next kill hits a live session, not one still waiting to reconnect
			await harness.waitFor(
				() => harness.session.stats.connects > connects,
				30000,
				`reconnect after kill ${k + 1}`,
			);
		}
		delivering = false;
		await delivery;

		const inMailbox = await messageIdsIn(dv, user);
		await harness.waitFor(
			() => harness.messages().length >= inMailbox.length,
			60000,
			`${inMailbox.length} messages emitted`,
		);
		harness.session.request();
		await new Promise((r) => setTimeout(r, 1000)); // a duplicate, if any, would show up now
		const emitted = harness.messages().map((m) => m.messageId as string);

		expect(harness.session.stats.reconnects).toBeGreaterThanOrEqual(20);
		expect(emittedAtKill[0]).toBeLessThan(5000); // the crashes hit the sync itself, not only an idle session
		expect(acked.length).toBeGreaterThan(0);
		expect(new Set(inMailbox).size).toBe(inMailbox.length);
		expect(emitted.length).toBe(new Set(emitted).size); // no Message-ID twice
		expect(emitted.length).toBe(inMailbox.length); // emitted count equals delivered count
		expect(new Set(emitted)).toEqual(new Set(inMailbox));
		for (const id of acked) expect(emitted).toContain(`<${id}>`);
		expect(harness.events()).toEqual([]);
		expect(harness.fatal).toEqual([]);
	});
});
