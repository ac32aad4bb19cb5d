import { FakeHttpServer, type FakeRequest } from '../../harness/fake-http';

// A fake shaped like the real ones will be: a subclass adding routes in its constructor.
class FakeContacts extends FakeHttpServer {
	readonly contacts: Array<{ id: string; email: string }> = [];
	constructor() {
		super();
		this.route('GET', '/api/v1/Contact', (req) => ({
			list: this.contacts.filter((c) => !req.query.email || c.email === req.query.email),
		}));
		this.route('POST', '/api/v1/Contact', (req) => {
			const email = (req.json as { email?: string }).email ?? '';
			const contact = { id: String(this.contacts.length + 1), email };
			this.contacts.push(contact);
			return contact;
		});
		this.route('GET', /^\/api\/v1\/Contact\/(?<id>\d+)$/, (req, res) => {
			const c = this.contacts.find((x) => x.id === req.params.id);
			return c ?? res.json({ error: 'not found' }, 404);
		});
		this.route('POST', '/en/api/importContacts', (req) => ({
			result: { form: req.form, query: req.query },
		}));
	}
}

describe('FakeHttpServer', () => {
	const fake = new FakeContacts();
	let base = '';
	beforeAll(async () => {
		base = await fake.start();
	});
	afterAll(() => fake.stop());
	beforeEach(() => fake.reset());

	it('routes by method and path, parses JSON bodies, and serves state across requests', async () => {
		const created = await fetch(`${base}/api/v1/Contact`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'a@test.local' }),
		});
		expect(created.status).toBe(200);
		const { id } = (await created.json()) as { id: string };
		const got = await fetch(`${base}/api/v1/Contact/${id}`);
		expect(await got.json()).toEqual({ id, email: 'a@test.local' });
		const search = await fetch(`${base}/api/v1/Contact?email=a%40test.local`);
		expect(await search.json()).toEqual({ list: [{ id, email: 'a@test.local' }] });
		expect((await fetch(`${base}/api/v1/Contact/999`)).status).toBe(404);
	});

	it('parses urlencoded forms and queries, repeated keys as arrays', async () => {
		const res = await fetch(`${base}/en/api/importContacts?format=json&api_key=k`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'field_names[]=email&field_names[]=Name&data[0][0]=a%40test.local',
		});
		expect(await res.json()).toEqual({
			result: {
				form: { 'field_names[]': ['email', 'Name'], 'data[0][0]': 'a@test.local' },
				query: { format: 'json', api_key: 'k' },
			},
		});
	});

	it('logs every request, including unrouted ones (answered 404)', async () => {
		const res = await fetch(`${base}/nowhere?x=1`, {
			method: 'PUT',
			headers: { 'x-api-key': 'secret' },
			body: 'raw-body',
		});
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({ error: 'fake server has no route for PUT /nowhere' });
		expect(fake.requests).toHaveLength(1);
		const [logged] = fake.requests;
		expect(logged).toMatchObject({ method: 'PUT', path: '/nowhere', query: { x: '1' } });
		expect(logged.headers['x-api-key']).toBe('secret');
		expect(logged.body.toString()).toBe('raw-body');
	});

	it('failNext answers the next n requests with the given status, then routes again', async () => {
		fake.failNext(2, 503, { error: 'maintenance' });
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/api/v1/Contact`)).status);
		expect(statuses).toEqual([503, 503, 200]);
		fake.failNext(1, 429, 'slow down');
		const r = await fetch(`${base}/api/v1/Contact`);
		expect([r.status, await r.text()]).toEqual([429, 'slow down']);
	});

	it('setDelay delays answers (a client timeout fires)', async () => {
		fake.setDelay(1000);
		await expect(
			fetch(`${base}/api/v1/Contact`, { signal: AbortSignal.timeout(100) }),
		).rejects.toThrow(/abort|timeout/i);
		fake.setDelay(0);
		expect((await fetch(`${base}/api/v1/Contact`)).status).toBe(200);
	});

	it('answers 500 with the message when a handler throws, and records the error', async () => {
		const f = new FakeHttpServer().route('*', /^\/boom/, (req: FakeRequest) => {
			throw new Error(`broken ${req.method}`);
		});
		const url = await f.start();
		try {
			const res = await fetch(`${url}/boom`, { method: 'DELETE' });
			expect(res.status).toBe(500);
			expect(await res.json()).toEqual({ error: 'fake server handler failed: broken DELETE' });
			expect(f.errors.map((e) => e.message)).toEqual(['broken DELETE']);
		} finally {
			await f.stop();
		}
	});

	it('supports redirects and custom headers', async () => {
		const f = new FakeHttpServer()
			.route('GET', '/r', (_req, res) => res.redirect('https://example.com/x', 301))
			.route('GET', '/h', (_req, res) => res.header('X-Rate-Limit', '5').text('ok', 201));
		const url = await f.start();
		try {
			const r = await fetch(`${url}/r`, { redirect: 'manual' });
			expect([r.status, r.headers.get('location')]).toEqual([301, 'https://example.com/x']);
			const h = await fetch(`${url}/h`);
			expect([h.status, h.headers.get('x-rate-limit'), await h.text()]).toEqual([201, '5', 'ok']);
		} finally {
			await f.stop();
		}
	});
});
