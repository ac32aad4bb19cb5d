// RFC 3464 delivery status notifications (and RFC 6533's message/global-delivery-status): one event per
// recipient whose Action is failed or delayed. Delivered / relayed / expanded recipients are success
// notices, not bounces.
import type { ParsedMail } from 'mailparser';
import { fieldBlocks, typedValue } from './fields';
import { classifyFailure, reasonFromText } from './reasons';
import type { BounceEvent, DsnAction, OriginalMessage } from './types';

const STATUS_PART = /^message\/(global-)?delivery-status$/i;
const ACTIONS: DsnAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];

/** The delivery-status part's text, or undefined when the message has none. */
export function deliveryStatusOf(parsed: ParsedMail): string | undefined {
	const part = parsed.attachments.find((a) => STATUS_PART.test(a.contentType ?? ''));
	return part?.content?.toString('utf8');
}

export function dsnEvents(
	statusText: string,
	humanText: string,
	original: OriginalMessage,
): BounceEvent[] {
	const [perMessage, ...perRecipient] = fieldBlocks(statusText);
	if (!perMessage) return [];
	// a report without a per-message block still has recipients: then the first block is one
	const blocks = perMessage.fields.has('reporting-mta')
		? perRecipient
		: [perMessage, ...perRecipient];
	const reportingMta = typedValue(perMessage.fields.get('reporting-mta'));
	const events: BounceEvent[] = [];
	for (const { fields } of blocks) {
		const action = (fields.get('action') ?? '').toLowerCase().split(/[\s(]/)[0] as DsnAction;
		if (!ACTIONS.includes(action) || (action !== 'failed' && action !== 'delayed')) continue;
		const recipient = typedValue(fields.get('final-recipient') ?? fields.get('original-recipient'));
		if (!recipient) continue;
		const diagnosticCode = typedValue(fields.get('diagnostic-code'));
		const declared = /[245]\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
		// the words of the diagnostic; a report that gives none may say why in its human-readable part
		const words =
			diagnosticCode && reasonFromText(diagnosticCode)
				? diagnosticCode
				: `${diagnosticCode}\n${blocks.length === 1 ? humanText : ''}`;
		const delayed = action === 'delayed';
		const { status, reason, kind } = classifyFailure(words, declared, delayed);
		events.push({
			event: 'bounce',
			recipient: recipient.toLowerCase(),
			action,
			status,
			kind,
			reason,
			diagnosticCode,
			remoteMta: typedValue(fields.get('remote-mta')),
			reportingMta,
			original,
		});
	}
	return events;
}
