// The pacer keeps ANY window of one (scaled) minute within Unisender's documented limits.
import type { Clock } from '../../../nodes/Unisender/transport/pacer';
import { Pacer, TokenBucket } from '../../../nodes/Unisender/transport/pacer';

function fakeClock(): Clock & { t: number } {
	const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
	return c;
}

/** Max number of timestamps inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
	let max = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= windowMs) j++;
		max = Math.max(max, i - j + 1);
	}
	return max;
}

test('subscribe stays under 300 per minute and all calls under 1,200 per minute', async () => {
	const clock = fakeClock();
	const pacer = new Pacer(clock);
	const subs: number[] = [];
	const all: number[] = [];
	for (let i = 0; i < 3000; i++) {
		const m = i % 3 === 0 ? 'subscribe' : 'getContact';
		await pacer.acquire(m);
		all.push(clock.t);
		if (m === 'subscribe') subs.push(clock.t);
	}
	expect(maxInWindow(subs, 60_000)).toBeLessThanOrEqual(300);
	expect(maxInWindow(all, 60_000)).toBeLessThanOrEqual(1200);
	// ...and does not crawl: 1,000 subscribes take about 1000/270 minutes, not much more.
	expect(subs.at(-1)!).toBeLessThan((1000 / 270) * 60_000 + 1000);
});

test('a time scale shrinks the minute, not the number of calls', async () => {
	const clock = fakeClock();
	const pacer = new Pacer(clock, 0.01);
	const times: number[] = [];
	for (let i = 0; i < 900; i++) {
		await pacer.acquire('subscribe');
		times.push(clock.t);
	}
	expect(maxInWindow(times, 600)).toBeLessThanOrEqual(300);
	expect(maxInWindow(times, 600)).toBeGreaterThan(250);
	expect(pacer.scaled(60_000)).toBe(600);
});

test('after a rate-limit answer the bucket holds calls for the penalty', () => {
	const clock = fakeClock();
	const b = new TokenBucket({ calls: 300, windowMs: 60_000 }, clock);
	expect(b.waitMs()).toBe(0);
	b.drain(5000);
	expect(b.waitMs()).toBeGreaterThanOrEqual(5000);
});

test('concurrent callers are served one at a time in order', async () => {
	const clock = fakeClock();
	const pacer = new Pacer(clock);
	const order: number[] = [];
	await Promise.all(
		Array.from({ length: 40 }, (_, i) => pacer.acquire('subscribe').then(() => order.push(i))),
	);
	expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
});
