// A fake Bitrix24 portal's REST API through inbound webhooks, as apidocs.bitrix24.com documents it
// (bitrix24/b24restdocs): `GET|POST /rest/<user>/<code>/<method>[.json]` with a JSON, form
// (PHP bracket keys) or query body; success `{ result, total?, next?, time }`, errors
// `{ error, error_description }` with the documented statuses (401 NO_AUTH_FOUND, 403 insufficient_scope,
// 404 ERROR_METHOD_NOT_FOUND, 503 QUERY_LIMIT_EXCEEDED, 400 with an empty `error` for the CRM's own checks);
// - the request limit: a leaky bucket per portal (+1 per HTTP request, a batch is one), over `burst` ->
//   503 QUERY_LIMIT_EXCEEDED, draining `perSecond`;
// - `batch`: `cmd[key]=method?query` (<= 50, else 400 ERROR_BATCH_LENGTH_EXCEEDED), `halt`; always 200 with
//   `result.result`, `result.result_error`, `result.result_total`, `result.result_next` (`[]` when empty);
// - crm.duplicate.findbycomm (type EMAIL, values <= 20, later values ignored; `[]` on no match, integer ids);
// - crm.{lead,contact,company,deal}.{add,get,list,update,delete}, lists 50 a page with `start`, `total`,
//   `next` only when more; ids as strings in records, an integer from add;
// - crm.activity.{add,list,update,delete}, crm.activity.binding.{add,list}; an add with TYPE_ID 4,
//   DIRECTION 2 and COMPLETED Y is recorded in `sentMail` (Bitrix24 would SEND it);
// - crm.status.list, crm.category.list (entityTypeId 2), user.get, user.current, profile.
// - crm.timeline.comment.{add,list} (timeline.ts).
// - OAuth 2.0 of a local application (oauth.ts): `/oauth/authorize/`, `/oauth/token/`, and the same methods
//   at `/rest/<method>` with the access token as `auth`.
import type { FakeRequest, FakeResponse } from '../../harness/fake-http';
import { FakeHttpServer } from '../../harness/fake-http';
import { Bitrix24OAuth } from './oauth';
import type { Fields } from './php';
import { matches, parsePhp } from './php';
import { FakeTimeline, TimelineError } from './timeline';

export interface Webhook {
	userId: number;
	code: string;
	scopes: string[];
}
type Answer = { result: unknown; total?: number; next?: number };
class B24Error extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		description: string,
	) {
		super(description);
	}
}

const ENTITIES = ['lead', 'contact', 'company', 'deal', 'activity'];
const TYPE_IDS: Record<number, string> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company' };
const PAGE = 50;

export class FakeBitrix24 extends FakeHttpServer {
	readonly webhooks: Webhook[] = [];
	readonly store = new Map<string, Fields[]>(ENTITIES.map((e) => [e, []]));
	readonly bindings: Array<{ activityId: number; entityTypeId: number; entityId: number }> = [];
	/** Outgoing e-mail activities added completed: Bitrix24 would have sent them. */
	readonly sentMail: Fields[] = [];
	users: Fields[] = [
		{ ID: '1', NAME: 'Admin', LAST_NAME: 'User', EMAIL: 'admin@portal.test', ACTIVE: true },
	];
	statuses: Fields[] = [];
	categories = [{ id: 0, name: 'General', sort: 100, entityTypeId: 2, isDefault: 'Y' }];
	limits = { burst: 50, perSecond: 2 };
	/** Timeline comments (crm.timeline.comment.*). */
	readonly timeline = new FakeTimeline((type, id) => this.list(type).some((r) => r.ID === id));
	/** OAuth 2.0 of local applications (oauth.ts): calls to `/rest/<method>` with `auth=<access token>`. */
	readonly oauth = new Bitrix24OAuth(() => this.baseUrl);
	private level = 0;
	private at = Date.now();
	private seq = new Map<string, number>();

	constructor() {
		super();
		this.route('*', /^\/rest\/(\d+)\/([^/]+)\/([a-z0-9_.]+?)(?:\.json)?\/?$/i, (req, res) =>
			this.handleCall(req, res),
		);
		// OAuth 2.0: the method right under /rest/, the access token in `auth`
		this.route('*', /^\/rest\/()()([a-z0-9_.]+?)(?:\.json)?\/?$/i, (req, res) =>
			this.handleCall(req, res),
		);
		this.route('*', /^\/oauth\/token\/?$/, (req, res) => this.oauth.token(req, res));
		this.route('GET', /^\/oauth\/authorize\/?$/, (req, res) => this.oauth.authorize(req, res));
		const status = (ENTITY_ID: string, STATUS_ID: string, NAME: string, SORT: number) =>
			this.statuses.push({ ENTITY_ID, STATUS_ID, NAME, SORT });
		for (const [id, name, n] of [
			['CALL', 'Call', 10],
			['EMAIL', 'E-mail', 20],
			['WEB', 'Website', 30],
			['OTHER', 'Other', 90],
		] as const)
			status('SOURCE', id, name, n);
		for (const [id, name, n] of [
			['NEW', 'New', 10],
			['PREPARATION', 'Preparing documents', 20],
			['WON', 'Deal won', 60],
			['LOSE', 'Deal lost', 70],
		] as const)
			status('DEAL_STAGE', id, name, n);
	}

	addWebhook(w: Partial<Webhook> & { code: string }): string {
		this.webhooks.push({ userId: 1, scopes: ['crm', 'user'], ...w });
		return `${this.baseUrl}/rest/${w.userId ?? 1}/${w.code}/`;
	}

	addPipeline(id: number, name: string, stages: Array<[string, string]>): void {
		this.categories.push({ id, name, sort: 100 + id, entityTypeId: 2, isDefault: 'N' });
		stages.forEach(([s, n], i) =>
			this.statuses.push({
				ENTITY_ID: `DEAL_STAGE_${id}`,
				STATUS_ID: `C${id}:${s}`,
				NAME: n,
				SORT: (i + 1) * 10,
			}),
		);
	}

	list(entity: string): Fields[] {
		return this.store.get(entity)!;
	}

	/** Inserts a record directly (test setup); returns it with its string ID. */
	put(entity: string, data: Fields): Fields {
		const id = (this.seq.get(entity) ?? 0) + 1;
		this.seq.set(entity, id);
		const rec: Fields = { DATE_CREATE: bitrixNow(), ...data, ID: String(id) };
		if (entity === 'deal') rec.CLOSED ??= /WON|LOSE/.test(String(rec.STAGE_ID ?? '')) ? 'Y' : 'N';
		if (entity === 'deal') rec.STAGE_ID ??= 'NEW';
		if (entity === 'deal') rec.CATEGORY_ID ??= '0';
		this.list(entity).push(rec);
		return rec;
	}

	private bucket(): boolean {
		const now = Date.now();
		this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.limits.perSecond);
		this.at = now;
		if (this.level + 1 > this.limits.burst) return false;
		this.level += 1;
		return true;
	}

	private handleCall(req: FakeRequest, res: FakeResponse) {
		const params: Fields = {
			...parsePhp(new URLSearchParams(req.query as Record<string, string>).toString()),
			...(req.json as Fields | undefined),
			...(Object.keys(req.form).length ? parsePhp(req.body.toString('utf8')) : {}),
		};
		const viaOAuth = !req.params['1'];
		let hook = this.webhooks.find(
			(w) => String(w.userId) === req.params['1'] && w.code === req.params['2'],
		);
		const started = Date.now();
		const send = (body: Record<string, unknown>, status = 200) =>
			res.json({ ...body, time: timeOf(started) }, status);
		if (!this.bucket())
			return res.json(
				{ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
				503,
			);
		if (viaOAuth) {
			const owner = this.oauth.check(String(params.auth ?? ''));
			if ('error' in owner)
				return res.json(
					{ error: owner.error, error_description: owner.error_description },
					owner.status,
				);
			hook = { userId: owner.userId, code: '', scopes: owner.scopes };
			delete params.auth;
		}
		if (!hook)
			return res.json(
				{ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' },
				401,
			);
		const method = req.params['3'].toLowerCase();
		try {
			if (method === 'batch') return send({ result: this.batch(hook, params) });
			send({ ...this.invoke(hook, method, params) });
		} catch (e) {
			if (!(e instanceof B24Error)) throw e;
			res.json({ error: e.code, error_description: e.message }, e.status);
		}
	}

	private batch(hook: Webhook, params: Fields) {
		const cmd = (params.cmd ?? {}) as Record<string, string>;
		const entries = Object.entries(cmd);
		if (entries.length > 50)
			throw new B24Error(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
		const halt =
			params.halt === true || params.halt === 1 || params.halt === '1' || params.halt === 'true';
		const out = {
			result: {} as Fields,
			result_error: {} as Fields,
			result_total: {} as Fields,
			result_next: {} as Fields,
			result_time: {} as Fields,
		};
		for (const [key, line] of entries) {
			const q = line.indexOf('?');
			const method = (q < 0 ? line : line.slice(0, q)).toLowerCase();
			if (method === 'batch') {
				out.result_error[key] = {
					error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
					error_description: 'Method is not allowed for batch usage',
				};
				if (halt) break;
				continue;
			}
			try {
				const a = this.invoke(hook, method, q < 0 ? {} : parsePhp(line.slice(q + 1)));
				out.result[key] = a.result;
				if (a.total !== undefined) out.result_total[key] = a.total;
				if (a.next !== undefined) out.result_next[key] = a.next;
			} catch (e) {
				if (!(e instanceof B24Error)) throw e;
				out.result_error[key] = { error: e.code, error_description: e.message };
				if (halt) break;
			}
		}
		const empty = (o: Fields) => (Object.keys(o).length ? o : []);
		return {
			result: empty(out.result),
			result_error: empty(out.result_error),
			result_total: empty(out.result_total),
			result_next: empty(out.result_next),
			result_time: empty(out.result_time),
		};
	}

	private scope(hook: Webhook, scope: string) {
		if (!hook.scopes.includes(scope))
			throw new B24Error(
				403,
				'insufficient_scope',
				'The request requires higher privileges than provided by the webhook token',
			);
	}

	private page(all: Fields[], params: Fields, select?: string[], crm = false): Answer {
		const start = Number(params.start ?? 0) || 0;
		const rows = all.slice(start, start + PAGE).map((r) => (crm ? view(r, select) : { ...r }));
		return {
			result: rows,
			total: all.length,
			...(start + PAGE < all.length ? { next: start + PAGE } : {}),
		};
	}

	private invoke(hook: Webhook, method: string, p: Fields): Answer {
		const crud = /^crm\.(lead|contact|company|deal|activity)\.(add|get|list|update|delete)$/.exec(
			method,
		);
		if (method === 'profile')
			return { result: { ID: String(hook.userId), ADMIN: true, NAME: 'Admin' } };
		if (method === 'user.current' || method === 'user.get') {
			this.scope(hook, 'user');
			if (method === 'user.current') return { result: this.users[0] };
			const f = (p.FILTER ?? p.filter ?? {}) as Fields;
			const active =
				f.ACTIVE === undefined
					? this.users
					: this.users.filter((u) => String(u.ACTIVE) === 'true' || u.ACTIVE === true);
			return this.page(active, p);
		}
		if (method.startsWith('crm.')) this.scope(hook, 'crm');
		if (method === 'crm.status.list') {
			const f = (p.filter ?? p.FILTER ?? {}) as Fields;
			return this.page(
				this.statuses.filter((s) => matches(s, f)),
				p,
			);
		}
		if (method === 'crm.category.list') {
			if (Number(p.entityTypeId) !== 2) throw new B24Error(400, '', 'Entity type is not supported');
			return { result: { categories: this.categories }, total: this.categories.length };
		}
		if (method === 'crm.duplicate.findbycomm') return { result: this.findByComm(p) };
		try {
			if (method === 'crm.timeline.comment.add')
				return { result: this.timeline.add(p, hook.userId) };
			if (method === 'crm.timeline.comment.list') return this.page(this.timeline.list(p), p);
		} catch (e) {
			if (e instanceof TimelineError) throw new B24Error(400, '', e.message);
			throw e;
		}
		if (method === 'crm.activity.binding.list')
			return {
				result: this.bindings
					.filter((b) => b.activityId === Number(p.activityId))
					.map(({ entityTypeId, entityId }) => ({ entityTypeId, entityId })),
			};
		if (method === 'crm.activity.binding.add') {
			const b = {
				activityId: Number(p.activityId),
				entityTypeId: Number(p.entityTypeId),
				entityId: Number(p.entityId),
			};
			if (
				this.bindings.some(
					(x) =>
						x.activityId === b.activityId &&
						x.entityTypeId === b.entityTypeId &&
						x.entityId === b.entityId,
				)
			)
				throw new B24Error(400, '', 'The binding already exists');
			this.bindings.push(b);
			return { result: true };
		}
		if (!crud) throw new B24Error(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
		const [, entity, op] = crud;
		const byId = () => {
			const id = String(p.id ?? p.ID ?? '');
			if (!/^\d+$/.test(id)) throw new B24Error(400, '', 'ID is not defined or invalid.');
			const r = this.list(entity).find((x) => x.ID === id);
			if (!r) throw new B24Error(400, '', 'Not found');
			return r;
		};
		switch (op) {
			case 'add':
				return { result: Number(this.add(entity, (p.fields ?? {}) as Fields).ID) };
			case 'get':
				return { result: { ...byId() } };
			case 'update':
				Object.assign(byId(), this.clean(entity, (p.fields ?? {}) as Fields, byId()));
				return { result: true };
			case 'delete': {
				const r = byId();
				this.list(entity).splice(this.list(entity).indexOf(r), 1);
				return { result: true };
			}
			default: {
				const filter = (p.filter ?? p.FILTER ?? {}) as Fields;
				const select = (p.select ?? p.SELECT) as string[] | undefined;
				const order = (p.order ?? p.ORDER ?? { ID: 'ASC' }) as Record<string, string>;
				const rows = this.list(entity)
					.filter((r) => matches(r, filter))
					.sort((a, b) => compare(a, b, order));
				return this.page(rows, p, select, true);
			}
		}
	}

	private findByComm(p: Fields) {
		if (!p.type) throw new B24Error(400, '', 'Communication type is not defined');
		if (String(p.type).toUpperCase() !== 'EMAIL' && String(p.type).toUpperCase() !== 'PHONE')
			throw new B24Error(
				400,
				'',
				`Communication type '${String(p.type)}' is not supported in current context`,
			);
		const values = (Array.isArray(p.values) ? p.values : Object.values((p.values ?? {}) as Fields))
			.slice(0, 20)
			.map((v) => String(v).toLowerCase());
		if (!values.length) throw new B24Error(400, '', 'Communication values is not defined');
		const types = p.entity_type
			? [String(p.entity_type).toUpperCase()]
			: ['LEAD', 'CONTACT', 'COMPANY'];
		if (types[0] === 'DEAL')
			throw new B24Error(400, '', 'Deal is not supported in current context.');
		const out: Record<string, number[]> = {};
		for (const t of types) {
			const ids = this.list(t.toLowerCase())
				.filter((r) =>
					(r.EMAIL as Array<{ VALUE: string }> | undefined)?.some((m) =>
						values.includes(String(m.VALUE).toLowerCase()),
					),
				)
				.map((r) => Number(r.ID));
			if (ids.length) out[t] = ids;
		}
		return Object.keys(out).length ? out : [];
	}

	private clean(entity: string, fields: Fields, existing?: Fields): Fields {
		const f = { ...fields };
		delete f.ID;
		delete f.DATE_CREATE;
		for (const k of ['EMAIL', 'WEB', 'PHONE'])
			if (Array.isArray(f[k])) {
				const old = (existing?.[k] as Fields[] | undefined) ?? [];
				f[k] = [
					...old,
					...(f[k] as Fields[]).map((m) => ({
						VALUE_TYPE: 'WORK',
						...m,
						TYPE_ID: k,
						ID: String(Math.floor(Math.random() * 1e6)),
					})),
				];
			}
		if (entity === 'deal' && f.STAGE_ID !== undefined)
			f.CLOSED = /(^|:)(WON|LOSE)$/.test(String(f.STAGE_ID)) ? 'Y' : 'N';
		for (const [k, v] of Object.entries(f)) if (typeof v === 'number') f[k] = String(v);
		return f;
	}

	private add(entity: string, fields: Fields): Fields {
		if (entity === 'activity') {
			for (const k of ['OWNER_TYPE_ID', 'OWNER_ID', 'TYPE_ID', 'SUBJECT'])
				if (fields[k] === undefined || fields[k] === '')
					throw new B24Error(400, '', `The field ${k} is not defined or invalid.`);
			if (!Array.isArray(fields.COMMUNICATIONS) || !fields.COMMUNICATIONS.length)
				throw new B24Error(400, '', 'The field COMMUNICATIONS is not defined or invalid.');
			if (
				!TYPE_IDS[Number(fields.OWNER_TYPE_ID)]?.length ||
				!this.list(TYPE_IDS[Number(fields.OWNER_TYPE_ID)]).some(
					(r) => r.ID === String(fields.OWNER_ID),
				)
			)
				throw new B24Error(400, '', 'Not found');
		}
		if (entity === 'lead' && !fields.TITLE && !fields.NAME && !fields.LAST_NAME)
			throw new B24Error(400, '', 'The field TITLE is required.');
		const rec = this.put(entity, this.clean(entity, fields));
		if (entity === 'activity') {
			if (
				String(fields.TYPE_ID) === '4' &&
				String(fields.DIRECTION) === '2' &&
				fields.COMPLETED === 'Y'
			)
				this.sentMail.push(rec);
			this.bindings.push({
				activityId: Number(rec.ID),
				entityTypeId: Number(fields.OWNER_TYPE_ID),
				entityId: Number(fields.OWNER_ID),
			});
		}
		return rec;
	}
}

function view(r: Fields, select?: string[]): Fields {
	if (!select || !select.length || select.includes('*')) {
		const { EMAIL: _e, WEB: _w, PHONE: _p, ...rest } = r;
		return rest;
	}
	const out: Fields = {};
	for (const k of select) if (k in r) out[k] = r[k];
	return out;
}

function compare(a: Fields, b: Fields, order: Record<string, string>): number {
	for (const [k, dir] of Object.entries(order)) {
		const x = String(a[k] ?? '');
		const y = String(b[k] ?? '');
		const c = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
		if (c) return String(dir).toUpperCase() === 'DESC' ? -c : c;
	}
	return 0;
}

/** `2026-03-01T10:00:00+03:00`: Bitrix24 answers dates with the portal's offset, to the second. */
function bitrixNow(): string {
	const d = new Date(Date.now() + 3 * 3600_000);
	return `${d.toISOString().slice(0, 19)}+03:00`;
}

function timeOf(started: number) {
	const finish = Date.now();
	return {
		start: started / 1000,
		finish: finish / 1000,
		duration: (finish - started) / 1000,
		processing: (finish - started) / 1000,
		date_start: new Date(started).toISOString(),
		date_finish: new Date(finish).toISOString(),
		operating: 0,
	};
}
