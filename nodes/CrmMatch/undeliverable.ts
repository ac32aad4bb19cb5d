// Mark Undeliverable over all items of an execution: what each item asks for (address and reason, read
// from a bounce / complaint event of the IMAP Sync Trigger or given), one batched lookup of the records
// holding the addresses, then the backend marks them. Plain module (no n8n imports).
import { isValidAddress, withoutComments } from '../shared/addresses';
import { CheckFailure } from '../shared/failure';
import type {
	CrmBackend,
	CrmRecord,
	MarkOptions,
	UndeliverableMark,
	UndeliverableReason,
} from './transport/types';
import { REASON_TEXT } from './transport/types';

/** The Reason parameter: a fixed reason, or "from the event" (the item's `event` / `kind`). */
export type ReasonChoice = UndeliverableReason | 'fromEvent';

/** What one item asks for; `skip` says why an event is not marked (a soft bounce, a delay). */
export type MarkRequest =
	{ address: string; reason: UndeliverableReason; at: string } | { address: string; skip: string };

export interface MarkOutcome {
	address: string;
	reason: string | null;
	/** Whether any record holds the address. */
	matched: boolean;
	/** Whether this item marked anything (false: nothing matched, already marked, or skipped). */
	changed: boolean;
	records: Array<{ entity: string; id: string; name: string; backend: string; changed: boolean }>;
	message: string;
}

/** `Ann <A@B.com>`, `mailto:a@b.com`, ` a@b.com ` -> `a@b.com`. */
export function cleanAddress(value: unknown): string {
	const text = withoutComments(String(value ?? '')).trim();
	const bracketed = /<([^<>]*)>$/.exec(text)?.[1] ?? text;
	return bracketed
		.trim()
		.replace(/^mailto:/i, '')
		.toLowerCase();
}

/**
 * What an item asks for. Throws a CheckFailure (what to set) for an item without a usable address, or
 * that is no bounce / complaint event while the reason is to come from the event.
 */
export function requestOf(
	json: Record<string, unknown>,
	addressValue: unknown,
	choice: ReasonChoice,
	now: string,
): MarkRequest {
	const address = cleanAddress(addressValue);
	if (!address)
		throw new CheckFailure(
			'The item has no address to mark',
			'Set "Address" to the undeliverable address; for the IMAP Sync Trigger\'s bounce and complaint events it is {{ $json.recipient }}.',
		);
	if (!isValidAddress(address))
		throw new CheckFailure(
			`"${address}" is not an email address`,
			'Set "Address" to the undeliverable address; for the IMAP Sync Trigger\'s bounce and complaint events it is {{ $json.recipient }}.',
		);
	const at = eventTime(json) ?? now;
	if (choice !== 'fromEvent') return { address, reason: choice, at };
	if (json.event === 'complaint') return { address, reason: 'complaint', at };
	if (json.event === 'bounce' && json.kind === 'hard') return { address, reason: 'hardBounce', at };
	if (json.event === 'bounce')
		return {
			address,
			skip: `A ${json.kind === 'delay' ? 'delayed delivery' : 'soft bounce'}: the address exists, so it is not marked`,
		};
	throw new CheckFailure(
		'The item is no bounce or complaint event, so the reason cannot come from it',
		'Feed the node the IMAP Sync Trigger\'s events (option "Bounces and Complaints": As Bounce and Complaint Events), or choose the Reason: Hard Bounce, Spam Complaint or Manual.',
	);
}

/** When the report says the complaint was made; a bounce carries no time of its own. */
function eventTime(json: Record<string, unknown>): string | undefined {
	const value = json.arrivalDate;
	return typeof value === 'string' && !Number.isNaN(Date.parse(value))
		? new Date(value).toISOString()
		: undefined;
}

const entry = (
	backend: string,
	r: { type: string; id: string; name: string },
	changed: boolean,
) => ({
	entity: r.type,
	id: r.id,
	name: r.name,
	backend,
	changed,
});

/**
 * Marks every requested address on the records holding it. Items naming an address an earlier item of the
 * run marked get the same records with `changed: false`.
 */
export async function markUndeliverable(
	backend: CrmBackend,
	requests: MarkRequest[],
	options: MarkOptions,
): Promise<MarkOutcome[]> {
	const firstOf = new Map<string, number>();
	requests.forEach((r, k) => {
		if ('reason' in r && !firstOf.has(r.address)) firstOf.set(r.address, k);
	});
	const addresses = [...firstOf.keys()];
	const lookup = addresses.length
		? await backend.lookup({ addresses, canonical: [], domains: [] })
		: undefined;
	const holders = (a: string): CrmRecord[] => lookup?.byAddress.get(a) ?? [];
	const marks: UndeliverableMark[] = [];
	const markOf = new Map<string, number>();
	for (const [address, k] of firstOf) {
		const r = requests[k] as Extract<MarkRequest, { reason: UndeliverableReason }>;
		if (!holders(address).length) continue;
		markOf.set(address, marks.length);
		marks.push({ address, reason: r.reason, at: r.at, records: holders(address) });
	}
	const marked = marks.length ? await backend.markUndeliverable(marks, options) : [];
	return requests.map((r, k) => {
		if (!('reason' in r))
			return {
				address: r.address,
				reason: null,
				matched: false,
				changed: false,
				records: [],
				message: r.skip,
			};
		const reason = REASON_TEXT[r.reason];
		const m = markOf.get(r.address);
		if (m === undefined)
			return {
				address: r.address,
				reason,
				matched: false,
				changed: false,
				records: [],
				message: `No record in ${backend.name} has the address ${r.address}: nothing to mark`,
			};
		const first = firstOf.get(r.address) === k;
		const records = marked[m].map((x) => entry(backend.name, x, first && x.changed));
		const changed = records.filter((x) => x.changed).length;
		return {
			address: r.address,
			reason,
			matched: true,
			changed: changed > 0,
			records,
			message: changed
				? `Marked ${r.address} undeliverable (${reason}) on ${changed} of ${records.length} record(s)`
				: `${r.address} was already marked undeliverable on every record: nothing changed`,
		};
	});
}
