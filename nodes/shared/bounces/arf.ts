// RFC 5965 Abuse Reporting Format: a mailbox provider's feedback loop telling that a recipient marked the
// message as spam (or fraud, virus, not-spam ...).
import type { ParsedMail } from 'mailparser';
import { fieldBlocks, typedValue } from './fields';
import type { ComplaintEvent, OriginalMessage } from './types';

/** The feedback-report part's text, or undefined. */
export function feedbackReportOf(parsed: ParsedMail): string | undefined {
	const part = parsed.attachments.find((a) =>
		/^message\/feedback-report$/i.test(a.contentType ?? ''),
	);
	return part?.content?.toString('utf8');
}

export function complaintEvents(reportText: string, original: OriginalMessage): ComplaintEvent[] {
	const all = fieldBlocks(reportText).flatMap((b) => b.all);
	const first = (name: string) => all.find(([n]) => n === name)?.[1] ?? '';
	const rcpts = all
		.filter(([n]) => n === 'original-rcpt-to' || n === 'removal-recipient')
		.map(([, v]) => typedValue(v).toLowerCase());
	const recipients = rcpts.length ? [...new Set(rcpts)] : original.to.slice(0, 1);
	const arrival = first('arrival-date') || first('received-date');
	const arrivalDate =
		arrival && !Number.isNaN(Date.parse(arrival)) ? new Date(arrival).toISOString() : null;
	return (recipients.length ? recipients : ['']).map((recipient) => ({
		event: 'complaint',
		feedbackType: first('feedback-type').toLowerCase() || 'other',
		recipient,
		userAgent: first('user-agent'),
		reportingMta: typedValue(first('reporting-mta')),
		sourceIp: first('source-ip'),
		arrivalDate,
		original,
	}));
}
