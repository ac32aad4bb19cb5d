// Mark Undeliverable on Bitrix24 (decision). The EMAIL multi-field has no "invalid" or "opted out" flag
// (its VALUE_TYPE is WORK / HOME / MAILING / OTHER: a kind of address, not a state), and the marketing
// module's stop list has no REST method for a webhook. So the mark is what the REST API documents for CRM
// records: a timeline comment (crm.timeline.comment.add) on every record with the address, saying that it
// is undeliverable and why, ending with the line `Undeliverable address: <address>`; and, when the admin
// names one, a user field (e.g. UF_CRM_UNDELIVERABLE, type Yes/No) set to "Y" with crm.<entity>.update, so
// that lists and segments can filter on it.
//
// Idempotency: the comments of each record are listed first (one batch, crm.timeline.comment.list by
// ENTITY_TYPE + ENTITY_ID); a record whose comments hold that line is left alone (`changed: false`).
import type { MarkedRecord, UndeliverableMark } from '../types';
import { REASON_TEXT } from '../types';
import type { Bitrix24Client, Command } from './client';
import { ENTITY } from './mapping';

interface Comment {
	ID: string;
	COMMENT?: string;
}

export const markerLine = (address: string): string => `Undeliverable address: ${address}`;

function hasMarker(comments: Comment[], address: string): boolean {
	const line = markerLine(address).toLowerCase();
	return comments.some((c) =>
		String(c.COMMENT ?? '')
			.split('\n')
			.some((l) => l.trim().toLowerCase() === line),
	);
}

export function commentText(mark: UndeliverableMark): string {
	return [
		`The e-mail address ${mark.address} is undeliverable: ${REASON_TEXT[mark.reason]} (${mark.at}).`,
		'Recorded by n8n (CRM Match & Create, Mark Undeliverable): do not send to it.',
		markerLine(mark.address),
	].join('\n');
}

export async function markRecords(
	client: Bitrix24Client,
	marks: UndeliverableMark[],
	flagField?: string,
): Promise<MarkedRecord[][]> {
	const targets = marks.flatMap((mark, m) =>
		mark.records.map((record, r) => ({ key: `${m}_${r}`, mark, record })),
	);
	const lists = await client.lists<Comment>(
		targets.map(({ key, record }) => ({
			key: `c${key}`,
			method: 'crm.timeline.comment.list',
			params: {
				filter: { ENTITY_ID: record.id, ENTITY_TYPE: record.type },
				select: ['ID', 'COMMENT'],
			},
		})),
		'read the timeline comments',
	);
	const todo = targets.filter(
		({ key, mark }) => !hasMarker(lists.get(`c${key}`) ?? [], mark.address),
	);
	const field = flagField?.trim();
	const commands: Command[] = todo.flatMap(({ key, mark, record }) => [
		{
			key: `a${key}`,
			method: 'crm.timeline.comment.add',
			params: {
				fields: { ENTITY_ID: record.id, ENTITY_TYPE: record.type, COMMENT: commentText(mark) },
			},
		},
		...(field
			? [
					{
						key: `u${key}`,
						method: `crm.${ENTITY[record.type]}.update`,
						params: {
							id: record.id,
							fields: { [field]: 'Y' },
							params: { REGISTER_SONET_EVENT: 'N' },
						},
					},
				]
			: []),
	]);
	if (commands.length) await client.all(commands, 'mark the address undeliverable');
	const changed = new Set(todo.map((t) => t.key));
	return marks.map((mark, m) =>
		mark.records.map((record, r) => ({
			type: record.type,
			id: record.id,
			name: record.name,
			changed: changed.has(`${m}_${r}`),
		})),
	);
}
