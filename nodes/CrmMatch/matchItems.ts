// Match / Match & Create / Link Email over ALL items of an execution: one batched lookup, then per-item
// results. Plain module (no n8n imports) so the benchmark and unit tests drive it directly.
import type { CrmBackend, CrmRecord, EmailLinkInput, Option } from './transport/types';
import type { EmailInput } from './email';
import type { AddressMatch, MatchOptions, RecordRef } from './match';
import { linkTargets, lookupRequest, matchParticipant, participants } from './match';
import type { Creation, RulesConfig } from './rules';
import { planCreations } from './rules';

export interface ItemResult {
	participants: AddressMatch[];
	primary: AddressMatch['primary'];
	created: Array<RecordRef & { rule: Creation['rule']; address: string; created: boolean }>;
	skipped?: string;
	linkTargets: RecordRef[];
}

export async function matchEmails(
	backend: CrmBackend,
	emails: EmailInput[],
	opts: MatchOptions,
): Promise<ItemResult[]> {
	const lists = emails.map((e) => participants(e, opts));
	const lookup = await backend.lookup(lookupRequest(lists, opts));
	return lists.map((list) => {
		const matched = list.map((p) => matchParticipant(p, lookup, opts));
		const counterpart = matched.find((m) => m.roles.includes('from')) ?? matched[0];
		return {
			participants: matched,
			primary: counterpart?.primary ?? null,
			created: [],
			linkTargets: linkTargets(matched),
		};
	});
}

/**
 * Match, then create what the rules ask for. `onItemError` receives per-item failures (Continue On Fail);
 * without it they throw. Creations with the same key in one execution reuse the first one's record.
 */
export async function matchAndCreate(
	backend: CrmBackend,
	emails: EmailInput[],
	opts: MatchOptions,
	rules: RulesConfig,
	onItemError?: (index: number, error: Error) => void,
): Promise<Array<ItemResult | undefined>> {
	const results: Array<ItemResult | undefined> = await matchEmails(backend, emails, opts);
	const made = new Map<string, Promise<{ record: CrmRecord; created: boolean }>>();
	let users: Promise<Option[]> | undefined;
	const userFor = async (address: string) => {
		users ??= backend.listUsers().catch(() => []);
		const list = await users;
		return list.find((u) => (u.email ?? u.value).toLowerCase() === address.toLowerCase())?.value;
	};
	for (let i = 0; i < emails.length; i++) {
		const result = results[i]!;
		try {
			const plan = planCreations(emails[i], result.participants, rules);
			result.skipped = plan.skipped;
			for (const c of plan.creations) {
				const input = { ...c.input };
				delete (input as Record<string, unknown>).ownerFromSender;
				if (c.ownerFromSender) input.ownerId = await userFor(c.ownerFromSender);
				let pending = made.get(c.dedupeKey);
				const first = !pending;
				if (!pending) {
					pending = backend.create(c.entity, input, c.dedupeKey);
					made.set(c.dedupeKey, pending);
				}
				const { record, created } = await pending;
				result.created.push({
					type: record.type,
					id: record.id,
					name: record.name,
					rule: c.rule,
					address: c.address,
					created: created && first,
				});
				if (!result.linkTargets.some((t) => t.type === record.type && t.id === record.id))
					result.linkTargets.push({ type: record.type, id: record.id, name: record.name });
			}
		} catch (e) {
			if (!onItemError) throw e;
			onItemError(i, e as Error);
			results[i] = undefined;
		}
	}
	return results;
}

/** Records each email on its targets; idempotent by Message-ID (a second run creates nothing). */
export async function linkEmails(
	backend: CrmBackend,
	emails: EmailInput[],
	targets: RecordRef[][],
) {
	const inputs: EmailLinkInput[] = emails.map((e, i) => ({
		messageId: e.messageId,
		subject: e.subject,
		direction: e.direction,
		from: e.from[0]?.address ?? '',
		to: e.to.map((a) => a.address),
		cc: e.cc.map((a) => a.address),
		date: e.date,
		text: e.text,
		targets: targets[i].map((t) => ({ type: t.type, id: t.id })),
	}));
	return await backend.linkEmails(inputs);
}
