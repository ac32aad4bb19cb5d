// The plain Unisender client: form encoding, success by absence of `error`, error mapping, retries.
import { UnisenderClient } from '../../../nodes/Unisender/transport/client';
import { errorFromAnswer, fieldFromMessage } from '../../../nodes/Unisender/transport/errors';
import { commaList, decodeHtml, toForm } from '../../../nodes/Unisender/transport/form';
import type { ImportRow } from '../../../nodes/Unisender/transport/import';
import { buildBatches, mapImportLog } from '../../../nodes/Unisender/transport/import';
import type { Clock } from '../../../nodes/Unisender/transport/pacer';
import { Pacer } from '../../../nodes/Unisender/transport/pacer';

/** A clock whose sleep advances time instantly, recording the waits. */
function fakeClock(): Clock & { t: number; slept: number[] } {
	const c = {
		t: 0,
		slept: [] as number[],
		now: () => c.t,
		sleep: async (ms: number) => {
			c.slept.push(ms);
			c.t += ms;
		},
	};
	return c;
}

test('nested arguments are form-encoded the PHP way', () => {
	expect(
		toForm({
			list_ids: '1,2',
			fields: { email: 'a@b.c', Name: 'Ann' },
			field_names: ['email', 'Name'],
			data: [
				['a@b.c', 'Ann'],
				['x@y.z', null],
			],
			skip: undefined,
			on: true,
		}),
	).toEqual({
		list_ids: '1,2',
		'fields[email]': 'a@b.c',
		'fields[Name]': 'Ann',
		'field_names[0]': 'email',
		'field_names[1]': 'Name',
		'data[0][0]': 'a@b.c',
		'data[0][1]': 'Ann',
		'data[1][0]': 'x@y.z',
		'data[1][1]': '',
		on: '1',
	});
	expect(commaList([1, ' 2 ', ''])).toBe('1,2');
	expect(commaList('3, 4,,5')).toBe('3,4,5');
	expect(decodeHtml('Contact &quot;a&amp;b&quot; not found')).toBe('Contact "a&b" not found');
});

test('false and empty results are successes; only `error` makes a failure', async () => {
	const answers: unknown[] = [
		{ result: false },
		{ result: '' },
		{ error: 'Invalid API key', code: 'invalid_api_key' },
	];
	const client = new UnisenderClient(async () => answers.shift(), {
		pacer: new Pacer(fakeClock()),
	});
	expect(await client.isContactInLists('a@b.c', [1], 'or')).toBe(false);
	expect((await client.removeFromLists('exclude', 'email', 'a@b.c')).result).toBe('');
	await expect(client.getLists()).rejects.toMatchObject({
		kind: 'invalid_api_key',
		message: 'Unisender rejected the API key',
	});
});

test('every documented error code maps to a message with what to do', () => {
	const e = (code: string, error: string, method = 'subscribe', sent: string[] = []) =>
		errorFromAnswer(method, { code, error }, sent);
	expect(e('invalid_api_key', 'x').description).toContain('Settings > Integrations and API');
	expect(e('access_denied', 'x').message).toBe('Unisender denied access to "subscribe"');
	const arg = e(
		'invalid_arg',
		'Invalid value of argument &quot;fields[email]&quot;: bad',
		'subscribe',
		['list_ids', 'fields[email]', 'fields[Name]'],
	);
	expect(arg.field).toBe('fields[email]');
	expect(arg.message).toContain('"Email" (fields[email])');
	expect(e('not_enough_money', 'x').description).toContain('Top up');
	expect(e('unspecified', 'These list ids="12" has no confirmation letters')).toMatchObject({
		kind: 'no_confirmation_letter',
		message: 'The list 12 has no confirmation (double opt-in) email',
	});
	expect(e('unspecified', 'Contact &quot;a@b.c&quot; not found', 'exclude')).toMatchObject({
		kind: 'contact_not_found',
		message: 'Contact "a@b.c" was not found in the given lists',
	});
	expect(e('retry_later', 'x').retryable).toBe(true);
	expect(e('api_call_limit_exceeded_for_ip', 'x')).toMatchObject({
		kind: 'rate_limit',
		retryable: true,
	});
	expect(e('unknown_method', 'x').description).toContain('Base URL');
	expect(e('unspecified', 'Something odd').message).toBe('Unisender error: Something odd');
	expect(fieldFromMessage('list_ids is wrong', ['list_ids', 'fields[email]'])).toBe('list_ids');
});

test('rate-limit and retry_later answers are retried with back-off, then succeed', async () => {
	const clock = fakeClock();
	const answers: unknown[] = [
		{ error: 'limit', code: 'api_call_limit_exceeded_for_api_key' },
		{ error: 'later', code: 'retry_later' },
		{ result: { person_id: 5 } },
	];
	const client = new UnisenderClient(async () => answers.shift(), { pacer: new Pacer(clock) });
	expect(
		(await client.subscribe({ listIds: [1], fields: { email: 'a@b.c' } })).result.person_id,
	).toBe(5);
	expect(client.calls).toBe(3);
	expect(client.rateLimitHits).toBe(1);
	expect(clock.slept).toEqual(expect.arrayContaining([5000, 2000]));
});

test('retries give up after the schedule with the clear error; invalid_arg is never retried', async () => {
	let calls = 0;
	const limited = new UnisenderClient(
		async () => (calls++, { error: 'limit', code: 'api_call_limit_exceeded_for_api_key' }),
		{ pacer: new Pacer(fakeClock()) },
	);
	await expect(limited.getLists()).rejects.toMatchObject({ kind: 'rate_limit' });
	expect(calls).toBe(5);
	calls = 0;
	const bad = new UnisenderClient(async () => (calls++, { error: 'bad', code: 'invalid_arg' }), {
		pacer: new Pacer(fakeClock()),
	});
	await expect(bad.getLists()).rejects.toMatchObject({ kind: 'invalid_arg' });
	expect(calls).toBe(1);
});

test('import batches hold at most 500 rows and the log maps back to item indexes', () => {
	const rows: ImportRow[] = Array.from({ length: 1001 }, (_, i) => ({
		item: i + 10,
		values:
			i === 3 ? { phone: '+100', Name: 'P' } : ({ email: `u${i}@x.io` } as Record<string, string>),
	}));
	const batches = buildBatches(rows);
	expect(batches.map((b) => b.data.length)).toEqual([500, 500, 1]);
	expect(batches[0].fieldNames).toEqual(['email', 'phone', 'Name']);
	expect(batches[0].data[3]).toEqual(['', '+100', 'P']);
	const outcomes = mapImportLog(batches[1], {
		total: 500,
		inserted: 498,
		updated: 0,
		deleted: 0,
		new_emails: 498,
		invalid: 1,
		log: [
			{ index: '2', code: 'invalid_arg', message: 'Invalid email' },
			{ index: 4, code: 'warning', message: 'role address' },
		],
	});
	expect(outcomes[2]).toEqual({
		item: 512,
		ok: false,
		log: [{ code: 'invalid_arg', message: 'Invalid email' }],
		error: 'Invalid email',
	});
	expect(outcomes[4]).toMatchObject({ item: 514, ok: true });
	expect(outcomes.filter((o) => !o.ok)).toHaveLength(1);
});
