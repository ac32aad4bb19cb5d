// Bounces that are not RFC 3464 reports: the plain-text (or HTML) notices of qmail, Exim, Sendmail, old
// Postfix, Exchange, Gmail, Yandex, Mail.ru and the like. The layouts differ, the parts do not: a sentence
// saying the message was not delivered, the failed addresses, and below each the remote server's words.
import { classifyFailure, reasonFromText, smtpCodeIn, statusIn } from './reasons';
import type { BounceEvent, OriginalMessage } from './types';

/** Sentences that say a message was not (yet) delivered, English and Russian. */
const NOT_DELIVERED =
	/(could ?n[o']t|could not|can ?n[o']t|cannot|wasn'?t|was not|were not|unable to|not able to) (be )?(deliver|reach|reached)|wasn't able to deliver|(undeliverable|undelivered)|delivery (to the following recipients? )?(has )?failed|failed (to deliver|recipient)|permanent (fatal )?errors?|fatal (delivery )?errors?|unsuccessful delivery|following address(es)? (failed|had)|did not reach|not yet been delivered|delivery (is )?delayed|has been delayed|temporary problem delivering|delivery incomplete|message not delivered|не (удалось|может быть|было|был|будет) (доставлен|доставить)|недоставлен|не доставлен|доставка .{0,80}(не удалась|невозможна|задерживается)|доставка не выполнена|ошибк[аи] доставки|не удалось отправить|доставить не удалось/i;

/** Sentences of a report that is still being retried. */
const STILL_TRYING =
	/not yet been delivered|has been delayed|delivery (is )?delayed|delivery incomplete|temporary problem delivering|will (retry|keep trying|try again|continue (to )?try)|still (being )?retried|still trying|задерживается|будут продолжены|попытки доставки продолжаются|ещё не доставлено|еще не доставлено|пока не доставлено/i;

/** Mailboxes that write reports, never the failed recipient. */
const SYSTEM_LOCAL =
	/^(mailer[-_]?daemon|mail[-_]?daemon|postmaster|mdaemon|abuse|noreply|no-reply)$/i;

const ADDRESS = /[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}/gi;

export interface PlainTextInput {
	/** The report's human-readable text, without the pasted copy of the original. */
	text: string;
	/** X-Failed-Recipients (Exim and others): the failed addresses, said outright. */
	failedRecipients: string[];
	/** Addresses that are not the failed recipient: the report's sender and its addressee. */
	notRecipients: string[];
	reportingMta: string;
	original: OriginalMessage;
}

/** Whether a text says a message was not delivered. */
export function saysNotDelivered(text: string): boolean {
	return NOT_DELIVERED.test(text);
}

/** The failed addresses, in order of first mention. */
function recipientsIn(input: PlainTextInput): string[] {
	const skip = new Set(input.notRecipients.map((a) => a.toLowerCase()));
	const found = input.failedRecipients.length
		? input.failedRecipients
		: (input.text.match(ADDRESS) ?? []);
	const out: string[] = [];
	for (const raw of found) {
		const address = raw.trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
		if (!address.includes('@') || skip.has(address) || out.includes(address)) continue;
		if (SYSTEM_LOCAL.test(address.slice(0, address.lastIndexOf('@')))) continue;
		out.push(address);
	}
	return out;
}

/** The text about one recipient: from its first mention to the first mention of the next one. */
function segmentOf(text: string, recipient: string, all: string[]): string {
	const lower = text.toLowerCase();
	const start = lower.indexOf(recipient);
	if (start < 0) return '';
	let end = text.length;
	for (const other of all) {
		if (other === recipient) continue;
		const at = lower.indexOf(other, start + recipient.length);
		if (at >= 0 && at < end && lower.indexOf(other) > start) end = at;
	}
	return text.slice(start, Math.min(end, start + 2000));
}

/** The remote server's words: the line with an SMTP code or status, else the line after the address. */
function diagnosticLine(segment: string): string {
	const lines = segment
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter(Boolean);
	const coded = lines.find((l) => statusIn(l) || smtpCodeIn(l));
	const said = coded ?? lines.find((l, i) => i > 0 && reasonFromText(l)) ?? lines[1] ?? '';
	return said.replace(/\s+/g, ' ').slice(0, 500);
}

function remoteMtaIn(segment: string): string {
	const m =
		/(?:host|while talking to|server|mx)\s+\[?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\]?/i.exec(segment) ??
		/(\d{1,3}(?:\.\d{1,3}){3}) does not like recipient/i.exec(segment);
	return m?.[1]?.replace(/\.$/, '') ?? '';
}

export function plainTextEvents(input: PlainTextInput): BounceEvent[] {
	const { text } = input;
	if (!saysNotDelivered(text) && !input.failedRecipients.length) return [];
	const recipients = recipientsIn(input);
	const delayed = STILL_TRYING.test(text);
	return recipients.map((recipient) => {
		const segment = segmentOf(text, recipient, recipients);
		const diagnosticCode = diagnosticLine(segment);
		// the segment says why, or the report says it once for all (Gmail's "Address not found" heading)
		const words = reasonFromText(segment) || statusIn(segment) ? segment : text;
		const { status, reason, kind } = classifyFailure(words, statusIn(words), delayed);
		return {
			event: 'bounce',
			recipient,
			action: delayed ? 'delayed' : 'failed',
			status,
			kind,
			reason,
			diagnosticCode,
			remoteMta: remoteMtaIn(segment),
			reportingMta: input.reportingMta,
			original: input.original,
		};
	});
}
