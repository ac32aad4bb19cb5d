// A fake amoCRM / Kommo account's REST API v4, as developers.kommo.com documents it:
// - `Authorization: Bearer <token>` (401 problem+json otherwise); 402 for an unpaid account; an account
//   blocked for exceeding the limit answers a plain-text nginx 403 page;
// - 7 requests a second (any second, all routes): over it 429 problem+json with `retry_after`; after
//   `blockAfter429` of them the account is blocked (403 on everything);
// - lists `GET /api/v4/{contacts|companies|leads}` with `query` (case-insensitive substring over names and
//   custom-field values: the documentation leaves the rules open), `filter[id][]`, `with`, `page`,
//   `limit` <= 250 (else 422); HAL answers `{ _page, _links: { self, next? }, _embedded: { <entity> } }`;
//   HTTP 204 with an empty body when nothing is found (also for an unknown id);
// - `POST` arrays of entities (validation-errors per item, 400), `PATCH /{entity}/{id}` (EMAIL with
//   `values: null` empties it), no DELETE (as in v4); leads get the first stage of the main pipeline;
// - notes: `GET|POST /{entity}/{id}/notes`, `PATCH /{entity}/notes/{id}`; `/account`, `/users`,
//   `/leads/pipelines` (statuses embedded, 142 / 143 in every pipeline), `/leads/tags`;
// - OAuth 2.0 (oauth.ts): `POST /oauth2/access_token`, and the access tokens it issued as Bearer tokens;
// - Incoming leads (unsorted.ts): `/leads/unsorted` (list, one by uid), `/leads/unsorted/forms` (add),
//   `/leads/unsorted/{uid}/accept|decline`; the contact / company of a pending entry stay out of the lists.
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { FakeHttpServer } from '../../harness/fake-http';
import type { Kind, Row } from './entities';
import { Problem, applyFields, invalid, searchable } from './entities';
import { AmoCrmOAuth } from './oauth';
import { FakeUnsorted } from './unsorted';

export type { Row } from './entities';
export { email } from './entities';

const KINDS: Kind[] = ['contacts', 'companies', 'leads'];
const PAGE_MAX = 250;

export class FakeAmoCrm extends FakeHttpServer {
	readonly tokens = new Set<string>(['token1']);
	/** OAuth 2.0 of integrations (oauth.ts): `/oauth2/access_token`, Bearer access tokens it issued. */
	readonly oauth = new AmoCrmOAuth();
	readonly store: Record<Kind, Row[]> = { contacts: [], companies: [], leads: [] };
	readonly notes: Array<Row & { entity: Kind; entity_id: number }> = [];
	/** Incoming leads (unsorted.ts). */
	readonly unsorted = new FakeUnsorted(this);
	users: Row[] = [
		{
			id: 100,
			name: 'Admin',
			email: 'admin@account.test',
			rights: { is_admin: true, is_active: true },
		},
	];
	pipelines: Row[] = [];
	perSecond = 7;
	blockAfter429 = Infinity;
	unpaid = false;
	blocked = false;
	tooMany = 0;
	private starts: number[] = [];
	private seq = 1000;
	/** Seconds since epoch: a test can freeze it so every record is "created" in the same second. */
	now = () => Math.floor(Date.now() / 1000);

	constructor() {
		super();
		this.addPipeline(
			10,
			'Sales',
			[
				[11, 'First contact'],
				[12, 'Negotiation'],
			],
			true,
		);
		this.route('*', /^\/api\/v4\/(.+?)\/?$/, (req, res) => this.handleApi(req, res));
		this.route('POST', '/oauth2/access_token', (req, res) => this.oauth.token(req, res));
	}

	addPipeline(id: number, name: string, stages: Array<[number, string]>, main = false): void {
		const statuses = [
			{ id: id * 100, name: 'Incoming leads', sort: 10, type: 1, pipeline_id: id },
			...stages.map(([sid, n], i) => ({
				id: sid,
				name: n,
				sort: 20 + i * 10,
				type: 0,
				pipeline_id: id,
			})),
			{ id: 142, name: 'Closed - won', sort: 10000, type: 0, pipeline_id: id },
			{ id: 143, name: 'Closed - lost', sort: 11000, type: 0, pipeline_id: id },
		];
		this.pipelines.push({
			id,
			name,
			sort: this.pipelines.length + 1,
			is_main: main,
			is_archive: false,
			_embedded: { statuses },
		});
	}

	/** Also forgets the requests of the last second (the rate window) and the 429 count. */
	override reset(): void {
		super.reset();
		this.starts = [];
		this.tooMany = 0;
	}

	list(kind: Kind): Row[] {
		return this.store[kind];
	}

	/** Inserts a record directly (test setup). Leads: `contacts: [ids]`, `company_id`. */
	put(kind: Kind, data: Record<string, unknown>): Row {
		const main = this.pipelines.find((p) => p.is_main)!;
		const row: Row = {
			created_at: this.now(),
			responsible_user_id: 100,
			custom_fields_values: null,
			tags: [],
			...(kind === 'leads'
				? { pipeline_id: main.id, status_id: main._embedded.statuses[1].id, contacts: [] }
				: {}),
			...data,
			id: ++this.seq,
		};
		row.updated_at = row.created_at;
		this.store[kind].push(row);
		return row;
	}

	private problem(res: FakeResponse, p: Problem) {
		res.header('Content-Type', 'application/problem+json');
		res.json(
			{
				title: p.title,
				type: `https://httpstatus.es/${p.status}`,
				status: p.status,
				detail: p.detail,
				...p.extra,
			},
			p.status,
		);
	}

	private limited(): boolean {
		const now = Date.now();
		this.starts = this.starts.filter((t) => now - t < 1000);
		if (this.starts.length >= this.perSecond) return true;
		this.starts.push(now);
		return false;
	}

	private handleApi(req: FakeRequest, res: FakeResponse) {
		if (this.blocked)
			return res.text(
				'<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>',
				403,
				'text/html',
			);
		try {
			if (this.limited()) {
				if (++this.tooMany >= this.blockAfter429) this.blocked = true;
				throw new Problem(
					429,
					'Too Many Requests',
					'You have sent too many requests in a given amount of time. Please try again later.',
					{ retry_after: 300 },
				);
			}
			const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
			if (!token || !(this.tokens.has(token) || this.oauth.accepts(token)))
				throw new Problem(401, 'Unauthorized', 'Invalid user name or password');
			if (this.unpaid) throw new Problem(402, 'Payment Required', 'Payment required');
			const body = this.route_(req);
			if (body === undefined) return res.send('', 204);
			res.header('Content-Type', 'application/hal+json');
			res.json(body);
		} catch (e) {
			if (!(e instanceof Problem)) throw e;
			this.problem(res, e);
		}
	}

	private route_(req: FakeRequest): unknown {
		const parts = req.params['1'].split('/');
		const [a, b, c] = parts;
		const m = req.method;
		if (a === 'account' && m === 'GET')
			return {
				id: 1,
				name: 'Test account',
				subdomain: 'test',
				current_user_id: 100,
				currency: 'RUB',
			};
		if (a === 'users' && m === 'GET') return this.page(req, 'users', this.users);
		if (a === 'leads' && b === 'pipelines' && m === 'GET')
			return { _total_items: this.pipelines.length, _embedded: { pipelines: this.pipelines } };
		if (a === 'leads' && b === 'tags' && m === 'GET') {
			const names = [...new Set(this.store.leads.flatMap((l) => l.tags as string[]))];
			return this.page(
				req,
				'tags',
				names.map((name, i) => ({ id: i + 1, name })),
			);
		}
		if (a === 'leads' && b === 'unsorted') return this.unsorted.handle(req, parts.slice(2));
		if (!KINDS.includes(a as Kind))
			throw new Problem(404, 'Not Found', `Cannot ${m} /api/v4/${parts.join('/')}`);
		const kind = a as Kind;
		if (b === undefined && m === 'GET') return this.listRows(req, kind);
		if (b === undefined && m === 'POST') return this.add(kind, req.json);
		if (b === 'notes' && c && m === 'PATCH') {
			const note = this.notes.find((n) => n.entity === kind && n.id === Number(c));
			if (!note) throw new Problem(404, 'Not Found', 'Note not found');
			Object.assign(note.params, (req.json as Row).params ?? {});
			return { id: note.id, entity_id: note.entity_id, updated_at: this.now() };
		}
		const row = this.store[kind].find((r) => r.id === Number(b));
		if (c === 'notes') {
			if (!row) throw new Problem(404, 'Not Found', 'Entity not found');
			if (m === 'GET') {
				const types = [req.query['filter[note_type][]'] ?? []].flat();
				const list = this.notes.filter(
					(n) =>
						n.entity === kind &&
						n.entity_id === row.id &&
						(!types.length || types.includes(n.note_type)),
				);
				return this.page(
					req,
					'notes',
					list.map(({ entity: _e, ...n }) => n),
				);
			}
			if (m === 'POST') {
				const items = this.array(req.json);
				const made = items.map((n, i) => {
					if (typeof n.note_type !== 'string')
						throw invalid(i, 'note_type', 'This value should not be blank.');
					const note = {
						id: ++this.seq,
						entity: kind,
						entity_id: row.id,
						note_type: n.note_type,
						params: n.params ?? {},
						created_at: this.now(),
					};
					this.notes.push(note);
					return { id: note.id, entity_id: row.id, request_id: String(i) };
				});
				return { _embedded: { notes: made } };
			}
		}
		if (c === undefined && m === 'GET')
			return row ? this.view(kind, row, this.withOf(req)) : undefined;
		if (c === undefined && m === 'PATCH') {
			if (!row) throw new Problem(404, 'Not Found', 'Entity not found');
			this.write(kind, row, (req.json ?? {}) as Row, 0);
			row.updated_at = this.now();
			return { id: row.id, updated_at: row.updated_at };
		}
		throw new Problem(405, 'Method Not Allowed', 'Method Not Allowed');
	}

	/** What `query` searches, lower-cased, cached per row (writes through the API forget it). */
	private readonly texts = new WeakMap<Row, string>();
	private textOf(r: Row): string {
		let t = this.texts.get(r);
		if (t === undefined) this.texts.set(r, (t = searchable(r).join('\n')));
		return t;
	}

	private withOf(req: FakeRequest): string[] {
		return String(req.query.with ?? '')
			.split(',')
			.filter(Boolean);
	}

	page(req: FakeRequest, key: string, all: unknown[]) {
		const limit = Number(req.query.limit ?? 50);
		if (limit > PAGE_MAX) throw new Problem(422, 'Unprocessable Entity', 'Limit 250 per page');
		const page = Math.max(1, Number(req.query.page ?? 1));
		const rows = all.slice((page - 1) * limit, page * limit);
		if (!rows.length) return undefined;
		const self = `${this.baseUrl}${req.path}?page=${page}&limit=${limit}`;
		return {
			_page: page,
			_links: {
				self: { href: self },
				...(all.length > page * limit
					? { next: { href: self.replace(`page=${page}`, `page=${page + 1}`) } }
					: {}),
			},
			_embedded: { [key]: rows },
		};
	}

	private listRows(req: FakeRequest, kind: Kind) {
		const q = String(req.query.query ?? '').toLowerCase();
		const idFilter = [req.query['filter[id][]'] ?? req.query['filter[id]'] ?? []]
			.flat()
			.map(Number);
		const rows = this.store[kind].filter(
			(r) =>
				(!idFilter.length || idFilter.includes(r.id)) &&
				(!q || this.textOf(r).includes(q)) &&
				(kind === 'leads' || !this.unsorted.hides(kind, r.id)),
		);
		const w = this.withOf(req);
		return this.page(
			req,
			kind,
			rows.map((r) => this.view(kind, r, w)),
		);
	}

	/** The entity as the API shows it: `_embedded` with tags, companies (contacts) and what `with` asks. */
	view(kind: Kind, r: Row, w: string[] = []): Row {
		const { tags, contacts, company_id, ...rest } = r;
		const link = (k: string, id: number) => ({
			id,
			_links: { self: { href: `${this.baseUrl}/api/v4/${k}/${id}` } },
		});
		const embedded: Record<string, unknown> = {
			tags: (tags as string[]).map((name, i) => ({ id: i + 1, name })),
		};
		if (kind !== 'companies')
			embedded.companies = company_id ? [link('companies', company_id)] : [];
		if (kind === 'leads' && w.includes('contacts'))
			embedded.contacts = (contacts as number[]).map((id, i) => ({
				...link('contacts', id),
				is_main: i === 0,
			}));
		if (kind !== 'leads' && w.includes('leads')) {
			const mine = this.store.leads.filter((l) =>
				kind === 'contacts' ? l.contacts.includes(r.id) : l.company_id === r.id,
			);
			embedded.leads = mine.map((l) => link('leads', l.id));
		}
		if (kind === 'companies' && w.includes('contacts'))
			embedded.contacts = this.store.contacts
				.filter((c) => c.company_id === r.id)
				.map((c) => link('contacts', c.id));
		return {
			...rest,
			_links: { self: { href: `${this.baseUrl}/api/v4/${kind}/${r.id}` } },
			_embedded: embedded,
		};
	}

	array(json: unknown): Row[] {
		if (!Array.isArray(json) || !json.length)
			throw new Problem(400, 'Bad Request', 'Request data can not be empty');
		if (json.length > PAGE_MAX)
			throw new Problem(422, 'Unprocessable Entity', 'Limit 250 per page');
		return json as Row[];
	}

	private add(kind: Kind, json: unknown) {
		const items = this.array(json);
		const rows = items.map((item, i) => {
			const row = this.put(kind, {});
			try {
				this.write(kind, row, item, i);
			} catch (e) {
				this.store[kind].splice(this.store[kind].indexOf(row), 1);
				throw e;
			}
			return {
				id: row.id,
				request_id: String(item.request_id ?? i),
				is_deleted: false,
				_links: { self: { href: `${this.baseUrl}/api/v4/${kind}/${row.id}` } },
			};
		});
		return {
			_links: { self: { href: `${this.baseUrl}/api/v4/${kind}` } },
			_embedded: { [kind]: rows },
		};
	}

	private write(kind: Kind, row: Row, item: Row, i: number) {
		this.texts.delete(row);
		applyFields(this, kind, row, item, i);
	}
}
