// A fake EspoCRM REST API (docs.espocrm.com/development/api, api-search-params, api/crud, api/relationships;
// espocrm/espocrm 10.0 sources for details):
// - auth: `X-Api-Key`, or `X-Hmac-Authorization: base64(apiKey + ':' + hex(HMAC-SHA256(secret, 'METHOD /Path')))`
//   (path after /api/v1, no query); 401 for a missing / bad one; 403 for a user whose role lacks the scope;
// - errors: status + the reason in `X-Status-Reason`;
// - GET {Entity}: search params as `searchParams` JSON or separate `maxSize` / `offset` / `select` /
//   `orderBy` / `order` params; `where` items equals, notEquals, in, notIn, contains, like, startsWith,
//   endsWith, isNull, isNotNull, isTrue, isFalse, or, and; `emailAddress` matches ANY address of a record,
//   case-insensitively; maxSize > 200 is 403; answers `{ list, total }` (total -1 with X-No-Total);
//   list rows carry the primary `emailAddress` only, detail reads add `emailAddressData`;
// - an address is ONE EmailAddress record shared by every record with it: its `optOut` / `invalid` flags
//   are set through any record's `emailAddressData` (create / update) and shown by all of them (EspoCRM's
//   EmailAddress Saver); the record's `emailAddressIsOptedOut` / `emailAddressIsInvalid` are its primary's;
// - POST / GET / PUT / DELETE {Entity}/{id}; 400 for missing required fields; the duplicate check (409,
//   X-Status-Reason: Duplicate, body = the duplicates) on Lead / Contact / Account by name or any address
//   unless `X-Skip-Duplicate-Check: true`; Email `messageId` is read-only (ignored on create); an Email
//   with a foreign `from` needs the Import scope (403 "Not allowed 'from' address");
// - POST / GET {Entity}/{id}/{link} for relationships; GET App/user, User, Metadata.
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { FakeHttpServer } from '../../harness/fake-http';

export type Rec = Record<string, unknown> & { id: string };
export interface ApiUser {
	apiKey: string;
	secretKey?: string;
	userId: string;
	/** Scopes the role may use; undefined = all. */
	scopes?: string[];
}
type W = { type: string; attribute?: string; value?: unknown };

const ENTITIES = ['Contact', 'Account', 'Lead', 'Opportunity', 'Email', 'User'];
const PERSON = new Set(['Contact', 'Lead']);
const REQUIRED: Record<string, string[]> = {
	Contact: ['lastName'],
	Account: ['name'],
	Opportunity: ['name', 'amount', 'closeDate'],
	Email: ['name', 'from', 'to'],
};
const READ_ONLY: Record<string, string[]> = {
	Email: ['messageId', 'messageIdInternal', 'fromEmailAddressId', 'accountId'],
};
const LINKS: Record<
	string,
	Record<string, { entity: string; key?: string; foreignKey?: string }>
> = {
	Contact: {
		account: { entity: 'Account', key: 'accountId' },
		opportunities: { entity: 'Opportunity', foreignKey: 'contactId' },
		emails: { entity: 'Email', foreignKey: 'parentId' },
	},
	Account: {
		contacts: { entity: 'Contact', foreignKey: 'accountId' },
		opportunities: { entity: 'Opportunity', foreignKey: 'accountId' },
		emails: { entity: 'Email', foreignKey: 'parentId' },
	},
	Opportunity: {
		account: { entity: 'Account', key: 'accountId' },
		contact: { entity: 'Contact', key: 'contactId' },
		emails: { entity: 'Email', foreignKey: 'parentId' },
	},
	Lead: { emails: { entity: 'Email', foreignKey: 'parentId' } },
};

export class FakeEspoCrm extends FakeHttpServer {
	readonly store = new Map<string, Rec[]>(ENTITIES.map((e) => [e, []]));
	readonly apiUsers: ApiUser[] = [];
	/** The EmailAddress records' flags by lower-cased address (absent: both false). */
	readonly emailAddresses = new Map<string, { optOut: boolean; invalid: boolean }>();
	metadata = {
		entityDefs: {
			Lead: {
				fields: {
					source: {
						options: [
							'',
							'Call',
							'Email',
							'Existing Customer',
							'Partner',
							'Public Relations',
							'Web Site',
							'Campaign',
							'Other',
						],
					},
				},
			},
			Opportunity: {
				fields: {
					stage: {
						options: [
							'Prospecting',
							'Qualification',
							'Proposal',
							'Negotiation',
							'Closed Won',
							'Closed Lost',
						],
					},
				},
			},
		},
	};
	/**
	 * EspoCRM's duplicate check and insert are not one transaction: requests arriving together can all pass
	 * it. `false` simulates that window (every create passes the check).
	 */
	duplicateCheck = true;
	/** Ids as with `recordIdType: uuid4` (EspoCRM 8+): random, not growing with time. */
	randomIds = false;
	private seq = 0;

	constructor() {
		super();
		this.route('GET', '/api/v1/App/user', (req, res) =>
			this.auth(req, res, 'App', (u) => ({ user: this.byId('User', u.userId), acl: {} })),
		);
		this.route('GET', '/api/v1/Metadata', (req, res) =>
			this.auth(req, res, 'App', () => this.metadata),
		);
		this.route('GET', /^\/api\/v1\/(\w+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.search(req, res)),
		);
		this.route('POST', /^\/api\/v1\/(\w+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], (u) => this.create(req, res, u)),
		);
		this.route('GET', /^\/api\/v1\/(\w+)\/([\w-]+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.read(req, res)),
		);
		this.route('PUT', /^\/api\/v1\/(\w+)\/([\w-]+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.update(req, res)),
		);
		this.route('DELETE', /^\/api\/v1\/(\w+)\/([\w-]+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.remove(req, res)),
		);
		this.route('GET', /^\/api\/v1\/(\w+)\/([\w-]+)\/(\w+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.related(req, res)),
		);
		this.route('POST', /^\/api\/v1\/(\w+)\/([\w-]+)\/(\w+)$/, (req, res) =>
			this.auth(req, res, req.params['1'], () => this.relate(req, res)),
		);
	}

	/** Adds an API user (and its User record). */
	addApiUser(u: ApiUser & { name?: string; emailAddress?: string }): this {
		this.apiUsers.push(u);
		this.put('User', {
			id: u.userId,
			name: u.name ?? u.userId,
			userName: u.userId,
			emailAddress: u.emailAddress,
			type: 'api',
			isActive: true,
		});
		return this;
	}

	list(entity: string): Rec[] {
		return this.store.get(entity)!;
	}

	/** Inserts a record directly (test setup); `emailAddress` / `emailAddressData` as EspoCRM stores them. */
	put(entity: string, data: Record<string, unknown>): Rec {
		const id =
			(data.id as string | undefined) ??
			(this.randomIds ? randomUUID() : (++this.seq).toString(16).padStart(17, '0'));
		const rec: Rec = { createdAt: now(), ...data, id };
		this.normalize(entity, rec);
		this.list(entity).push(rec);
		return rec;
	}

	byId(entity: string, id: string): Rec | undefined {
		return this.store.get(entity)?.find((r) => r.id === id);
	}

	private normalize(entity: string, rec: Rec) {
		if (PERSON.has(entity)) rec.name = [rec.firstName, rec.lastName].filter(Boolean).join(' ');
		if ('emailAddress' in rec || 'emailAddressData' in rec) {
			const data = (
				Array.isArray(rec.emailAddressData)
					? (rec.emailAddressData as Array<{ emailAddress: string; primary?: boolean }>)
					: []
			).map((d) => ({ ...d }));
			const primary =
				typeof rec.emailAddress === 'string' && rec.emailAddress ? rec.emailAddress : undefined;
			if (primary && !data.some((d) => d.emailAddress.toLowerCase() === primary.toLowerCase()))
				data.unshift({ emailAddress: primary, primary: true });
			rec.emailAddressData = data.map((d, i) => ({
				emailAddress: d.emailAddress,
				lower: d.emailAddress.toLowerCase(),
				primary: primary ? d.emailAddress === primary : i === 0,
				...this.flagsOf(d.emailAddress),
			}));
			rec.emailAddress = primary ?? data[0]?.emailAddress ?? null;
			const first = (
				rec.emailAddressData as Array<{ primary: boolean; optOut: boolean; invalid: boolean }>
			).find((d) => d.primary);
			rec.emailAddressIsOptedOut = first?.optOut ?? false;
			rec.emailAddressIsInvalid = first?.invalid ?? false;
		}
	}

	private flagsOf(address: string): { optOut: boolean; invalid: boolean } {
		return { optOut: false, invalid: false, ...this.emailAddresses.get(address.toLowerCase()) };
	}

	/** The flags an `emailAddressData` of a create / update sets on the shared EmailAddress records. */
	private storeFlags(data: Record<string, unknown>) {
		if (!Array.isArray(data.emailAddressData)) return;
		for (const d of data.emailAddressData as Array<Record<string, unknown>>)
			if (typeof d?.emailAddress === 'string' && d.emailAddress.trim())
				this.emailAddresses.set(d.emailAddress.trim().toLowerCase(), {
					optOut: !!d.optOut,
					invalid: !!d.invalid,
				});
	}

	private fail(res: FakeResponse, status: number, reason: string, body: unknown = '') {
		res.header('X-Status-Reason', reason);
		if (typeof body === 'string') res.text(body, status);
		else res.json(body, status);
	}

	private auth(
		req: FakeRequest,
		res: FakeResponse,
		scope: string,
		next: (u: ApiUser) => unknown,
	): unknown {
		let user: ApiUser | undefined;
		const key = req.headers['x-api-key'];
		const hmac = req.headers['x-hmac-authorization'];
		if (typeof key === 'string') user = this.apiUsers.find((u) => u.apiKey === key && !u.secretKey);
		else if (typeof hmac === 'string') {
			const [apiKey, hash] = Buffer.from(hmac, 'base64').toString('utf8').split(':');
			const u = this.apiUsers.find((x) => x.apiKey === apiKey && x.secretKey);
			const expected =
				u &&
				createHmac('sha256', u.secretKey!)
					.update(`${req.method} ${req.path.replace(/^\/api\/v1/, '')}`)
					.digest('hex');
			if (u && hash === expected) user = u;
		}
		if (!user) return this.fail(res, 401, 'Unauthorized');
		if (scope !== 'App' && !ENTITIES.includes(scope))
			return this.fail(res, 404, `Entity type '${scope}' does not exist.`);
		if (scope !== 'App' && user.scopes && !user.scopes.includes(scope))
			return this.fail(res, 403, `No access to scope '${scope}'.`);
		return next(user);
	}

	private searchParams(req: FakeRequest):
		| {
				where: W[];
				maxSize: number;
				offset: number;
				select?: string[];
				orderBy: string;
				order: string;
		  }
		| string {
		let p: Record<string, unknown> = { ...req.query };
		if (typeof req.query.searchParams === 'string') {
			try {
				p = JSON.parse(req.query.searchParams);
			} catch {
				return 'Bad searchParams.';
			}
		} else if (typeof p.where === 'string') return 'Bad where.'; // `where` is an array parameter
		const select =
			typeof p.select === 'string'
				? p.select.split(',')
				: Array.isArray(p.select)
					? (p.select as string[])
					: undefined;
		return {
			where: (p.where as W[]) ?? [],
			maxSize: Number(p.maxSize ?? 20),
			offset: Number(p.offset ?? 0),
			select,
			orderBy: String(p.orderBy ?? 'createdAt'),
			order: String(p.order ?? 'desc'),
		};
	}

	private search(req: FakeRequest, res: FakeResponse) {
		const entity = req.params['1'];
		const p = this.searchParams(req);
		if (typeof p === 'string') return this.fail(res, 400, p);
		if (p.maxSize > 200)
			return this.fail(res, 403, 'Max size should not exceed 200. Use offset and limit.');
		let all: Rec[];
		try {
			all = this.list(entity).filter((r) => p.where.every((w) => matches(r, w)));
		} catch (e) {
			return this.fail(res, 400, (e as Error).message);
		}
		const dir = p.order === 'asc' ? 1 : -1;
		all.sort(
			(a, b) =>
				dir *
				(String(a[p.orderBy] ?? '').localeCompare(String(b[p.orderBy] ?? '')) ||
					(a.id < b.id ? -1 : 1)),
		);
		const page = all.slice(p.offset, p.offset + p.maxSize).map((r) => listView(r, p.select));
		return { list: page, total: req.headers['x-no-total'] === 'true' ? -1 : all.length };
	}

	private read(req: FakeRequest, res: FakeResponse) {
		const r = this.byId(req.params['1'], req.params['2']);
		if (!r) return this.fail(res, 404, 'Not Found');
		this.normalize(req.params['1'], r); // the shared flags as they are now
		return { ...r };
	}

	private create(req: FakeRequest, res: FakeResponse, user: ApiUser) {
		const entity = req.params['1'];
		const data = { ...((req.json as Record<string, unknown>) ?? {}) };
		delete data.id;
		for (const k of READ_ONLY[entity] ?? []) delete data[k];
		const missing = (REQUIRED[entity] ?? []).filter(
			(f) => data[f] === undefined || data[f] === null || data[f] === '',
		);
		if (missing.length)
			return this.fail(res, 400, 'Bad Request', {
				messageTranslation: {
					label: 'validationFailure',
					data: { field: missing[0], type: 'required' },
				},
			});
		if (entity === 'Email' && user.scopes && !user.scopes.includes('Import'))
			return this.fail(res, 403, "Not allowed 'from' address.");
		if (
			this.duplicateCheck &&
			['Lead', 'Contact', 'Account'].includes(entity) &&
			req.headers['x-skip-duplicate-check'] !== 'true'
		) {
			const probe: Rec = { id: '', ...data };
			this.normalize(entity, probe);
			const dups = this.list(entity).filter((r) => isDuplicate(r, probe));
			if (dups.length)
				return this.fail(
					res,
					409,
					'Duplicate',
					dups.map((d) => ({ id: d.id, name: d.name, _entityType: entity })),
				);
		}
		if (entity === 'Email') data.status ??= 'Archived';
		if (entity === 'Lead') data.status ??= 'New';
		this.storeFlags(data);
		return { ...this.put(entity, { ...data, createdById: user.userId }) };
	}

	private update(req: FakeRequest, res: FakeResponse) {
		const entity = req.params['1'];
		const r = this.byId(entity, req.params['2']);
		if (!r) return this.fail(res, 404, 'Not Found');
		const data = { ...((req.json as Record<string, unknown>) ?? {}) };
		for (const k of ['id', 'createdAt', ...(READ_ONLY[entity] ?? [])]) delete data[k];
		this.storeFlags(data);
		Object.assign(r, data, { modifiedAt: now() });
		this.normalize(entity, r);
		return { ...r };
	}

	private remove(req: FakeRequest, res: FakeResponse) {
		const list = this.list(req.params['1']);
		const i = list.findIndex((r) => r.id === req.params['2']);
		if (i < 0) return this.fail(res, 404, 'Not Found');
		list.splice(i, 1);
		return true;
	}

	private link(req: FakeRequest, res: FakeResponse) {
		const link = LINKS[req.params['1']]?.[req.params['3']];
		const r = this.byId(req.params['1'], req.params['2']);
		if (!link || !r) return this.fail(res, 404, 'Not Found') ?? undefined;
		return { link, r };
	}

	private related(req: FakeRequest, res: FakeResponse) {
		const found = this.link(req, res);
		if (!found) return;
		const { link, r } = found;
		const list = link.key
			? this.list(link.entity).filter((x) => x.id === r[link.key!])
			: this.list(link.entity).filter((x) => x[link.foreignKey!] === r.id);
		return { list: list.map((x) => listView(x)), total: list.length };
	}

	private relate(req: FakeRequest, res: FakeResponse) {
		const found = this.link(req, res);
		if (!found) return;
		const { link, r } = found;
		const foreign = this.byId(link.entity, String((req.json as { id?: string })?.id ?? ''));
		if (!foreign) return this.fail(res, 404, 'Not Found');
		if (link.key) r[link.key] = foreign.id;
		else {
			foreign[link.foreignKey!] = r.id;
			if (link.entity === 'Email') foreign.parentType = req.params['1'];
		}
		return true;
	}
}

function now(): string {
	return new Date().toISOString().slice(0, 19).replace('T', ' ');
}

function addresses(r: Rec): string[] {
	return ((r.emailAddressData as Array<{ lower: string }> | undefined) ?? []).map((d) => d.lower);
}

function isDuplicate(r: Rec, probe: Rec): boolean {
	const name = String(probe.name ?? '').toLowerCase();
	if (name && String(r.name ?? '').toLowerCase() === name) return true;
	const mine = new Set(addresses(probe));
	return addresses(r).some((a) => mine.has(a));
}

/** List rows: the selected attributes (id always), primary address only. */
function listView(r: Rec, select?: string[]): Rec {
	const { emailAddressData: _d, body: _b, ...rest } = r;
	if (!select) return rest as Rec;
	const out: Rec = { id: r.id };
	for (const k of select) if (k in r) out[k] = r[k];
	return out;
}

/** SQL LIKE: `%` any run, `_` any one character, `\\` escapes the next one (MySQL's default). */
function like(pattern: string): RegExp {
	let src = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]);
		else src += c === '%' ? '.*' : c === '_' ? '.' : escapeRegExp(c);
	}
	return new RegExp(`^${src}$`, 'is');
}

function escapeRegExp(c: string): string {
	return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sets = new WeakMap<W, Set<string>>();
/** The lower-cased values of an `in` item, computed once per request (10,000-record benchmarks). */
function setOf(w: W): Set<string> {
	let s = sets.get(w);
	if (!s) sets.set(w, (s = new Set((w.value as unknown[]).map((x) => String(x).toLowerCase()))));
	return s;
}

function matches(r: Rec, w: W): boolean {
	if (w.type === 'or') return (w.value as W[]).some((x) => matches(r, x));
	if (w.type === 'and') return (w.value as W[]).every((x) => matches(r, x));
	if (!w.attribute) throw new Error(`Bad where item: ${w.type} without attribute.`);
	// emailAddress: any address of the record, case-insensitive (EspoCRM's Email field converter).
	const values =
		w.attribute === 'emailAddress'
			? addresses(r)
			: [r[w.attribute] === null || r[w.attribute] === undefined ? null : String(r[w.attribute])];
	const low = (v: unknown) => String(v).toLowerCase();
	const present = values.filter((v): v is string => v !== null);
	switch (w.type) {
		case 'equals':
			return present.some((v) => low(v) === low(w.value));
		case 'notEquals':
			return !present.some((v) => low(v) === low(w.value));
		case 'in':
			if (!Array.isArray(w.value)) throw new Error('Bad where item: in needs an array.');
			return present.some((v) => setOf(w).has(low(v)));
		case 'notIn':
			if (!Array.isArray(w.value)) throw new Error('Bad where item: notIn needs an array.');
			return !present.some((v) => (w.value as unknown[]).some((x) => low(x) === low(v)));
		case 'contains':
			return present.some((v) => like(`%${w.value}%`).test(v));
		case 'startsWith':
			return present.some((v) => like(`${w.value}%`).test(v));
		case 'endsWith':
			return present.some((v) => like(`%${w.value}`).test(v));
		case 'like':
			return present.some((v) => like(String(w.value)).test(v));
		case 'isNull':
			return !present.length;
		case 'isNotNull':
			return present.length > 0;
		case 'isTrue':
			return r[w.attribute] === true;
		case 'isFalse':
			return r[w.attribute] !== true;
		default:
			throw new Error(`Unknown where type: ${w.type}.`);
	}
}
