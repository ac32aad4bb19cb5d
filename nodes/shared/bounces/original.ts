// The message that bounced, as a report quotes it: an attached message/rfc822 (or RFC 6532 message/global),
// attached headers (text/rfc822-headers, message/global-headers), or a copy pasted below a marker line in
// plain-text bounces.
import type { Attachment, ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { addressList } from '../addresses';
import { NO_ORIGINAL, type OriginalMessage } from './types';

const ATTACHED = /^(message\/(rfc822|global|global-headers)|text\/rfc822-headers)$/i;

/** Lines after which plain-text bounces paste the original (qmail, Exim, Mail.ru, Sendmail, Exchange, Russian). */
const COPY_MARKER =
	/^.*(below this line is a copy of the message|enclosed are the original headers|this is a copy of the message|original message (headers|follows)|-+ ?original message ?-+|unsent message below|original message header|returned message|копия (исходного )?(сообщения|письма)|заголовки (исходного )?(сообщения|письма)|исходное (сообщение|письмо)).*$/im;

/** The attached original (or its headers), or undefined. */
export function attachedOriginal(parsed: ParsedMail): Attachment | undefined {
	return parsed.attachments.find((a) => ATTACHED.test(a.contentType ?? ''));
}

/** Where the pasted copy of the original starts in a plain-text report, or -1. */
export function copyStart(text: string): number {
	const m = COPY_MARKER.exec(text);
	return m ? m.index : -1;
}

/** The header block of a pasted copy: the first run of "Name: value" lines after the marker. */
function pastedHeaders(text: string): string {
	const at = copyStart(text);
	if (at < 0) return '';
	const out: string[] = [];
	for (const line of text.slice(at).split(/\r?\n/).slice(1)) {
		if (/^[\w-]+:/.test(line) || (out.length && /^[ \t]+\S/.test(line))) out.push(line.trimEnd());
		else if (out.length) break;
	}
	return out.join('\r\n');
}

function headerBlock(content: Buffer): Buffer {
	const crlf = content.indexOf('\r\n\r\n');
	const lf = content.indexOf('\n\n');
	const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
	return end >= 0 ? content.subarray(0, end) : content;
}

/** The header block of the original as the report quotes it (attached or pasted); empty when it quotes none. */
export function originalHeaderBlock(parsed: ParsedMail, text: string): Buffer {
	const attached = attachedOriginal(parsed);
	return attached?.content ? headerBlock(attached.content) : Buffer.from(pastedHeaders(text));
}

/** Message-ID, subject, To and date of the original, decoded by mailparser (encoded words, charsets). */
export async function originalOf(parsed: ParsedMail, text: string): Promise<OriginalMessage> {
	const raw = originalHeaderBlock(parsed, text);
	if (!raw.length) return { ...NO_ORIGINAL };
	const headers = await simpleParser(Buffer.concat([raw, Buffer.from('\r\n\r\n')]), {
		skipHtmlToText: true,
		skipTextToHtml: true,
		skipImageLinks: true,
	});
	const dateLine = headers.headerLines.find((l) => l.key === 'date')?.line;
	const date = dateLine ? new Date(dateLine.slice(dateLine.indexOf(':') + 1).trim()) : undefined;
	return {
		messageId: headers.messageId ?? '',
		subject: headers.subject ?? '',
		to: addressList(headers.to).map((a) => a.address),
		date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
	};
}
