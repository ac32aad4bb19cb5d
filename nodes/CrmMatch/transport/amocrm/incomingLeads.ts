// Rule 1's "Incoming Lead (Unsorted)" on amoCRM / Kommo: instead of a contact + lead, an email from an unknown
// sender becomes ONE entry of the account's Incoming leads (неразобранное), which a manager accepts or declines.
// API (developers.kommo.com / amocrm.ru/developers, "Incoming leads"):
// - `POST /api/v4/leads/unsorted/forms` [{ source_name, source_uid, pipeline_id?, created_at, metadata: { form_id,
//   form_name, form_page, form_sent_at, ip?, referer? }, _embedded: { leads: [one], contacts: [one] } }] ->
//   200 { _total_items, _embedded: { unsorted: [{ uid, account_id, _embedded: { leads: [{ id }], contacts: [{ id }] } }] } };
// - `GET /api/v4/leads/unsorted` (filter[uid], filter[category][], filter[pipeline_id]; 250 a page): the pending
//   entries with source_uid, metadata and the ids of their lead / contact;
// - `DELETE /api/v4/leads/unsorted/{uid}/decline` { user_id }: declining deletes the entry's data.
//
// Idempotence (decision): the list filters by amoCRM's own uid only (neither by source_uid nor by address), and
// the contact of a pending entry is kept out of the contact lists, so the lookup does not know the sender yet.
// So the pending form entries are listed and ours recognised by what we wrote: form_id "crm-mail", source_uid =
// the Message-ID, form_page = "mailto:<sender>" (free text: amoCRM's own site forms write a title there). One
// pending entry per sender: a second mail from them while the first waits is answered with that entry
// (created: false), and the same Message-ID is never added twice.
// Races: no unique constraint is documented ("there can't be 2 identical entities" names neither the fields nor
// the error), so the guard of the records: list, add, list again; the entry with the lowest lead id (amoCRM hands
// ids out in order, so a later add always sees an earlier one) wins, and a run whose entry lost declines it. A 400
// on add with a rival on the list counts as the rival having won.
// What remains: accepted or declined entries are no longer pending. After accept the contact is known and the
// rules treat the sender as known; after decline a new mail from them (or the same one again) makes a new entry.
// Until the loser's decline (a request later) two entries are visible in Incoming leads.
import { createHash } from 'node:crypto';
import type { IncomingLeadRequest } from '../../rules';
import type { RecordInput } from '../types';
import { CrmError } from '../types';
import type { AmoCrmClient } from './client';
import { parseStage, toBody } from './mapping';

/** Our entries among the account's form entries. */
export const FORM_ID = 'crm-mail';

/** What the node reports of an entry: `crm.unsorted`. */
export interface IncomingLead {
	uid: string;
	leadId?: string;
	contactId?: string;
}

export interface Unsorted {
	uid: string;
	source_uid?: string | null;
	source_name?: string | null;
	category?: string;
	pipeline_id?: number;
	created_at?: number;
	metadata?: { form_id?: string | number; form_page?: string; [key: string]: unknown } | null;
	_embedded?: {
		leads?: Array<{ id: number }>;
		contacts?: Array<{ id: number }>;
		companies?: Array<{ id: number }>;
	};
}

/** The Message-ID without its angle brackets; a very long one hashed (source_uid is an identifier, not text). */
export function sourceUidOf(messageId: string): string {
	const bare = messageId.trim().replace(/^<|>$/g, '');
	return bare.length <= 200 ? bare : `sha256:${createHash('sha256').update(bare).digest('hex')}`;
}

const senderPage = (address: string) => `mailto:${address}`;
const leadIdOf = (u: Unsorted) => u._embedded?.leads?.[0]?.id;

export function incomingLeadOf(u: Unsorted): IncomingLead {
	const lead = leadIdOf(u);
	const contact = u._embedded?.contacts?.[0]?.id;
	return {
		uid: u.uid,
		leadId: lead ? String(lead) : undefined,
		contactId: contact ? String(contact) : undefined,
	};
}

/** The winner of a race: the lowest lead id (the earliest add), then the uid so every run picks the same. */
function earliest(list: Unsorted[]): Unsorted {
	const key = (u: Unsorted) => leadIdOf(u) ?? Number.MAX_SAFE_INTEGER;
	return [...list].sort((a, b) => key(a) - key(b) || (a.uid < b.uid ? -1 : 1))[0];
}

/** Pending form entries the node made for this sender or this email. */
async function ours(client: AmoCrmClient, address: string, sourceUid: string): Promise<Unsorted[]> {
	const all = await client.list<Unsorted>(
		'/leads/unsorted',
		'unsorted',
		[['filter[category][]', 'forms']],
		'list incoming leads',
	);
	return all.filter(
		(u) =>
			String(u.metadata?.form_id ?? '') === FORM_ID &&
			(String(u.metadata?.form_page ?? '').toLowerCase() === senderPage(address) ||
				u.source_uid === sourceUid),
	);
}

/** One entry of `POST /leads/unsorted/forms`: the lead named after the subject, the sender as its contact. */
export function entryBody(
	input: RecordInput,
	request: IncomingLeadRequest,
	now: number,
): Record<string, unknown> {
	const email = (input.email ?? '').trim().toLowerCase();
	const sent = Date.parse(request.sentAt ?? '');
	const pipeline = parseStage(input.stage)?.pipeline_id;
	const person = [input.firstName, input.lastName].filter(Boolean).join(' ');
	return {
		source_name: input.source || 'Email',
		source_uid: sourceUidOf(request.messageId),
		...(pipeline ? { pipeline_id: pipeline } : {}),
		created_at: now,
		// an email has no page, IP or referer: form_page names the sender (a link to write back)
		metadata: {
			form_id: FORM_ID,
			form_name: 'E-mail',
			form_page: senderPage(email),
			form_sent_at: Number.isFinite(sent) ? Math.floor(sent / 1000) : now,
		},
		_embedded: {
			leads: [
				toBody('lead', { name: input.name, ownerId: input.ownerId, source: input.source }, true),
			],
			contacts: [
				toBody(
					'contact',
					{
						name: person || email,
						firstName: input.firstName,
						lastName: input.lastName,
						email,
						ownerId: input.ownerId,
					},
					true,
				),
			],
		},
	};
}

async function decline(client: AmoCrmClient, uid: string): Promise<void> {
	const account = await client.request<{ current_user_id?: number }>(
		'GET',
		'/account',
		'read the account',
	);
	await client.request(
		'DELETE',
		`/leads/unsorted/${encodeURIComponent(uid)}/decline`,
		'decline a duplicate incoming lead',
		account?.current_user_id ? { user_id: account.current_user_id } : undefined,
	);
}

/** The sender's pending entry, made now (`created`) or found (made earlier, or by a parallel run). */
export async function addIncomingLead(
	client: AmoCrmClient,
	input: RecordInput,
	request: IncomingLeadRequest,
): Promise<{ entry: Unsorted; created: boolean }> {
	const address = (input.email ?? '').trim().toLowerCase();
	if (!address)
		throw new CrmError(
			'An incoming lead needs the sender address',
			'Feed items with a From address.',
		);
	const uidKey = sourceUidOf(request.messageId);
	const before = await ours(client, address, uidKey);
	if (before.length) return { entry: earliest(before), created: false };
	let mine: Unsorted | undefined;
	try {
		const body = await client.request<{ _embedded?: { unsorted?: Unsorted[] } }>(
			'POST',
			'/leads/unsorted/forms',
			'add the incoming lead',
			[entryBody(input, request, Math.floor(Date.now() / 1000))],
		);
		mine = body?._embedded?.unsorted?.[0];
	} catch (e) {
		// amoCRM refuses "identical" entries: a parallel run's may have been first
		if (!(e instanceof CrmError && e.status === 400)) throw e;
		const rivals = await ours(client, address, uidKey);
		if (!rivals.length) throw e;
		return { entry: earliest(rivals), created: false };
	}
	if (!mine?.uid)
		throw new CrmError(
			'amoCRM did not return the new incoming lead',
			'Run the workflow again.',
			500,
		);
	const made = mine;
	const after = await ours(client, address, uidKey);
	const winner = earliest(after.some((u) => u.uid === made.uid) ? after : [...after, made]);
	if (winner.uid === made.uid) return { entry: made, created: true };
	await decline(client, made.uid);
	return { entry: winner, created: false };
}
