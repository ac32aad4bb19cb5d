// The suppression list: addresses no campaign email may go to, with why (unsubscribed, complaint, hard
// bounce, manual), when, and the campaign / message that caused it. Global, not per campaign: whoever
// unsubscribed from one campaign gets no other campaign either.
// Every operation takes many addresses at once and costs a fixed number of API calls, whatever N is:
//   lookup(N)  one GET (`or` of `eq` filters; split into several GETs, sent in parallel, only past n8n's URL
//              budget: ~140 addresses of 20 characters per GET) plus a page per 250 rows found
//   add(N)     lookup + one POST of the new rows (addresses already listed keep their first row)
//   remove(N)  lookup + one DELETE per 200 rows found
// No unique constraint exists in n8n's tables: two runs adding one address at once may leave two rows.
// Readers take the oldest, remove deletes all, so a duplicate never changes an answer.
import type { Filter, Row } from '../../CrmMatch/transport/dataTables/client';
import type { CampaignTables } from './tables';

export const SUPPRESSION_REASONS = ['unsubscribed', 'complaint', 'hardBounce', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface SuppressionEntry {
	email: string;
	reason: SuppressionReason | string;
	campaign: string | null;
	messageId: string | null;
	/** What added it: `tracking` (the Email Tracking Trigger), `flow` (an operation in a workflow). */
	source: string | null;
	note: string | null;
	/** ISO time. */
	suppressedAt: string;
}

export interface SuppressionInput {
	email: string;
	reason: SuppressionReason;
	campaign?: string;
	messageId?: string;
	source?: string;
	note?: string;
	/** Default now. */
	at?: Date;
}

export interface AddResult {
	email: string;
	/** False when the address was already suppressed: `entry` is then the row that was there. */
	added: boolean;
	entry: SuppressionEntry;
}

const DELETE_CHUNK = 200;

/** The stored form of an address: trimmed, lower-cased, without `Name <...>` around it. */
export function normalizeAddress(value: string): string {
	const s = String(value ?? '').trim();
	const angle = /<([^<>]+)>\s*$/.exec(s);
	return (angle ? angle[1] : s).trim().toLowerCase();
}

export class SuppressionList {
	constructor(private readonly tables: CampaignTables) {}

	/** The entry of every listed address among `addresses` (keys normalized); one batched query. */
	async lookup(addresses: string[]): Promise<Map<string, SuppressionEntry>> {
		const rows = await this.rowsOf(addresses);
		const out = new Map<string, SuppressionEntry>();
		for (const row of rows.sort((a, b) => a.id - b.id)) {
			const entry = entryOf(row);
			if (!out.has(entry.email)) out.set(entry.email, entry);
		}
		return out;
	}

	async add(inputs: SuppressionInput[]): Promise<AddResult[]> {
		const existing = await this.lookup(inputs.map((i) => i.email));
		const fresh = new Map<string, SuppressionEntry>();
		const results = inputs.map((input): AddResult => {
			const email = normalizeAddress(input.email);
			const before = existing.get(email) ?? fresh.get(email);
			if (before) return { email, added: false, entry: before };
			const entry: SuppressionEntry = {
				email,
				reason: input.reason,
				campaign: input.campaign || null,
				messageId: input.messageId || null,
				source: input.source || null,
				note: input.note || null,
				suppressedAt: (input.at ?? new Date()).toISOString(),
			};
			fresh.set(email, entry);
			return { email, added: true, entry };
		});
		if (fresh.size)
			await this.tables.with('suppression', (id) =>
				this.tables.client.insert(id, [...fresh.values()].map(rowOf)),
			);
		return results;
	}

	/** Deletes every row of the given addresses; answers how many rows each address had. */
	async remove(addresses: string[]): Promise<Map<string, number>> {
		const rows = await this.rowsOf(addresses);
		const counts = new Map<string, number>();
		for (const row of rows) {
			const email = String(row.email);
			counts.set(email, (counts.get(email) ?? 0) + 1);
		}
		const ids = rows.map((r) => r.id);
		for (let at = 0; at < ids.length; at += DELETE_CHUNK)
			await this.tables.with('suppression', (id) =>
				this.tables.client.deleteIds(id, ids.slice(at, at + DELETE_CHUNK)),
			);
		return counts;
	}

	private async rowsOf(addresses: string[]): Promise<Row[]> {
		const wanted = [...new Set(addresses.map(normalizeAddress).filter(Boolean))];
		if (!wanted.length) return [];
		// `condition` left out: n8n's default is `eq`, and 25 characters less per address fit ~30 % more
		// addresses into one GET
		const filters: Filter[] = wanted.map((email) => ({ columnName: 'email', value: email }));
		return await this.tables.with('suppression', (id) =>
			this.tables.client.rows(id, 'or', filters),
		);
	}
}

function rowOf(e: SuppressionEntry): Record<string, unknown> {
	return {
		email: e.email,
		reason: e.reason,
		campaign: e.campaign,
		message_id: e.messageId,
		source: e.source,
		note: e.note,
		suppressed_at: e.suppressedAt,
	};
}

function entryOf(row: Row): SuppressionEntry {
	const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
	return {
		email: String(row.email ?? ''),
		reason: String(row.reason ?? 'manual'),
		campaign: text(row.campaign),
		messageId: text(row.message_id),
		source: text(row.source),
		note: text(row.note),
		suppressedAt: text(row.suppressed_at) ?? text(row.createdAt) ?? '',
	};
}
