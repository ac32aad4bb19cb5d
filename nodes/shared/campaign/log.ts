// The campaign log writer: rows are buffered and inserted in batches, never one API call per email or hit.
// A row is written at the latest `delayMs` after it arrived, or at once when `maxBatch` rows wait; each
// batch is ONE POST. `write` resolves when the row's batch is stored and rejects with the API's error
// when it could not be (after `retries` repeats of a failure that may pass: the n8n API unreachable, 429,
// 5xx), so the caller can report it on its item: a failed write never silently loses a row. A repeat
// after a lost answer may store a batch twice; the report counts distinct recipients and messages.
// No n8n imports.
import { CrmError } from '../../CrmMatch/transport/types';
import { backoffDelay, retrying } from '../retry';
import type { CampaignTables } from './tables';

export const CAMPAIGN_EVENTS = [
	'sent',
	'opened',
	'clicked',
	'unsubscribed',
	'bounced',
	'complained',
] as const;
export type CampaignEvent = (typeof CAMPAIGN_EVENTS)[number];

export interface CampaignLogRow {
	campaign: string;
	event: CampaignEvent;
	recipient: string;
	messageId?: string | null;
	trackingId?: string | null;
	/** The link of a click. */
	url?: string | null;
	/** Who fetched (human, imageProxy, applePrivacyProxy, bot, securityScanner) for opens and clicks. */
	classification?: string | null;
	/** Default: when it was handed to the writer. */
	at?: Date | string;
	detail?: string | null;
}

export interface LogWriterOptions {
	/** Rows per POST (n8n takes many; 500 keeps a body small). */
	maxBatch?: number;
	/** How long a row may wait for others to share its POST. */
	delayMs?: number;
	/** Repeats of a failure that may pass. */
	retries?: number;
	/** Waits between repeats (tests bring their own). */
	wait?: (ms: number) => Promise<void>;
}

interface Pending {
	row: Record<string, unknown>;
	done: (error?: unknown) => void;
}

export class CampaignLogWriter {
	/** POSTs made (tests and the benchmark read it). */
	batches = 0;
	private queue: Pending[] = [];
	private timer?: NodeJS.Timeout;
	private readonly maxBatch: number;
	private readonly delayMs: number;
	private readonly retries: number;

	/** `tables` is read at every flush: a long-lived writer (the trigger's) always uses the latest one. */
	constructor(
		public tables: CampaignTables,
		private readonly options: LogWriterOptions = {},
	) {
		this.maxBatch = Math.max(1, options.maxBatch ?? 500);
		this.delayMs = Math.max(0, options.delayMs ?? 1000);
		this.retries = Math.max(0, options.retries ?? 2);
	}

	/** Queues one row; resolves once it is stored. */
	write(row: CampaignLogRow): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			this.queue.push({
				row: stored(row),
				done: (error) => (error === undefined ? resolve() : reject(error as Error)),
			});
			if (this.queue.length >= this.maxBatch) void this.flush();
			else this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref();
		});
	}

	/** Stores many rows now (a send run's "sent" rows): ceil(N / maxBatch) POSTs. */
	async writeAll(rows: CampaignLogRow[]): Promise<void> {
		const all = rows.map((r) => this.write(r));
		await this.flush();
		await Promise.all(all);
	}

	/** Writes everything queued so far. */
	async flush(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const batches: Pending[][] = [];
		while (this.queue.length) batches.push(this.queue.splice(0, this.maxBatch));
		await Promise.all(batches.map((b) => this.store(b)));
	}

	private async store(batch: Pending[]): Promise<void> {
		try {
			await retrying(
				() => {
					this.batches++;
					return this.tables.with('campaignLog', (id) =>
						this.tables.client.insert(
							id,
							batch.map((p) => p.row),
						),
					);
				},
				{
					next: (error, failures) =>
						failures <= this.retries && mayPass(error)
							? backoffDelay(failures, { baseMs: 500, maxMs: 5000, jitter: 0.3 })
							: undefined,
					wait: this.options.wait,
				},
			);
			for (const p of batch) p.done();
		} catch (error) {
			for (const p of batch) p.done(error ?? new Error('campaign log write failed'));
		}
	}
}

/** Whether a failure of the n8n API may pass when repeated (unreachable, 429, 5xx). */
export function mayPass(error: unknown): boolean {
	if (!(error instanceof CrmError)) return false;
	if (error.unreachable) return true;
	return error.status === 429 || (error.status !== undefined && error.status >= 500);
}

function stored(row: CampaignLogRow): Record<string, unknown> {
	const at = row.at instanceof Date ? row.at.toISOString() : (row.at ?? new Date().toISOString());
	return {
		campaign: row.campaign,
		event: row.event,
		recipient: String(row.recipient ?? '')
			.trim()
			.toLowerCase(),
		message_id: row.messageId ?? null,
		tracking_id: row.trackingId ?? null,
		url: row.url ?? null,
		classification: row.classification ?? null,
		event_at: at,
		detail: row.detail ?? null,
	};
}

/** Every log row of the given campaigns (all campaigns when none is given), a page per 250 rows. */
export async function readCampaignLog(
	tables: CampaignTables,
	campaigns: string[],
): Promise<Array<Record<string, unknown>>> {
	const wanted = [...new Set(campaigns.map((c) => c.trim()).filter(Boolean))];
	return await tables.with('campaignLog', (id) =>
		tables.client.rows(
			id,
			'or',
			wanted.map((c) => ({ columnName: 'campaign', condition: 'eq', value: c })),
		),
	);
}
