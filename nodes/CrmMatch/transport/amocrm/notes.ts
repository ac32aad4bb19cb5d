// Link Email on amoCRM: a `common` note on each target (lead / contact / company) whose text ends with the
// line `Message-ID: <...>`, the marker that makes it idempotent: amoCRM keeps no external id on notes and
// `request_id` is not stored, so before adding, the target's common notes are listed and scanned (one list
// per target, concurrently). After adding, the list is read again: the oldest note with the marker wins and
// a run whose copy lost rewrites it to a pointer (the v4 API cannot delete notes).
// Why `common`: the mail note type (amomail_message) is read-only in the API; a common note shows the text
// in the record's feed as it is.
import type { EmailLinkInput, EmailLinkResult, EntityType } from '../types';
import type { AmoCrmClient } from './client';
import { PATH } from './mapping';

interface Note {
	id: number;
	note_type?: string;
	params?: { text?: string };
}

const TEXT_MAX = 4000;

export const marker = (messageId: string): string => `Message-ID: ${messageId}`;

function hasMarker(n: Note, messageId: string): boolean {
	return (n.params?.text ?? '').split('\n').some((line) => line.trim() === marker(messageId));
}

export function noteText(e: EmailLinkInput): string {
	const head = [
		`E-mail ${e.direction === 'incoming' ? 'received' : 'sent'}: ${e.subject.trim() || '(no subject)'}`,
		`From: ${e.from}`,
		`To: ${[...e.to, ...e.cc].join(', ')}`,
		...(e.date ? [`Date: ${e.date}`] : []),
	].join('\n');
	const body = (e.text ?? '').trim();
	const room = TEXT_MAX - head.length - marker(e.messageId).length - 10;
	const text = body.length > room ? `${body.slice(0, Math.max(0, room - 1))}…` : body;
	return `${head}\n\n${text ? `${text}\n\n` : ''}${marker(e.messageId)}`;
}

const targetKey = (t: { type: EntityType; id: string }) => `${PATH[t.type]}/${t.id}`;

async function notesOf(client: AmoCrmClient, keys: string[]): Promise<Map<string, Note[]>> {
	const lists = await Promise.all(
		keys.map(
			async (k) =>
				[
					k,
					(
						await client.list<Note>(
							`${k}/notes`,
							'notes',
							[['filter[note_type][]', 'common']],
							'look for recorded e-mails',
						)
					).sort((a, b) => a.id - b.id),
				] as const,
		),
	);
	return new Map(lists);
}

export async function linkEmails(
	client: AmoCrmClient,
	emails: EmailLinkInput[],
): Promise<EmailLinkResult[]> {
	const todo = emails.filter((e) => e.targets.length && e.messageId);
	const keys = [...new Set(todo.flatMap((e) => e.targets.map(targetKey)))];
	const before = await notesOf(client, keys);
	// one note per (target, Message-ID), whatever the number of items naming it
	const toAdd = new Map<string, { key: string; email: EmailLinkInput }>();
	for (const e of todo)
		for (const t of e.targets) {
			const key = targetKey(t);
			const tag = `${key} ${e.messageId}`;
			if (!before.get(key)!.some((n) => hasMarker(n, e.messageId)) && !toAdd.has(tag))
				toAdd.set(tag, { key, email: e });
		}
	const made = new Map<string, number>();
	await Promise.all(
		[...toAdd].map(async ([tag, { key, email }]) => {
			const body = await client.request<{ _embedded?: { notes?: Note[] } }>(
				'POST',
				`${key}/notes`,
				'record the e-mail',
				[{ note_type: 'common', params: { text: noteText(email) } }],
			);
			const id = body?._embedded?.notes?.[0]?.id;
			if (id) made.set(tag, id);
		}),
	);
	let after = before;
	if (made.size) {
		after = await notesOf(client, [...new Set([...toAdd.values()].map((a) => a.key))]);
		for (const k of before.keys()) if (!after.has(k)) after.set(k, before.get(k)!);
		await Promise.all(
			[...made].map(async ([tag, id]) => {
				const { key, email } = toAdd.get(tag)!;
				const winner = after.get(key)!.find((n) => hasMarker(n, email.messageId));
				if (!winner || winner.id === id) return;
				made.delete(tag);
				const entity = key.split('/')[1];
				await client.request('PATCH', `/${entity}/notes/${id}`, 'mark a duplicate note', {
					note_type: 'common',
					params: { text: `(duplicate of note ${winner.id}, recorded by a parallel run)` },
				});
				after.set(
					key,
					after.get(key)!.filter((n) => n.id !== id),
				);
			}),
		);
	}
	return emails.map((e) => ({
		links: e.targets.map((t) => {
			const key = targetKey(t);
			const tag = `${key} ${e.messageId}`;
			const found = after.get(key)?.find((n) => hasMarker(n, e.messageId));
			return { ...t, linkId: String(made.get(tag) ?? found?.id ?? ''), created: made.has(tag) };
		}),
	}));
}
