// EspoCRM REST API (docs.espocrm.com/development/api): JSON over `/api/v1/{EntityType}`, errors as an HTTP
// status plus the reason in the `X-Status-Reason` header, lists as `{ list, total }` with `where` / `select`
// / `maxSize` (<= 200) / `offset` / `orderBy` / `order`. Authentication is applied by the transport the
// node gives (credential: X-Api-Key or X-Hmac-Authorization).
import type { Http, HttpRequest, HttpResponse } from '../types';
import { CrmError } from '../types';

export type Where = { type: string; attribute?: string; value?: unknown };
export type Attrs = Record<string, unknown> & { id: string };

/** EspoCRM caps maxSize at 200 (recordListMaxSizeLimit). */
export const PAGE = 200;
/**
 * Budget for the URL-encoded `where` of one GET. Apache's default request line limit is 8,190 bytes and
 * nginx's large_client_header_buffers 8 KB: 6,000 leaves room for the path, select and paging.
 */
export const WHERE_URL_BUDGET = 6000;

export function whereCost(w: Where): number {
	return encodeURIComponent(JSON.stringify(w)).length + 3;
}

/** The 409 of the duplicate check; `duplicates` are the records EspoCRM found. */
export class DuplicateError extends CrmError {
	constructor(
		readonly duplicates: Attrs[],
		what: string,
	) {
		super(
			`EspoCRM reports a duplicate (${what})`,
			'A record with this name or email address already exists.',
			409,
		);
	}
}

export class EspoClient {
	/** Requests sent (the benchmark and tests read it). */
	requests = 0;

	constructor(private readonly http: Http) {}

	async send(req: HttpRequest, what: string): Promise<HttpResponse> {
		this.requests++;
		try {
			return await this.http(req);
		} catch (e) {
			throw new CrmError(
				`Cannot reach EspoCRM (${what}): ${(e as Error).message}`,
				'Check the Base URL in the EspoCRM credential (e.g. https://crm.example.com) and that the site is reachable from n8n.',
				undefined,
				true,
			);
		}
	}

	async call<T>(req: HttpRequest, what: string): Promise<T> {
		const res = await this.send(req, what);
		if (res.status >= 200 && res.status < 300) return res.body as T;
		throw errorOf(res, what);
	}

	/**
	 * Every record of `entity` matching ANY of `clauses` (or all of `fixed`), in as few GETs as the URL
	 * allows: the clauses are packed into `or` groups within WHERE_URL_BUDGET, each group paged by 200.
	 */
	async search(
		entity: string,
		clauses: Where[],
		select: string[],
		fixed: Where[] = [],
	): Promise<Attrs[]> {
		const groups: Where[][] = [];
		let current: Where[] = [];
		let used = 0;
		for (const c of clauses) {
			const cost = whereCost(c);
			if (current.length && used + cost > WHERE_URL_BUDGET) {
				groups.push(current);
				current = [];
				used = 0;
			}
			current.push(c);
			used += cost;
		}
		if (current.length) groups.push(current);
		const pages = await Promise.all(
			groups.map((g) =>
				this.list(entity, [...fixed, g.length === 1 ? g[0] : { type: 'or', value: g }], select),
			),
		);
		const seen = new Set<string>();
		return pages.flat().filter((r) => !seen.has(r.id) && seen.add(r.id));
	}

	/** All pages of one list request, oldest first (stable paging). */
	async list(entity: string, where: Where[], select: string[], limit = Infinity): Promise<Attrs[]> {
		const out: Attrs[] = [];
		for (let offset = 0; ; offset += PAGE) {
			// All search parameters as one JSON `searchParams` query parameter, as EspoCRM's own JS client sends them.
			const maxSize = Math.min(PAGE, limit - out.length);
			const params = {
				maxSize,
				offset,
				orderBy: 'createdAt',
				order: 'asc',
				select: select.join(','),
				...(where.length ? { where } : {}),
			};
			const query = { searchParams: JSON.stringify(params) };
			const page = await this.call<{ list: Attrs[]; total?: number }>(
				{ method: 'GET', path: `/${entity}`, query, headers: { 'X-No-Total': 'true' } },
				`search ${entity}`,
			);
			out.push(...page.list);
			if (page.list.length < maxSize || out.length >= limit) return out;
		}
	}

	async get(entity: string, id: string): Promise<Attrs | undefined> {
		const res = await this.send(
			{ method: 'GET', path: `/${entity}/${encodeURIComponent(id)}` },
			`read ${entity}`,
		);
		if (res.status === 404) return undefined;
		if (res.status >= 200 && res.status < 300) return res.body as Attrs;
		throw errorOf(res, `read ${entity}`);
	}

	/** Create; a 409 from the duplicate check becomes a DuplicateError carrying the duplicates. */
	async create(
		entity: string,
		data: Record<string, unknown>,
		skipDuplicateCheck = false,
	): Promise<Attrs> {
		const headers = skipDuplicateCheck ? { 'X-Skip-Duplicate-Check': 'true' } : undefined;
		const res = await this.send(
			{ method: 'POST', path: `/${entity}`, body: data, headers },
			`create ${entity}`,
		);
		if (res.status >= 200 && res.status < 300) return res.body as Attrs;
		if (res.status === 409 && /duplicate/i.test(reason(res)))
			throw new DuplicateError(duplicatesOf(res.body), `create ${entity}`);
		throw errorOf(res, `create ${entity}`);
	}

	async update(entity: string, id: string, data: Record<string, unknown>): Promise<Attrs> {
		return await this.call<Attrs>(
			{ method: 'PUT', path: `/${entity}/${encodeURIComponent(id)}`, body: data },
			`update ${entity}`,
		);
	}

	async remove(entity: string, id: string): Promise<void> {
		await this.call(
			{ method: 'DELETE', path: `/${entity}/${encodeURIComponent(id)}` },
			`delete ${entity}`,
		);
	}

	/** POST {Entity}/{id}/{link} { id }: relate two records. */
	async relate(entity: string, id: string, link: string, foreignId: string): Promise<void> {
		await this.call(
			{
				method: 'POST',
				path: `/${entity}/${encodeURIComponent(id)}/${link}`,
				body: { id: foreignId },
			},
			`link ${entity} ${link}`,
		);
	}
}

function header(res: HttpResponse, name: string): string {
	const v = res.headers[name] ?? res.headers[name.toLowerCase()];
	return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function reason(res: HttpResponse): string {
	return header(res, 'x-status-reason');
}

/** The duplicate list of a 409: a JSON array (EspoCRM 7+), or an object holding one. */
export function duplicatesOf(body: unknown): Attrs[] {
	let b = body;
	if (typeof b === 'string') {
		try {
			b = JSON.parse(b);
		} catch {
			return [];
		}
	}
	if (Array.isArray(b)) return b as Attrs[];
	const o = b as { list?: Attrs[]; duplicates?: Attrs[] } | undefined;
	return o?.list ?? o?.duplicates ?? [];
}

export function errorOf(res: HttpResponse, what: string): CrmError {
	const why =
		reason(res) ||
		(typeof res.body === 'string'
			? res.body
			: (res.body as { message?: string } | undefined)?.message) ||
		'';
	const suffix = why ? `: ${why}` : '';
	switch (res.status) {
		case 400:
			return new CrmError(
				`EspoCRM rejected the data (${what}, 400)${suffix}`,
				'Check the fields: EspoCRM requires e.g. a last name for contacts and name, amount and close date for opportunities.',
				400,
			);
		case 401:
			return new CrmError(
				`EspoCRM refused the credentials (401)${suffix}`,
				'Check the API key (and the secret key for HMAC) of the API user in Administration > API Users, and that the user is active.',
				401,
			);
		case 403:
			return new CrmError(
				`The EspoCRM API user may not ${what} (403)${suffix}`,
				"Give the API user's role access to Contacts, Accounts, Leads, Opportunities and Emails (and the Import scope to archive emails).",
				403,
			);
		case 404:
			return new CrmError(
				`EspoCRM answered 404 to ${what}${suffix}`,
				'Check the Base URL (without /api/v1) and the record ID.',
				404,
			);
		default:
			return new CrmError(
				`EspoCRM could not ${what} (${res.status})${suffix}`,
				'See the EspoCRM log (data/logs) for the cause.',
				res.status,
			);
	}
}
