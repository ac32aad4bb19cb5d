// The header-level look at a message (is it worth reading as a report?) and the "Name: value" field
// blocks of report parts (RFC 3464 delivery-status, RFC 5965 feedback-report).

/** Local parts that send delivery reports. */
const DAEMONS =
	/^(mailer[-_]?daemon|mail[-_]?daemon|postmaster|mdaemon|mail[-_]?delivery[-_]?(system|subsystem)?)$/i;

/** Subjects of delivery reports, English and Russian (Postfix, Exim, qmail, Sendmail, Exchange, Gmail, Yandex, Mail.ru). */
export const REPORT_SUBJECT =
	/undeliver|undelivered|delivery (status notification|failure|has failed|incomplete|delayed)|returned mail|mail delivery (failed|failure|system|subsystem)|failure notice|non[- ]?delivery|could not be delivered|couldn't be delivered|delivery problem|delayed mail|warning: message .* delayed|message not delivered|abuse report|complaint|feedback report|не доставлено|недоставлен|не удалось доставить|не может быть доставлено|доставка .*(не удалась|задерживается|невозможна)|ошибка доставки|возврат письма|уведомление о (доставке|состоянии доставки)/i;

function localPart(value: string): string {
	const address = /<([^<>]*)>/.exec(value)?.[1] ?? value.replace(/\(.*?\)/g, '').trim();
	const at = address.lastIndexOf('@');
	return (at >= 0 ? address.slice(0, at) : address).trim().replace(/^"|"$/g, '');
}

/**
 * Whether a message may be a delivery or feedback report, from its header block alone (lower-cased names,
 * as `headerMap` gives them). Cheap: it decides which messages are read as reports at all.
 */
export function mayBeReport(headers: Map<string, string>): boolean {
	if (/multipart\/report/i.test(headers.get('content-type') ?? '')) return true;
	if (headers.has('x-failed-recipients')) return true;
	const from = headers.get('from') ?? '';
	if (DAEMONS.test(localPart(from))) return true;
	// bounces go to the null sender; auto-replies often do too, so the subject has to agree
	return REPORT_SUBJECT.test(headers.get('subject') ?? '');
}

export type FieldBlock = Map<string, string>;

/**
 * A report part's field blocks, separated by empty lines: the per-message block first, then one per
 * recipient. Names lower-cased, folded lines joined, the first value of a name kept (`all` keeps every one).
 */
export function fieldBlocks(
	text: string,
): Array<{ fields: FieldBlock; all: Array<[string, string]> }> {
	const blocks: Array<{ fields: FieldBlock; all: Array<[string, string]> }> = [];
	for (const chunk of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
		const unfolded = chunk.replace(/\n[ \t]+/g, ' ');
		const fields: FieldBlock = new Map();
		const all: Array<[string, string]> = [];
		for (const line of unfolded.split('\n')) {
			const i = line.indexOf(':');
			if (i <= 0 || /\s/.test(line.slice(0, i).trim())) continue;
			const name = line.slice(0, i).trim().toLowerCase();
			const value = line.slice(i + 1).trim();
			all.push([name, value]);
			if (!fields.has(name)) fields.set(name, value);
		}
		if (all.length) blocks.push({ fields, all });
	}
	return blocks;
}

/** `rfc822; a@b.org` -> `a@b.org`; `dns; mx.b.org` -> `mx.b.org`; a value without a type as it is. */
export function typedValue(value: string | undefined): string {
	if (!value) return '';
	const i = value.indexOf(';');
	return (i >= 0 && /^[\w-]+$/.test(value.slice(0, i).trim()) ? value.slice(i + 1) : value)
		.trim()
		.replace(/^<(.*)>$/, '$1');
}
