// The three creation rules. Pure: given an email and its matches, which records to create. Never for
// automated mail, never for an address that matched anything (the Deal rule needs a match by definition,
// and then only when the matched contact / company has no open deal yet).
import type { EntityType, RecordInput } from './transport/types';
import type { EmailInput } from './email';
import type { AddressMatch } from './match';

/** `owner` is a user id / email, or one of these placeholders. */
export const OWNER_SENDER = '__sender';
export const OWNER_MATCHED = '__matchedOwner';

/**
 * Rule 1's record type on amoCRM / Kommo: the email becomes ONE entry of the account's Incoming leads (unsorted)
 * instead of a contact + lead; a manager accepts or declines it there. The backend gets it as a lead whose
 * `extra[INCOMING_LEAD_EXTRA]` carries what the entry needs beyond a record (transport/amocrm/incomingLeads.ts).
 */
export const INCOMING_LEAD = 'unsorted';
export const INCOMING_LEAD_EXTRA = 'incomingLead';
export interface IncomingLeadRequest {
	/** The email's Message-ID: the entry's `source_uid`, so the same email never makes two entries. */
	messageId: string;
	/** When the email was sent (ISO), the entry's `form_sent_at`. */
	sentAt?: string;
}

export type RuleEntity = EntityType | typeof INCOMING_LEAD;

export interface Rule {
	enabled: boolean;
	entity: RuleEntity;
	source: string;
	owner: string;
}

export interface RulesConfig {
	incomingUnknown: Rule;
	outgoingUnknown: Rule;
	incomingKnown: Rule;
	dealStage: string;
	dealAmount: number;
}

export interface Creation {
	rule: 'incomingUnknown' | 'outgoingUnknown' | 'incomingKnown';
	entity: EntityType;
	input: RecordInput;
	/** Same key = same record, across items and racing executions. */
	dedupeKey: string;
	address: string;
	/** Owner still to resolve: the sender's address (to a CRM user) when the rule said "the sender". */
	ownerFromSender?: string;
}

/** Local parts of senders nobody answers: no-reply, bounces, mailer-daemon, postmaster. */
const NO_REPLY =
	/(^|[._+-])(no-?reply|do-?not-?reply|donotreply|bounces?|mailer-daemon|postmaster)([._+-]|$)/i;

/** Why an email is automated (no record is created for it), or undefined. */
export function automatedReason(email: EmailInput): string | undefined {
	const h = email.headers;
	const auto = (h['auto-submitted'] ?? '').trim().toLowerCase();
	if (auto && auto !== 'no') return `Auto-Submitted: ${auto}`;
	const precedence = (h.precedence ?? '').trim().toLowerCase();
	if (['bulk', 'list', 'junk', 'auto_reply'].includes(precedence))
		return `Precedence: ${precedence}`;
	if (h['list-id']) return 'List-Id header (mailing list)';
	if (h['list-unsubscribe']) return 'List-Unsubscribe header (bulk mail)';
	if (h['x-autoreply'] || h['x-autorespond']) return 'auto-reply header';
	const sender = email.from[0]?.address ?? '';
	if (email.direction === 'incoming' && (!sender || NO_REPLY.test(sender.split('@')[0])))
		return sender ? `no-reply sender ${sender}` : 'no sender address';
	return undefined;
}

function splitName(name: string): { firstName?: string; lastName?: string } {
	const parts = name.trim().split(/\s+/).filter(Boolean);
	if (!parts.length) return {};
	if (parts.length === 1) return { lastName: parts[0] };
	return { firstName: parts.slice(0, -1).join(' '), lastName: parts[parts.length - 1] };
}

function owner(
	rule: Rule,
	senderAddress: string,
	matchedOwner?: string,
): { ownerId?: string; ownerFromSender?: string } {
	if (rule.owner === OWNER_SENDER) return { ownerFromSender: senderAddress };
	if (rule.owner === OWNER_MATCHED) return { ownerId: matchedOwner || undefined };
	return { ownerId: rule.owner || undefined };
}

/** Only rule 1 offers the incoming lead; elsewhere it is a lead. */
const recordEntity = (r: Rule): EntityType => (r.entity === INCOMING_LEAD ? 'lead' : r.entity);

/** Rule 1 as an incoming lead: named after the subject, its contact the sender; one per sender while pending. */
function incomingLeadCreation(
	email: EmailInput,
	from: AddressMatch,
	r: Rule,
	dealStage: string,
	sender: string,
): Creation {
	const request: IncomingLeadRequest = { messageId: email.messageId, sentAt: email.date };
	return {
		rule: 'incomingUnknown',
		entity: 'lead',
		input: {
			...splitName(from.name),
			name: email.subject.trim() || '(no subject)',
			email: from.address,
			source: r.source || undefined,
			// the pipeline whose Incoming leads get the entry: the Deal Stage's (`<pipeline>:<status>`)
			stage: dealStage || undefined,
			extra: { [INCOMING_LEAD_EXTRA]: request },
			...owner(r, sender),
		},
		dedupeKey: `${INCOMING_LEAD}:${from.address}`,
		address: from.address,
		...owner(r, from.address),
	};
}

function personInput(
	entity: EntityType,
	rule: Rule,
	name: string,
	address: string,
	subject: string,
): RecordInput {
	const person = splitName(name);
	const title = subject.trim() || '(no subject)';
	if (entity === 'lead')
		return {
			...person,
			name: `${title} (${name || address})`,
			email: address,
			source: rule.source || undefined,
		};
	if (entity === 'company')
		return { name: name || address, email: address, source: rule.source || undefined };
	if (entity === 'deal') return { name: title, source: rule.source || undefined };
	return { ...person, name: name || address, email: address, source: rule.source || undefined };
}

export function planCreations(
	email: EmailInput,
	matches: AddressMatch[],
	rules: RulesConfig,
): { creations: Creation[]; skipped?: string } {
	const reason = automatedReason(email);
	if (reason) return { creations: [], skipped: reason };
	const creations: Creation[] = [];
	const sender = email.from[0]?.address ?? '';
	if (email.direction === 'incoming') {
		const from =
			matches.find((m) => m.roles.includes('from')) ??
			matches.find((m) => m.roles.includes('replyTo'));
		if (!from)
			return { creations, skipped: 'the sender is one of the own addresses or internal domains' };
		if (!from.matches.length && rules.incomingUnknown.enabled) {
			const r = rules.incomingUnknown;
			const entity = recordEntity(r);
			creations.push(
				r.entity === INCOMING_LEAD
					? incomingLeadCreation(email, from, r, rules.dealStage, sender)
					: {
							rule: 'incomingUnknown',
							entity,
							input: {
								...personInput(entity, r, from.name, from.address, email.subject),
								...owner(r, sender),
							},
							dedupeKey: `${entity}:${from.address}`,
							address: from.address,
							...owner(r, from.address),
						},
			);
		}
		const p = from.primary;
		if (
			p &&
			rules.incomingKnown.enabled &&
			(p.type === 'contact' || p.type === 'company') &&
			!p.openDeals.length
		) {
			const r = rules.incomingKnown;
			const entity = recordEntity(r);
			const contactId = p.type === 'contact' ? p.id : undefined;
			const companyId = p.type === 'company' ? p.id : p.company?.id;
			const input: RecordInput = {
				...personInput(entity, r, from.name, from.address, email.subject),
				...owner(r, sender, p.ownerId),
			};
			if (entity === 'deal')
				Object.assign(input, {
					contactId,
					companyId,
					stage: rules.dealStage || undefined,
					amount: rules.dealAmount,
				});
			creations.push({
				rule: 'incomingKnown',
				entity,
				input,
				dedupeKey:
					entity === 'deal'
						? `deal:${contactId ? `contact:${contactId}` : `company:${companyId}`}`
						: `${entity}:${from.address}`,
				address: from.address,
				...owner(r, from.address, p.ownerId),
			});
		}
	} else if (rules.outgoingUnknown.enabled) {
		const r = rules.outgoingUnknown;
		const entity = recordEntity(r);
		for (const m of matches) {
			if (!(m.roles.includes('to') || m.roles.includes('cc')) || m.matches.length) continue;
			creations.push({
				rule: 'outgoingUnknown',
				entity,
				input: { ...personInput(entity, r, m.name, m.address, email.subject) },
				dedupeKey: `${entity}:${m.address}`,
				address: m.address,
				...owner(r, sender),
			});
		}
	}
	return { creations };
}
