// A fake Unisender API following its public documentation (unisender.com/en/support/api, selzy.com
// mirrors): POST /{ru|en|ua}/api/{method} (format=json), errors as HTTP 200 with `error` and `code`,
// the documented rate limits (1,200 calls/min per key; subscribe 300/min) on a time scale the benchmark
// can shrink (same ratio of calls to limit), contacts and lists state, double opt-in, the import log.
// It refuses an api_key in the query string: our client must never put the key in a URL.
import type { FakeRequest, Params } from '../../harness/fake-http';
import { FakeHttpServer } from '../../harness/fake-http';

export interface FakeList {
	id: number;
	title: string;
	/** Whether the list has a double opt-in (confirmation) email; without it double_optin 0 fails. */
	confirmationLetter: boolean;
}

export interface FakeContact {
	email?: string;
	phone?: string;
	personId: number;
	fields: Record<string, string>;
	tags: Set<string>;
	lists: Map<number, { status: string; added_at: string }>;
	/** Confirmation emails "sent" to this contact (double opt-in). */
	invitations: number;
	/** The address's own status, when importContacts set one (`email_status`); else it follows its lists. */
	emailStatus?: string;
}

export interface FakeUnisenderOptions {
	apiKeys?: string[];
	/** 1 = real time; 0.01 = Unisender's minute lasts 600 ms (limits keep their call counts). */
	timeScale?: number;
}

const LIMITS: Record<string, number> = {
	subscribe: 300,
	sendEmail: 60,
	createCampaign: 100,
	checkEmail: 300,
};
const OVERALL = 1200;
const METHODS = [
	'getLists',
	'createList',
	'subscribe',
	'importContacts',
	'exclude',
	'unsubscribe',
	'getContact',
	'isContactInLists',
];
// importContacts' `email_status` values as documented: new, active, inactive (temporarily disabled),
// unsubscribed (from all current and future campaigns)
const EMAIL_STATUSES = ['new', 'active', 'inactive', 'unsubscribed'];
const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]{2,}$/;
const PHONE = /^\+?\d{7,15}$/;

class ArgError extends Error {
	constructor(
		message: string,
		readonly code = 'invalid_arg',
	) {
		super(message);
	}
}

const stamp = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

export class FakeUnisender extends FakeHttpServer {
	apiKeys: Set<string>;
	timeScale: number;
	readonly lists = new Map<number, FakeList>();
	readonly contacts: FakeContact[] = [];
	/** Calls accepted per method (rate-limited and refused calls not included). */
	readonly calls: Record<string, number> = {};
	/** Calls answered with api_call_limit_exceeded_for_api_key. */
	rateLimited = 0;
	/** Calls that carried api_key in the query string (refused). */
	keyInQuery = 0;
	private nextListId = 1;
	private nextPersonId = 1000;
	private readonly windows = new Map<string, number[]>();
	/** Contacts by lower-cased email and by phone. */
	private readonly index = new Map<string, FakeContact>();
	private readonly injected: Array<{ method?: string; error: string; code: string }> = [];

	constructor(opts: FakeUnisenderOptions = {}) {
		super();
		this.apiKeys = new Set(opts.apiKeys ?? ['test-key']);
		this.timeScale = opts.timeScale ?? 1;
		this.route('*', /^\/(ru|en|ua)\/api\/([A-Za-z/]+)$/, (req) => this.dispatch(req));
	}

	addList(title: string, confirmationLetter = true): FakeList {
		const list = { id: this.nextListId++, title, confirmationLetter };
		this.lists.set(list.id, list);
		return list;
	}

	contact(emailOrPhone: string): FakeContact | undefined {
		return this.index.get(emailOrPhone.toLowerCase());
	}

	private indexContact(c: FakeContact): void {
		if (c.email) this.index.set(c.email.toLowerCase(), c);
		if (c.phone) this.index.set(c.phone.toLowerCase(), c);
	}

	/** The next call (of `method`, or any) is answered with this error. */
	injectError(code: string, error: string, method?: string): void {
		this.injected.push({ method, error, code });
	}

	totalCalls(): number {
		return Object.values(this.calls).reduce((a, b) => a + b, 0);
	}

	private dispatch(req: FakeRequest): unknown {
		const method = req.params['2'];
		if (req.query.api_key !== undefined) {
			this.keyInQuery++;
			return {
				error:
					'api_key was sent in the query string; send it in the POST body (it leaks into proxy logs)',
				code: 'invalid_arg',
			};
		}
		// GET and POST are both documented; a method argument in both places is the "getMessage() on boolean" case.
		const p: Params = { ...req.form };
		for (const k of Object.keys(req.query)) {
			if (k !== 'format' && p[k] !== undefined)
				return { error: 'Call to a member function getMessage() on boolean', code: 'unspecified' };
			if (p[k] === undefined) p[k] = req.query[k];
		}
		const one = (k: string) =>
			Array.isArray(p[k]) ? (p[k] as string[])[0] : (p[k] as string | undefined);
		if (one('format') !== 'json') return `error: format must be json`;
		const key = one('api_key');
		if (!key || !this.apiKeys.has(key))
			return { error: 'Invalid API key', code: 'invalid_api_key' };
		if (!METHODS.includes(method))
			return { error: `Unknown method "${method}"`, code: 'unknown_method' };
		if (this.overLimit(key, method)) {
			this.rateLimited++;
			const limit = LIMITS[method] ? `${method}: ${LIMITS[method]}` : `${OVERALL}`;
			return {
				error: `API call limit exceeded: ${limit} calls per minute`,
				code: 'api_call_limit_exceeded_for_api_key',
			};
		}
		const inj = this.injected.findIndex((x) => !x.method || x.method === method);
		if (inj >= 0) {
			const [x] = this.injected.splice(inj, 1);
			return { error: x.error, code: x.code, result: '' };
		}
		this.calls[method] = (this.calls[method] ?? 0) + 1;
		try {
			return {
				result: (
					this as unknown as Record<
						string,
						(p: (k: string) => string | undefined, all: Params) => unknown
					>
				)[`m_${method}`](one, p),
			};
		} catch (e) {
			if (e instanceof ArgError) return { error: e.message, code: e.code, result: '' };
			// A bug in the fake: FakeHttpServer answers 500 and records it in `errors` (tests assert none).
			throw e;
		}
	}

	/** Sliding windows of one scaled minute: all calls of the key, and the per-method limits. */
	private overLimit(key: string, method: string): boolean {
		const now = Date.now();
		const windowMs = 60_000 * this.timeScale;
		const check = (id: string, limit: number) => {
			const log = this.windows.get(id) ?? [];
			while (log.length && log[0] <= now - windowMs) log.shift();
			this.windows.set(id, log);
			return log.length >= limit;
		};
		if (check(`${key}|*`, OVERALL) || (LIMITS[method] && check(`${key}|${method}`, LIMITS[method])))
			return true;
		this.windows.get(`${key}|*`)!.push(now);
		if (LIMITS[method]) this.windows.get(`${key}|${method}`)!.push(now);
		return false;
	}

	private listIds(raw: string | undefined, name = 'list_ids'): number[] {
		const ids = String(raw ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
		for (const id of ids) {
			if (!/^\d+$/.test(id) || !this.lists.has(Number(id)))
				throw new ArgError(`Invalid value of argument "${name}": list ${id} does not exist`);
		}
		return ids.map(Number);
	}

	private findOrCreate(email?: string, phone?: string): { c: FakeContact; created: boolean } {
		const c = (email && this.contact(email)) || (phone && this.contact(phone));
		if (c) {
			if (email && c.email && c.email.toLowerCase() !== email.toLowerCase())
				throw new ArgError(
					`Contacts ${email} and ${phone} already exist but owned by different subscribers`,
					'unspecified',
				);
			if (email && !c.email) c.email = email;
			if (phone && !c.phone) c.phone = phone;
			this.indexContact(c);
			return { c, created: false };
		}
		const fresh: FakeContact = {
			email,
			phone,
			personId: this.nextPersonId++,
			fields: {},
			tags: new Set(),
			lists: new Map(),
			invitations: 0,
		};
		this.contacts.push(fresh);
		this.indexContact(fresh);
		return { c: fresh, created: true };
	}

	protected m_getLists() {
		return [...this.lists.values()].map((l) => ({ id: l.id, title: l.title }));
	}

	protected m_createList(one: (k: string) => string | undefined) {
		const title = (one('title') ?? '').trim();
		if (!title) throw new ArgError('Argument "title" is required');
		if ([...this.lists.values()].some((l) => l.title === title))
			throw new ArgError(
				`Invalid value of argument "title": a list named "${title}" already exists`,
			);
		return { id: this.addList(title).id };
	}

	protected m_subscribe(one: (k: string) => string | undefined, all: Params) {
		if (!one('list_ids')) throw new ArgError('Argument "list_ids" is required');
		const ids = this.listIds(one('list_ids'));
		const fields = group(all, 'fields');
		const email = fields.email?.trim();
		const phone = fields.phone?.trim();
		if (!email && !phone)
			throw new ArgError('Argument "fields[email]" or "fields[phone]" is required');
		if (email && !EMAIL.test(email))
			throw new ArgError(
				`Invalid value of argument "fields[email]": "${email}" is not a valid email address`,
			);
		if (phone && !PHONE.test(phone))
			throw new ArgError(
				`Invalid value of argument "fields[phone]": "${phone}" is not a valid phone number`,
			);
		const optin = Number(one('double_optin') ?? 0);
		if (![0, 3, 4].includes(optin))
			throw new ArgError(`Invalid value of argument "double_optin": ${one('double_optin')}`);
		const overwrite = Number(one('overwrite') ?? 0);
		if (![0, 1, 2].includes(overwrite))
			throw new ArgError(`Invalid value of argument "overwrite": ${one('overwrite')}`);
		const existing = (email && this.contact(email)) || (phone && this.contact(phone)) || undefined;
		const alreadyActive =
			!!existing &&
			[...existing.lists.values()].some((l) => l.status === 'new' || l.status === 'active');
		const invite = optin === 0 || (optin === 4 && !alreadyActive);
		if (invite && !this.lists.get(ids[0])!.confirmationLetter)
			throw new ArgError(`These list ids="${ids[0]}" has no confirmation letters`, 'unspecified');
		const { c } = this.findOrCreate(email, phone);
		const tags = (one('tags') ?? '')
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean);
		const custom = Object.fromEntries(
			Object.entries(fields).filter(([k]) => k !== 'email' && k !== 'phone'),
		);
		if (overwrite === 1) {
			c.fields = { ...custom };
			c.tags = new Set(tags);
			for (const id of [...c.lists.keys()]) if (!ids.includes(id)) c.lists.delete(id);
		} else if (overwrite === 2) {
			Object.assign(c.fields, custom);
			if (tags.length) c.tags = new Set(tags);
		} else {
			for (const [k, v] of Object.entries(custom)) if (!(k in c.fields)) c.fields[k] = v;
			tags.forEach((t) => c.tags.add(t));
		}
		if (invite) c.invitations++;
		for (const id of ids)
			c.lists.set(id, {
				status: invite ? 'invited' : optin === 4 ? 'active' : 'new',
				added_at: stamp(),
			});
		return { person_id: c.personId };
	}

	protected m_importContacts(_one: (k: string) => string | undefined, all: Params) {
		const names = indexed(all, 'field_names');
		if (!names.length) throw new ArgError('Argument "field_names" is required');
		const rows = rows2d(all, 'data');
		if (rows.length > 500)
			throw new ArgError(
				`Invalid value of argument "data": ${rows.length} rows, at most 500 per call`,
			);
		const res = {
			total: rows.length,
			inserted: 0,
			updated: 0,
			deleted: 0,
			new_emails: 0,
			invalid: 0,
			log: [] as Array<{ index: string; code: string; message: string }>,
		};
		rows.forEach((row, index) => {
			const v: Record<string, string> = {};
			names.forEach((n, j) => (v[n] = (row[j] ?? '').trim()));
			const fail = (message: string) => {
				res.invalid++;
				res.log.push({ index: String(index), code: 'invalid_arg', message });
			};
			if (v.email && !EMAIL.test(v.email)) return fail(`Invalid email address "${v.email}"`);
			if (v.phone && !PHONE.test(v.phone)) return fail(`Invalid phone "${v.phone}"`);
			if (!v.email && !v.phone) return fail('Neither email nor phone given');
			if (v.email_status && !EMAIL_STATUSES.includes(v.email_status))
				return fail(`Invalid value of "email_status": "${v.email_status}"`);
			let listIds: number[];
			try {
				listIds = [
					...this.listIds(v.email_list_ids, 'email_list_ids'),
					...this.listIds(v.phone_list_ids, 'phone_list_ids'),
				];
			} catch (e) {
				return fail((e as Error).message);
			}
			if (v.delete === '1') {
				const c = this.contact(v.email || v.phone);
				if (c) {
					this.contacts.splice(this.contacts.indexOf(c), 1);
					for (const k of [c.email, c.phone]) if (k) this.index.delete(k.toLowerCase());
					res.deleted++;
				}
				return;
			}
			const { c, created } = this.findOrCreate(v.email || undefined, v.phone || undefined);
			if (created) res.inserted++;
			else res.updated++;
			for (const [k, val] of Object.entries(v)) {
				if (
					[
						'email',
						'phone',
						'tags',
						'email_list_ids',
						'phone_list_ids',
						'delete',
						'email_status',
					].includes(k)
				)
					continue;
				c.fields[k] = val;
			}
			const tags = (v.tags ?? '')
				.split(',')
				.map((t) => t.trim())
				.filter(Boolean);
			if (all.overwrite_tags === '1') c.tags = new Set(tags);
			else tags.forEach((t) => c.tags.add(t));
			if (all.overwrite_lists === '1') c.lists.clear();
			const status = v.email_status || 'new';
			// the docs: an existing address's status changes only between the ordinary ones (an unsubscribed
			// address stays unsubscribed)
			if (v.email_status && c.email && c.emailStatus !== 'unsubscribed') c.emailStatus = status;
			if (status === 'new') res.new_emails++;
			for (const id of listIds) c.lists.set(id, { status, added_at: stamp() });
		});
		return res;
	}

	private remove(one: (k: string) => string | undefined, unsubscribe: boolean) {
		const type = one('contact_type');
		if (type !== 'email' && type !== 'phone')
			throw new ArgError(`Invalid value of argument "contact_type": ${type ?? '(missing)'}`);
		const contact = (one('contact') ?? '').trim();
		if (!contact) throw new ArgError('Argument "contact" is required');
		const ids = one('list_ids') ? this.listIds(one('list_ids')) : undefined;
		const c = this.contact(contact);
		const targets = c ? [...c.lists.keys()].filter((id) => !ids || ids.includes(id)) : [];
		if (!c || !targets.length) throw new ArgError(`Contact "${contact}" not found`, 'unspecified');
		for (const id of targets) {
			if (unsubscribe) c.lists.get(id)!.status = 'unsubscribed';
			else c.lists.delete(id);
		}
		return {};
	}

	protected m_exclude(one: (k: string) => string | undefined) {
		return this.remove(one, false);
	}

	protected m_unsubscribe(one: (k: string) => string | undefined) {
		return this.remove(one, true);
	}

	protected m_getContact(one: (k: string) => string | undefined) {
		const email = (one('email') ?? '').trim();
		if (!email) throw new ArgError('Argument "email" is required');
		const c = this.contact(email);
		if (!c?.email) throw new ArgError(`Contact "${email}" not found`, 'unspecified');
		const statuses = [...c.lists.values()].map((l) => l.status);
		const out: Record<string, unknown> = {
			email: {
				email: c.email,
				added_at: stamp(),
				status: c.emailStatus ?? (statuses.includes('active') ? 'active' : (statuses[0] ?? 'new')),
				availability: 'available',
			},
		};
		if (one('include_lists') === '1')
			out.lists = [...c.lists.entries()].map(([id, l]) => ({
				id,
				status: l.status,
				added_at: l.added_at,
			}));
		if (one('include_fields') === '1')
			out.fields = { ...c.fields, ...(c.phone ? { phone: c.phone } : {}) };
		if (one('include_details') === '1')
			Object.assign(out.email as object, { rating: 0, last_send_datetime: null });
		return out;
	}

	protected m_isContactInLists(one: (k: string) => string | undefined) {
		const email = (one('email') ?? '').trim();
		if (!email) throw new ArgError('Argument "email" is required');
		if (!one('list_ids')) throw new ArgError('Argument "list_ids" is required');
		const ids = this.listIds(one('list_ids'));
		const cond = one('condition') ?? 'or';
		if (cond !== 'and' && cond !== 'or')
			throw new ArgError(`Invalid value of argument "condition": ${cond}`);
		const c = this.contact(email);
		const inList = (id: number) => !!c?.lists.has(id) && c.lists.get(id)!.status !== 'unsubscribed';
		return cond === 'and' ? ids.every(inList) : ids.some(inList);
	}
}

/** `fields[email]=x&fields[Name]=y` -> { email: x, Name: y } */
function group(p: Params, prefix: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(p)) {
		const m = new RegExp(`^${prefix}\\[([^\\]]+)\\]$`).exec(k);
		if (m) out[m[1]] = Array.isArray(v) ? v[0] : v;
	}
	return out;
}

/** `field_names[0]=a&field_names[1]=b` (or `field_names[]=`) -> [a, b] */
function indexed(p: Params, prefix: string): string[] {
	const out: string[] = [];
	for (const [k, v] of Object.entries(p)) {
		const m = new RegExp(`^${prefix}\\[(\\d*)\\]$`).exec(k);
		if (!m) continue;
		if (m[1] === '') out.push(...(Array.isArray(v) ? v : [v]));
		else out[Number(m[1])] = Array.isArray(v) ? v[0] : v;
	}
	return out;
}

/** `data[i][j]=x` -> rows[i][j] = x */
function rows2d(p: Params, prefix: string): string[][] {
	const out: string[][] = [];
	const re = new RegExp(`^${prefix}\\[(\\d+)\\]\\[(\\d+)\\]$`);
	for (const [k, v] of Object.entries(p)) {
		const m = re.exec(k);
		if (!m) continue;
		(out[Number(m[1])] ??= [])[Number(m[2])] = Array.isArray(v) ? v[0] : v;
	}
	return Array.from(out, (r) => r ?? []);
}
