// Typed Unisender API client (no n8n imports). The transport only moves form pairs over HTTP; this
// module decides success (absence of `error`, since isContactInLists legitimately returns false),
// paces, and retries retry_later / rate limits with back-off, and transport failures only where a repeat is safe.
import { retrying } from '../../shared/retry';
import type { UnisenderError } from './errors';
import { errorFromAnswer, httpError, unknownOutcome } from './errors';
import type { FormParams, FormValue } from './form';
import { commaList, toForm } from './form';
import type { Pacer } from './pacer';
import { Pacer as PacerClass } from './pacer';

/** Sends one call; resolves with the parsed JSON answer, throws a UnisenderError on transport failure. */
export type Transport = (method: string, params: FormParams) => Promise<unknown>;

export interface Answer<T> {
	result: T;
	warnings?: Array<{ warning?: string } | string>;
}

export interface ClientOptions {
	pacer?: Pacer;
	/** Back-off schedules (real-time ms, scaled by the pacer's time scale). */
	rateLimitBackoff?: number[];
	retryLaterBackoff?: number[];
	httpBackoff?: number[];
}

export interface UnisenderList {
	id: number;
	title: string;
}

export type DoubleOptin = 0 | 3 | 4;
export type Overwrite = 0 | 1 | 2;

export interface SubscribeArgs {
	listIds: Array<string | number> | string;
	/** `email` and / or `phone`, plus any other field by its Unisender name. */
	fields: Record<string, string>;
	tags?: string[] | string;
	doubleOptin?: DoubleOptin;
	overwrite?: Overwrite;
}

export interface ImportResult {
	total: number;
	inserted: number;
	updated: number;
	deleted: number;
	new_emails: number;
	invalid: number;
	log: Array<{ index: number | string; code: string; message: string }>;
}

/**
 * Methods that leave the same state when repeated (reads, and importContacts, which Unisender's documentation
 * says to repeat up to twice when there is no answer). createList would create a second list, subscribe may
 * send a second confirmation letter: after a lost answer those are reported, not repeated.
 */
const SAFE_TO_REPEAT = new Set([
	'getLists',
	'getContact',
	'isContactInLists',
	'importContacts',
	'exclude',
	'unsubscribe',
]);

/** No answer, or a 5xx: Unisender may have done the work. (Its error answers, 408 and 429 say it did not.) */
function answerLost(error: UnisenderError): boolean {
	return error?.kind === 'http' && (error.code === 'network' || /^http_5\d\d$/.test(error.code));
}

export class UnisenderClient {
	readonly pacer: Pacer;
	/** Calls sent, retries included (for benchmarks). */
	calls = 0;
	/** Rate-limit answers received (each one retried). */
	rateLimitHits = 0;
	private readonly backoff: { rate: number[]; later: number[]; http: number[] };

	constructor(
		private readonly transport: Transport,
		opts: ClientOptions = {},
	) {
		this.pacer = opts.pacer ?? new PacerClass();
		this.backoff = {
			rate: opts.rateLimitBackoff ?? [5_000, 15_000, 30_000, 60_000],
			later: opts.retryLaterBackoff ?? [2_000, 5_000, 15_000],
			// importContacts: "if there is no answer, make up to 2 more attempts".
			http: opts.httpBackoff ?? [1_000, 3_000],
		};
	}

	/** Calls `method`; resolves with `{ result, warnings }` or throws a UnisenderError. */
	async call<T>(method: string, args: Record<string, FormValue> = {}): Promise<Answer<T>> {
		try {
			return await this.callWithRetries<T>(method, args);
		} catch (error) {
			if (!SAFE_TO_REPEAT.has(method) && answerLost(error as UnisenderError))
				throw unknownOutcome(method, error as UnisenderError);
			throw error;
		}
	}

	private async callWithRetries<T>(
		method: string,
		args: Record<string, FormValue>,
	): Promise<Answer<T>> {
		const params = toForm(args);
		const tries = { rate: 0, later: 0, http: 0 };
		const safe = SAFE_TO_REPEAT.has(method);
		return await retrying(
			async () => {
				await this.pacer.acquire(method);
				this.calls++;
				return await this.once<T>(method, params);
			},
			{
				// rate limits and "retry later" are safe to repeat; a failed request only where Unisender says it is
				next: (e) => {
					const error = e as UnisenderError;
					const schedule =
						error.kind === 'rate_limit'
							? 'rate'
							: error.kind === 'retry_later'
								? 'later'
								: error.retryable && (safe || !answerLost(error))
									? 'http'
									: undefined;
					if (!schedule || tries[schedule] >= this.backoff[schedule].length) return undefined;
					const wait = this.pacer.scaled(this.backoff[schedule][tries[schedule]++]);
					if (schedule === 'rate') {
						this.rateLimitHits++;
						this.pacer.penalize(method, wait);
					}
					return wait;
				},
				wait: (ms) => this.pacer.clock.sleep(ms),
			},
		);
	}

	/** One request: the answer, or the UnisenderError it means. */
	private async once<T>(method: string, params: Record<string, string>): Promise<Answer<T>> {
		let answer: unknown;
		try {
			answer = await this.transport(method, params);
		} catch (e) {
			throw (e as UnisenderError).kind
				? (e as UnisenderError)
				: httpError(method, undefined, (e as Error).message);
		}
		if (!answer || typeof answer !== 'object') {
			throw httpError(method, undefined, 'the answer was not a JSON object', false);
		}
		const failure = (answer as { error?: unknown }).error;
		if (failure !== undefined && failure !== null) {
			throw errorFromAnswer(
				method,
				answer as { error: unknown; code: unknown },
				Object.keys(params),
			);
		}
		return answer as Answer<T>;
	}

	async getLists(): Promise<UnisenderList[]> {
		return (await this.call<UnisenderList[]>('getLists')).result ?? [];
	}

	async createList(
		title: string,
		opts: { beforeSubscribeUrl?: string; afterSubscribeUrl?: string } = {},
	): Promise<{ id: number }> {
		return (
			await this.call<{ id: number }>('createList', {
				title,
				before_subscribe_url: opts.beforeSubscribeUrl || undefined,
				after_subscribe_url: opts.afterSubscribeUrl || undefined,
			})
		).result;
	}

	async subscribe(a: SubscribeArgs): Promise<Answer<{ person_id: number }>> {
		return await this.call<{ person_id: number }>('subscribe', {
			list_ids: commaList(a.listIds),
			fields: a.fields,
			tags: a.tags === undefined ? undefined : commaList(a.tags) || undefined,
			double_optin: a.doubleOptin,
			overwrite: a.overwrite,
		});
	}

	async importContacts(
		fieldNames: string[],
		data: string[][],
		opts: { overwriteTags?: boolean; overwriteLists?: boolean } = {},
	): Promise<Answer<ImportResult>> {
		return await this.call<ImportResult>('importContacts', {
			field_names: fieldNames,
			data,
			overwrite_tags: opts.overwriteTags,
			overwrite_lists: opts.overwriteLists,
		});
	}

	/** `exclude` (reversible) or `unsubscribe` (only the contact can undo it); no lists = all lists. */
	async removeFromLists(
		method: 'exclude' | 'unsubscribe',
		contactType: 'email' | 'phone',
		contact: string,
		listIds?: Array<string | number> | string,
	): Promise<Answer<unknown>> {
		const ids = commaList(listIds);
		return await this.call(method, {
			contact_type: contactType,
			contact,
			list_ids: ids || undefined,
		});
	}

	async getContact(
		email: string,
		opts: { lists?: boolean; fields?: boolean; details?: boolean } = {},
	): Promise<Answer<Record<string, unknown>>> {
		return await this.call('getContact', {
			email,
			include_lists: opts.lists ? 1 : undefined,
			include_fields: opts.fields ? 1 : undefined,
			include_details: opts.details ? 1 : undefined,
		});
	}

	async isContactInLists(
		email: string,
		listIds: Array<string | number> | string,
		condition: 'and' | 'or',
	): Promise<boolean> {
		const answer = await this.call<boolean | number | string>('isContactInLists', {
			email,
			list_ids: commaList(listIds),
			condition,
		});
		const r = answer.result;
		return r === true || r === 1 || r === '1' || r === 'true';
	}
}
