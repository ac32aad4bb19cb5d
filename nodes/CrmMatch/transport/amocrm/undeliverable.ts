// Mark Undeliverable on amoCRM / Kommo (decision). The EMAIL field has no state of its own (its enum codes
// WORK / PRIV / OTHER are kinds of address), so the mark is what every account has and the API documents:
// the tag `undeliverable` on the contact / company that holds the address (lists and Digital Pipeline
// triggers filter by tags) and a `common` note in its feed saying why. The tag is the state: a record that
// has it is left alone (`changed: false`); an admin who fixed the address removes the tag.
// PATCH replaces a record's tags with the list it is given, so the list is the record's tags plus ours.
import type { MarkedRecord, UndeliverableMark } from '../types';
import { REASON_TEXT } from '../types';
import type { AmoCrmClient } from './client';
import type { Entity } from './mapping';
import { PATH } from './mapping';

export const TAG = 'undeliverable';

function tagsOf(e: Entity): string[] {
	return (e._embedded?.tags ?? []).map((t) => String(t.name ?? '')).filter(Boolean);
}

export function noteText(mark: UndeliverableMark): string {
	return [
		`The e-mail address ${mark.address} is undeliverable: ${REASON_TEXT[mark.reason]} (${mark.at}).`,
		'Recorded by n8n (CRM Match & Create, Mark Undeliverable): do not send to it.',
	].join('\n');
}

export async function markContacts(
	client: AmoCrmClient,
	marks: UndeliverableMark[],
): Promise<MarkedRecord[][]> {
	return await Promise.all(
		marks.map(
			async (mark) =>
				await Promise.all(
					mark.records.map(async (record) => {
						const tags = tagsOf(record.raw as Entity);
						const changed = !tags.some((t) => t.toLowerCase() === TAG);
						if (changed) {
							const path = `${PATH[record.type]}/${record.id}`;
							await client.request('PATCH', path, 'tag the record undeliverable', {
								_embedded: { tags: [...tags, TAG].map((name) => ({ name })) },
							});
							await client.request('POST', `${path}/notes`, 'note why it is undeliverable', [
								{ note_type: 'common', params: { text: noteText(mark) } },
							]);
						}
						return { type: record.type, id: record.id, name: record.name, changed };
					}),
				),
		),
	);
}
