// Link Email on EspoCRM: an archived Email record whose parent (parentType / parentId) is the first target.
// EspoCRM shows it in the History of every other record whose address is in from / to / cc, so one parent
// is enough (an Email has only one).
//
// Idempotency by Message-ID (decision): EspoCRM's `messageId` is read-only through the API, so it is set
// only on mail EspoCRM imported itself. We therefore search in one batched request both
// - Emails with `messageId in [...]` (EspoCRM already has the mail: we set its parent if it has none), and
// - Emails with the same subject (and date when known) whose body carries our `[Message-ID: <...>]` line
//   (mail we archived before).
// Parallel runs that both created a copy: the oldest copy wins and a run deletes its own losing copy.
import type { EmailLinkInput, EmailLinkResult } from '../types';
import type { Attrs, EspoClient, Where } from './client';
import { ENTITY, espoDateTime } from './mapping';
import { inClauses, oldest } from './where';

const SELECT = [
	'id',
	'name',
	'messageId',
	'dateSent',
	'parentType',
	'parentId',
	'body',
	'createdAt',
];

export const marker = (messageId: string) => `[Message-ID: ${messageId}]`;

function subjectOf(e: EmailLinkInput): string {
	return e.subject.trim() || '(no subject)';
}

function candidates(emails: EmailLinkInput[]): Where[] {
	const clauses: Where[] = inClauses(
		'messageId',
		emails.map((e) => e.messageId),
	);
	const seen = new Set<string>();
	for (const e of emails) {
		const dateSent = espoDateTime(e.date);
		const key = `${subjectOf(e)}\n${dateSent ?? ''}`;
		if (seen.has(key)) continue;
		seen.add(key);
		const name: Where = { type: 'equals', attribute: 'name', value: subjectOf(e) };
		clauses.push(
			dateSent
				? { type: 'and', value: [name, { type: 'equals', attribute: 'dateSent', value: dateSent }] }
				: name,
		);
	}
	return clauses;
}

/** Existing copies per Message-ID, oldest first. */
async function existing(
	client: EspoClient,
	emails: EmailLinkInput[],
): Promise<Map<string, Attrs[]>> {
	const found = await client.search('Email', candidates(emails), SELECT);
	const out = new Map<string, Attrs[]>();
	for (const e of emails) {
		const copies = found.filter(
			(f) => f.messageId === e.messageId || String(f.body ?? '').includes(marker(e.messageId)),
		);
		if (copies.length)
			out.set(
				e.messageId,
				copies.sort((a, b) => (oldest([a, b]) === a ? -1 : 1)),
			);
	}
	return out;
}

function toEmail(e: EmailLinkInput): Record<string, unknown> {
	const parent = e.targets[0];
	const data: Record<string, unknown> = {
		status: 'Archived',
		name: subjectOf(e),
		from: e.from,
		to: e.to.join(';'),
		isHtml: false,
		body: `${e.text ?? ''}\n\n${marker(e.messageId)}`.trimStart(),
		parentType: ENTITY[parent.type],
		parentId: parent.id,
	};
	if (e.cc.length) data.cc = e.cc.join(';');
	const dateSent = espoDateTime(e.date);
	if (dateSent) data.dateSent = dateSent;
	if (e.ownerId) data.assignedUserId = e.ownerId;
	return data;
}

export async function linkEmails(
	client: EspoClient,
	emails: EmailLinkInput[],
): Promise<EmailLinkResult[]> {
	const todo = emails.filter((e) => e.targets.length && e.messageId);
	const before = todo.length ? await existing(client, todo) : new Map<string, Attrs[]>();
	const made = new Map<string, Attrs>();
	for (const e of todo) {
		if (made.has(e.messageId)) continue; // the same mail twice in one execution
		const copies = before.get(e.messageId);
		if (!copies) {
			made.set(e.messageId, await client.create('Email', toEmail(e)));
			continue;
		}
		const first = copies[0];
		if (!first.parentId) {
			// EspoCRM imported this mail itself but found no parent: attach it.
			const parent = e.targets[0];
			await client.update('Email', first.id, {
				parentType: ENTITY[parent.type],
				parentId: parent.id,
			});
		}
	}
	let after = before;
	if (made.size) {
		after = await existing(client, todo);
		for (const [messageId, mine] of made) {
			const winner = after.get(messageId)?.[0];
			if (winner && winner.id !== mine.id) {
				await client.remove('Email', mine.id);
				made.delete(messageId);
			}
		}
	}
	return emails.map((e) => {
		const id = made.get(e.messageId)?.id ?? after.get(e.messageId)?.[0]?.id ?? '';
		return { links: e.targets.map((t) => ({ ...t, linkId: id, created: made.has(e.messageId) })) };
	});
}
