// The Email Tracking Trigger keeps a credential's secret for a few seconds instead of reading and
// decrypting the credential on every pixel request.
import { SecretCache } from '../../../nodes/EmailTrackingTrigger/secretCache';

test('a secret is loaded once per credential within the TTL, again after it, and a changed secret then applies', async () => {
	const cache = new SecretCache(10_000);
	let stored = 'first-secret';
	let loads = 0;
	const load = async () => {
		loads++;
		return stored;
	};
	expect(await cache.get('cred-1', load, 1_000)).toBe('first-secret');
	stored = 'second-secret';
	expect(await cache.get('cred-1', load, 10_999)).toBe('first-secret');
	expect(loads).toBe(1);
	expect(await cache.get('cred-1', load, 11_000)).toBe('second-secret');
	expect(loads).toBe(2);
	// another credential has its own entry
	expect(await cache.get('cred-2', load, 11_001)).toBe('second-secret');
	expect(loads).toBe(3);
});

test('without a credential id nothing is kept; a failed load is not kept either', async () => {
	const cache = new SecretCache(10_000);
	let loads = 0;
	await cache.get(undefined, async () => `s${++loads}`, 0);
	await cache.get(undefined, async () => `s${++loads}`, 1);
	expect(loads).toBe(2);
	await expect(
		cache.get('cred', async () => Promise.reject(new Error('db down')), 0),
	).rejects.toThrow('db down');
	expect(await cache.get('cred', async () => 'ok', 1)).toBe('ok');
});
