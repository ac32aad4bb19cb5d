// Link Email on Bitrix24: an e-mail activity (crm.activity.add, TYPE_ID 4) on the first target's timeline,
// bound to the other targets (crm.activity.binding.add).
//
// Why crm.activity.add (decision): the documentation marks it deprecated in favour of crm.activity.todo.add,
// but a to-do is a scheduled task, not an e-mail, and its e-mail tutorial names no replacement for recording
// a mail; configurable activities need an application context, not a webhook; a timeline comment has no
// external id and shows as a note, not as a mail. An e-mail activity shows as a mail, keeps the direction
// and the addresses (COMMUNICATIONS), and carries ORIGINATOR_ID / ORIGIN_ID, the external-id fields the
// core itself looks activities up by. Never DIRECTION 2 with COMPLETED Y in one add: that SENDS the mail;
// an outgoing mail is added open and then completed with crm.activity.update, which never sends.
//
// Idempotency: ORIGINATOR_ID = our tag, ORIGIN_ID = the Message-ID (a hash when longer than 100 characters);
// one batch of crm.activity.list by them before adding, and after adding: the oldest (lowest ID) wins, a
// run whose copy lost deletes it.
import { createHash } from 'node:crypto';
import type { EmailLinkInput, EmailLinkResult } from '../types';
import type { Bitrix24Client, Command } from './client';
import { bitrix24Error } from './errors';
import { TYPE_ID } from './mapping';

export const ORIGINATOR = 'n8n-crm-mail';

interface Activity {
	ID: string;
	OWNER_TYPE_ID?: string;
	OWNER_ID?: string;
}

export function originId(messageId: string): string {
	return messageId.length <= 100
		? messageId
		: `sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}

function bitrixDate(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function fieldsOf(e: EmailLinkInput): Record<string, unknown> {
	const owner = e.targets[0];
	const counterpart = e.direction === 'incoming' ? [e.from] : [...e.to, ...e.cc];
	const when = bitrixDate(e.date);
	return {
		OWNER_TYPE_ID: TYPE_ID[owner.type],
		OWNER_ID: owner.id,
		TYPE_ID: 4,
		DIRECTION: e.direction === 'incoming' ? 1 : 2,
		SUBJECT: e.subject.trim() || '(no subject)',
		DESCRIPTION: e.text ?? '',
		DESCRIPTION_TYPE: 1,
		// an outgoing mail is completed afterwards: DIRECTION 2 + COMPLETED Y in one add sends it
		COMPLETED: e.direction === 'incoming' ? 'Y' : 'N',
		...(when ? { START_TIME: when, END_TIME: when } : {}),
		...(e.ownerId ? { RESPONSIBLE_ID: e.ownerId } : {}),
		ORIGINATOR_ID: ORIGINATOR,
		ORIGIN_ID: originId(e.messageId),
		COMMUNICATIONS: counterpart.filter(Boolean).map((VALUE) => ({ VALUE, TYPE: 'EMAIL' })),
	};
}

async function existing(client: Bitrix24Client, keys: string[]): Promise<Map<string, Activity[]>> {
	const commands: Command[] = keys.map((k, n) => ({
		key: `a${n}`,
		method: 'crm.activity.list',
		params: {
			filter: { ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: k },
			select: ['ID', 'OWNER_TYPE_ID', 'OWNER_ID'],
			order: { ID: 'ASC' },
		},
	}));
	const lists = await client.lists<Activity>(commands, 'look for recorded e-mails');
	const out = new Map<string, Activity[]>();
	keys.forEach((k, n) => {
		const found = (lists.get(`a${n}`) ?? []).sort((a, b) => Number(a.ID) - Number(b.ID));
		if (found.length) out.set(k, found);
	});
	return out;
}

export async function linkEmails(
	client: Bitrix24Client,
	emails: EmailLinkInput[],
): Promise<EmailLinkResult[]> {
	const todo = emails.filter((e) => e.targets.length && e.messageId);
	const keys = [...new Set(todo.map((e) => originId(e.messageId)))];
	const before = keys.length ? await existing(client, keys) : new Map<string, Activity[]>();
	const toAdd = new Map<string, EmailLinkInput>();
	for (const e of todo) {
		const k = originId(e.messageId);
		if (!before.has(k) && !toAdd.has(k)) toAdd.set(k, e);
	}
	const made = new Map<string, string>();
	if (toAdd.size) {
		const adds = [...toAdd.entries()];
		const answer = await client.batch(
			adds.map(([, e], n) => ({
				key: `n${n}`,
				method: 'crm.activity.add',
				params: { fields: fieldsOf(e) },
			})),
			'record e-mails',
		);
		adds.forEach(([k], n) => {
			const id = answer.result.get(`n${n}`);
			if (id !== undefined) made.set(k, String(id));
		});
		const failed = [...answer.error.values()][0];
		if (failed) throw bitrix24Error('record the e-mail', 400, failed);
		const complete: Command[] = adds
			.filter(([k, e]) => e.direction === 'outgoing' && made.has(k))
			.map(([k], n) => ({
				key: `c${n}`,
				method: 'crm.activity.update',
				params: { id: made.get(k), fields: { COMPLETED: 'Y' } },
			}));
		if (complete.length) await client.all(complete, 'complete recorded e-mails');
	}
	let after = before;
	if (made.size) {
		after = await existing(client, keys);
		const losers: Command[] = [];
		for (const [k, id] of made) {
			const winner = after.get(k)?.[0];
			if (winner && winner.ID !== id) {
				losers.push({ key: `d${losers.length}`, method: 'crm.activity.delete', params: { id } });
				made.delete(k);
			}
		}
		if (losers.length) await client.all(losers, 'delete duplicate e-mail activities');
	}
	// the other targets: bind the activity to them (once; crm.activity.binding.list says what is bound)
	const withMore = todo.filter((e) => e.targets.length > 1 && after.get(originId(e.messageId)));
	if (withMore.length) {
		const ids = [...new Set(withMore.map((e) => after.get(originId(e.messageId))![0].ID))];
		const bound = await client.lists<{ entityTypeId: number; entityId: number }>(
			ids.map((id) => ({
				key: `b${id}`,
				method: 'crm.activity.binding.list',
				params: { activityId: id },
			})),
			'read e-mail bindings',
		);
		const adds: Command[] = [];
		const queued = new Set<string>();
		for (const e of withMore) {
			const id = after.get(originId(e.messageId))![0].ID;
			for (const t of e.targets) {
				const tag = `${id}:${TYPE_ID[t.type]}:${t.id}`;
				const has = (bound.get(`b${id}`) ?? []).some(
					(b) => Number(b.entityTypeId) === TYPE_ID[t.type] && String(b.entityId) === t.id,
				);
				if (has || queued.has(tag)) continue;
				queued.add(tag);
				adds.push({
					key: `l${adds.length}`,
					method: 'crm.activity.binding.add',
					params: { activityId: id, entityTypeId: TYPE_ID[t.type], entityId: t.id },
				});
			}
		}
		if (adds.length) await client.all(adds, 'bind e-mails to records');
	}
	return emails.map((e) => {
		const k = originId(e.messageId);
		const id = made.get(k) ?? after.get(k)?.[0]?.ID ?? '';
		return { links: e.targets.map((t) => ({ ...t, linkId: id, created: made.has(k) })) };
	});
}
