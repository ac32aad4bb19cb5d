// Incoming leads (unsorted, неразобранное) of the fake amoCRM account, as developers.kommo.com and
// amocrm.ru/developers ("Incoming leads") document them:
// - `POST /api/v4/leads/unsorted/forms`: an array of { source_name, source_uid (both required), pipeline_id?,
//   created_at?, metadata, _embedded: { leads?, contacts?, companies? (one each) } }; 400 `validation-errors` per
//   item (`request_id` = its index) as for entities; answers 200 { _total_items, _embedded: { unsorted: [{ uid,
//   account_id, request_id, _embedded: { leads: [{ id }], contacts: [{ id }], companies: [] } }] } }. The forms
//   metadata table lists form_id, form_name, form_page, ip, form_sent_at, referer without marking which are
//   required: the fake requires form_id, form_name, form_page and form_sent_at (Unix time) and checks the others'
//   types. The lead goes to the "Incoming leads" stage (type 1) of pipeline_id or the main pipeline; the contact and
//   company stay out of the contact / company lists until accepted ("unavailable in the Lists section");
// - "there can't be 2 identical entities in the Incoming leads ... you will receive an error", without naming the
//   fields or the error: the fake's reading is a second PENDING entry with the same source_uid -> 400
//   `validation-errors` (code NotUnique, path source_uid);
// - `GET /api/v4/leads/unsorted` (filter[uid] one or an array, filter[category][], filter[pipeline_id], page,
//   limit <= 250; HTTP 204 when empty) and `GET /api/v4/leads/unsorted/{uid}`: pending entries as { uid, source_uid,
//   source_name, category, pipeline_id, created_at, metadata, account_id, _links, _embedded: { contacts: [{ id }],
//   leads: [{ id }], companies } };
// - `POST /{uid}/accept` { user_id?, status_id? }: the lead moves to status_id or the pipeline's first stage, the
//   contact / company join the lists; `DELETE /{uid}/decline` { user_id } (required): "if rejected, the data will be
//   deleted": entry, lead, contact and company. Both answer { uid, pipeline_id, category, created_at, _embedded }.
import { randomBytes } from 'node:crypto';
import type { FakeRequest } from '../../harness/fake-http';
import type { Account, Kind, Row } from './entities';
import { Problem, applyFields, invalid } from './entities';

export interface UnsortedEntry {
	uid: string;
	source_uid: string;
	source_name: string;
	category: 'forms';
	pipeline_id: number;
	created_at: number;
	metadata: Row;
	lead: number;
	contact?: number;
	company?: number;
}

/** What the fake account lends the incoming leads. */
export interface UnsortedHost extends Account {
	baseUrl: string;
	now(): number;
	put(kind: Kind, data: Record<string, unknown>): Row;
	array(json: unknown): Row[];
	page(req: FakeRequest, key: string, all: unknown[]): unknown;
}

const METADATA_STRINGS = ['form_id', 'form_name', 'form_page'];

/** An error of a nested entity, its path under the entry (`_embedded.leads.0.name`). */
function nested(e: unknown, prefix: string): unknown {
	if (!(e instanceof Problem) || !e.extra['validation-errors']) return e;
	for (const v of e.extra['validation-errors'] as Row[])
		for (const err of v.errors as Row[]) err.path = `${prefix}.${err.path}`;
	return e;
}

export class FakeUnsorted {
	readonly pending: UnsortedEntry[] = [];
	readonly accepted: UnsortedEntry[] = [];
	readonly declined: UnsortedEntry[] = [];

	constructor(private readonly account: UnsortedHost) {}

	/** Whether a contact / company belongs to a pending entry (kept out of the lists). */
	hides(kind: Kind, id: number): boolean {
		return this.pending.some((u) => (kind === 'contacts' ? u.contact : u.company) === id);
	}

	/** `/api/v4/leads/unsorted/<rest>`. */
	handle(req: FakeRequest, rest: string[]): unknown {
		const [a, b] = rest;
		const m = req.method;
		if (a === undefined && m === 'GET') return this.list(req);
		if (a === 'forms' && b === undefined && m === 'POST') return this.add(req.json);
		if (a === 'sip' && m === 'POST')
			throw new Problem(400, 'Bad Request', 'The fake amoCRM has no call (sip) entries');
		const entry = this.pending.find((u) => u.uid === a);
		if (!entry) throw new Problem(404, 'Not Found', 'Unsorted not found');
		if (b === undefined && m === 'GET') return this.view(entry);
		if (b === 'accept' && m === 'POST') return this.accept(entry, (req.json ?? {}) as Row);
		if (b === 'decline' && m === 'DELETE') return this.decline(entry, (req.json ?? {}) as Row);
		throw new Problem(405, 'Method Not Allowed', 'Method Not Allowed');
	}

	private link(kind: string, id: number) {
		return { id, _links: { self: { href: `${this.account.baseUrl}/api/v4/${kind}/${id}` } } };
	}

	private embedded(u: UnsortedEntry) {
		return {
			contacts: u.contact ? [this.link('contacts', u.contact)] : [],
			leads: [this.link('leads', u.lead)],
			companies: u.company ? [this.link('companies', u.company)] : [],
		};
	}

	view(u: UnsortedEntry): Record<string, unknown> {
		const { lead: _l, contact: _c, company: _co, ...rest } = u;
		return {
			...rest,
			account_id: 1,
			_links: { self: { href: `${this.account.baseUrl}/api/v4/leads/unsorted/${u.uid}` } },
			_embedded: this.embedded(u),
		};
	}

	private list(req: FakeRequest) {
		const uids = [req.query['filter[uid]'] ?? req.query['filter[uid][]'] ?? []].flat();
		const categories = [
			req.query['filter[category][]'] ?? req.query['filter[category]'] ?? [],
		].flat();
		const pipeline = req.query['filter[pipeline_id]'];
		const rows = this.pending.filter(
			(u) =>
				(!uids.length || uids.includes(u.uid)) &&
				(!categories.length || categories.includes(u.category)) &&
				(pipeline === undefined || String(u.pipeline_id) === String(pipeline)),
		);
		if (req.query['order[created_at]'] === 'desc') rows.reverse();
		return this.account.page(
			req,
			'unsorted',
			rows.map((u) => this.view(u)),
		);
	}

	private validate(item: Row, i: number) {
		for (const k of ['source_uid', 'source_name'])
			if (item[k] === undefined || item[k] === null)
				throw invalid(i, k, 'This field is missing.', 'FieldMissing');
			else if (typeof item[k] !== 'string' || !item[k])
				throw invalid(i, k, 'This value should be of type string.');
		if (item.created_at !== undefined && !Number.isInteger(item.created_at))
			throw invalid(i, 'created_at', 'This value should be of type int.');
		const md = item.metadata as Row | undefined;
		if (!md || typeof md !== 'object')
			throw invalid(i, 'metadata', 'This field is missing.', 'FieldMissing');
		for (const k of [...METADATA_STRINGS, 'form_sent_at'])
			if (md[k] === undefined || md[k] === null || md[k] === '')
				throw invalid(i, `metadata.${k}`, 'This field is missing.', 'FieldMissing');
		for (const k of [...METADATA_STRINGS, 'ip', 'referer'])
			if (md[k] !== undefined && typeof md[k] !== 'string' && typeof md[k] !== 'number')
				throw invalid(i, `metadata.${k}`, 'This value should be of type string.');
		if (!Number.isInteger(md.form_sent_at))
			throw invalid(i, 'metadata.form_sent_at', 'This value should be of type int.');
		const e = (item._embedded ?? {}) as Row;
		for (const k of ['leads', 'contacts', 'companies'])
			if (e[k] !== undefined && (!Array.isArray(e[k]) || e[k].length > 1))
				throw invalid(
					i,
					`_embedded.${k}`,
					'This collection should contain 1 element or less.',
					'Count',
				);
		if (this.pending.some((u) => u.source_uid === item.source_uid))
			throw invalid(i, 'source_uid', 'Unsorted with this source_uid already exists', 'NotUnique');
	}

	/** One entry: its rows are written, or none of them when a field is refused. */
	private addOne(item: Row, i: number): UnsortedEntry {
		this.validate(item, i);
		const main = this.account.pipelines.find((p) => p.is_main)!;
		const pipeline =
			item.pipeline_id === undefined
				? main
				: this.account.pipelines.find((p) => p.id === item.pipeline_id);
		if (!pipeline) throw invalid(i, 'pipeline_id', 'Pipeline not found', 'NotFound');
		const incoming = (pipeline._embedded.statuses as Row[]).find((s) => s.type === 1)!;
		const e = (item._embedded ?? {}) as Row;
		const made: Array<[Kind, Row]> = [];
		const write = (kind: Kind, data: Row | undefined, path: string) => {
			if (!data) return undefined;
			const row = this.account.put(kind, {});
			made.push([kind, row]);
			const { pipeline_id: _p, status_id: _s, ...fields } = data;
			try {
				applyFields(this.account, kind, row, fields as Row, i);
			} catch (err) {
				throw nested(err, path);
			}
			return row;
		};
		try {
			const contact = write('contacts', e.contacts?.[0], '_embedded.contacts.0');
			const company = write('companies', e.companies?.[0], '_embedded.companies.0');
			const lead = write(
				'leads',
				e.leads?.[0] ?? { name: `Unsorted ${item.source_name}` },
				'_embedded.leads.0',
			)!;
			Object.assign(lead, {
				pipeline_id: pipeline.id,
				status_id: incoming.id,
				contacts: contact ? [contact.id] : [],
				company_id: company?.id,
			});
			if (contact && company) contact.company_id = company.id;
			const entry: UnsortedEntry = {
				uid: randomBytes(30).toString('hex'),
				source_uid: item.source_uid,
				source_name: item.source_name,
				category: 'forms',
				pipeline_id: pipeline.id,
				created_at: item.created_at ?? this.account.now(),
				metadata: { ...item.metadata },
				lead: lead.id,
				contact: contact?.id,
				company: company?.id,
			};
			this.pending.push(entry);
			return entry;
		} catch (err) {
			for (const [kind, row] of made) this.remove(kind, row.id);
			throw err;
		}
	}

	private add(json: unknown) {
		const items = this.account.array(json);
		const entries: UnsortedEntry[] = [];
		try {
			items.forEach((item, i) => entries.push(this.addOne(item, i)));
		} catch (err) {
			for (const u of entries) this.drop(u);
			throw err;
		}
		return {
			_total_items: entries.length,
			_embedded: {
				unsorted: entries.map((u, i) => ({
					uid: u.uid,
					account_id: 1,
					request_id: String(i),
					_embedded: this.embedded(u),
				})),
			},
		};
	}

	private remove(kind: Kind, id: number) {
		const list = this.account.store[kind];
		const at = list.findIndex((r) => r.id === id);
		if (at >= 0) list.splice(at, 1);
	}

	/** Forgets an entry and deletes its rows. */
	private drop(u: UnsortedEntry) {
		this.pending.splice(this.pending.indexOf(u), 1);
		this.remove('leads', u.lead);
		if (u.contact) this.remove('contacts', u.contact);
		if (u.company) this.remove('companies', u.company);
	}

	private answer(u: UnsortedEntry) {
		const { uid, pipeline_id, category, created_at } = u;
		return { uid, pipeline_id, category, created_at, _embedded: this.embedded(u) };
	}

	private user(body: Row, required: boolean) {
		if (body.user_id === undefined) {
			if (required) throw invalid(0, 'user_id', 'This field is missing.', 'FieldMissing');
			return;
		}
		if (!this.account.users.some((x) => x.id === body.user_id))
			throw invalid(0, 'user_id', 'User not found', 'NotFound');
	}

	private accept(u: UnsortedEntry, body: Row) {
		this.user(body, false);
		const lead = this.account.store.leads.find((l) => l.id === u.lead)!;
		const pipeline = this.account.pipelines.find((p) => p.id === u.pipeline_id)!;
		const stages = pipeline._embedded.statuses as Row[];
		const status = body.status_id ?? stages.find((s) => s.type !== 1)!.id;
		if (!stages.some((s) => s.id === status && s.type !== 1))
			throw invalid(0, 'status_id', 'Status not found in pipeline', 'NotFound');
		lead.status_id = status;
		lead.updated_at = this.account.now();
		this.pending.splice(this.pending.indexOf(u), 1);
		this.accepted.push(u);
		return this.answer(u);
	}

	private decline(u: UnsortedEntry, body: Row) {
		this.user(body, true);
		this.drop(u);
		this.declined.push(u);
		return this.answer(u);
	}
}
