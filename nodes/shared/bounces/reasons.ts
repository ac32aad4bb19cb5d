// Status, reason and kind of a failed delivery: from the remote server's words (English and Russian, the
// phrasings mail servers and providers document), else from the RFC 3463 status code.
import type { BounceKind, BounceReason } from './types';

/** Checked in this order: "mailbox size limit exceeded" is a full mailbox, not a message too large. */
const PHRASES: Array<[BounceReason, RegExp]> = [
	[
		'mailboxFull',
		/mailbox (is )?full|over ?quota|quota (exceeded|exceed)|exceeded (storage|(the )?quota)|mailbox size limit|storage (space )?(limit|allocation)|insufficient (system )?storage|inbox is full|account is full|disk quota|out of storage|mailbox has exceeded|переполнен|превышен[аоы]? (квот|лимит|размер ящика)|квота .*превышена|нет (свободного )?места|ящик заполнен/i,
	],
	[
		'tooLarge',
		/message (is )?too (large|big)|message size (exceeds|is larger)|exceeds (the )?(maximum|max)( message)? size|size limit|message length exceeds|too large|слишком (большое|большой|велик)|превышает (максимальн|допустим)|размер (письма|сообщения) превышает/i,
	],
	[
		'hostUnknown',
		/host (or domain name )?(unknown|not found)|domain (not found|does not exist|doesn't exist|unknown)|no such domain|couldn't find any host|unrouteable (mail )?(domain|address)|name service error|dns: no such domain|nxdomain|no mx (record|host)|host not found|домен (не найден|не существует)|несуществующий домен|хост не найден/i,
	],
	[
		'spamBlocked',
		/spam|black ?list|block ?list|blocked using|(?<!not )listed (on|in|at)|\brbl\b|spamhaus|bad reputation|poor reputation|unsolicited|content filter|спам|ч[её]рн(ый|ом) списк/i,
	],
	[
		'userUnknown',
		/user (is )?unknown|unknown (user|recipient|mailbox|address)|no such (user|mailbox|recipient|address)|(user|recipient|mailbox|account|address) (was )?not found|recipientnotfound|does ?n[o']t exist|no mailbox here|mailbox (is )?unavailable|mailbox not available|invalid (mailbox|recipient|address)|not a valid (mailbox|recipient)|bad destination mailbox|addressee unknown|not listed in (the )?[\w ]*directory|account (has been |is )?disabled|account (has been |is )?(deleted|closed|suspended)|address (couldn't|could not) be found|(couldn't|could not|can ?not|не удается|не удалось) (be )?найти|recipient address rejected|no longer (exists|accepts|active)|нет такого (пользователя|ящика|адреса)|(пользователь|получатель|адресат|адрес|ящик|почтовый ящик|аккаунт) (не найден|не существует|отключ|заблокирован|удал)|неизвестн(ый|ого) (получател|пользовател|адресат)|не существует/i,
	],
	[
		'expired',
		/retry time(out)? (not reached|exceeded)|delivery time expired|(too long|expired) in (the )?queue|been in the queue too long|message expired|expired after|истекл?[оа]? (время|срок)|срок (доставки )?истек/i,
	],
	[
		'policy',
		/policy|not authori[sz]ed|relay(ing)? (denied|not permitted|access denied)|access denied|\bspf\b|\bdmarc\b|\bdkim\b|not allowed|prohibited|rejected for policy|политик|запрещен/i,
	],
];

/** The reason a server's words name, or undefined when they name none. */
export function reasonFromText(text: string): BounceReason | undefined {
	if (!text) return undefined;
	// servers wrap their words anywhere ("550 No such\n    user here")
	const words = text.replace(/\s+/g, ' ');
	for (const [reason, re] of PHRASES) if (re.test(words)) return reason;
	return undefined;
}

/** RFC 3463 subjects and details: X.1.x addresses, X.2.x mailboxes, X.3.x systems, X.4.x routing, X.7.x security. */
export function reasonFromStatus(status: string): BounceReason {
	const [, subject, detail] = status.split('.').map(Number);
	if (subject === 1) return detail === 2 ? 'hostUnknown' : 'userUnknown';
	if (subject === 2) {
		if (detail === 2) return 'mailboxFull';
		if (detail === 3) return 'tooLarge';
		return detail === 1 ? 'userUnknown' : 'other';
	}
	if (subject === 3 && detail === 4) return 'tooLarge';
	if (subject === 4) {
		if (detail === 4) return 'hostUnknown';
		if (detail === 7) return 'expired';
		return 'other';
	}
	if (subject === 7) return detail === 1 ? 'spamBlocked' : 'policy';
	return 'other';
}

const STATUS_OF: Record<BounceReason, string> = {
	userUnknown: '1.1',
	mailboxFull: '2.2',
	hostUnknown: '1.2',
	spamBlocked: '7.1',
	policy: '7.1',
	tooLarge: '3.4',
	expired: '4.7',
	other: '0.0',
};

/** The first RFC 3463 status in a text (`5.1.1`, `#5.1.1`, `550-5.1.1`). */
export function statusIn(text: string): string | undefined {
	return /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(text)?.[1];
}

/** The first SMTP reply code in a text (`550`, `452-`). */
export function smtpCodeIn(text: string): string | undefined {
	return /(?:^|[\s(:;"'<>])([245][0-5]\d)(?=[\s-]|$)/m.exec(text)?.[1];
}

/** A status for a report that names none: the SMTP code's class, else permanent (temporary for delays). */
export function statusFor(
	reason: BounceReason,
	smtpCode: string | undefined,
	delayed: boolean,
): string {
	const cls = delayed ? '4' : (smtpCode?.[0] ?? (reason === 'expired' ? '4' : '5'));
	return `${cls === '2' ? '5' : cls}.${STATUS_OF[reason]}`;
}

/** Hard only when the address itself is dead; a permanent failure for any other reason is soft. */
export function kindOf(status: string, reason: BounceReason, delayed: boolean): BounceKind {
	if (delayed) return 'delay';
	if (status.startsWith('5') && (reason === 'userUnknown' || reason === 'hostUnknown'))
		return 'hard';
	return 'soft';
}

/** Reason from the words first (they are more specific: "550 5.7.1 No such user"), else from the status. */
export function classifyFailure(
	words: string,
	status: string | undefined,
	delayed: boolean,
): { status: string; reason: BounceReason; kind: BounceKind } {
	const found = status ?? statusIn(words);
	let reason = reasonFromText(words) ?? (found ? reasonFromStatus(found) : 'other');
	// a server that gave up after temporary failures (4.x.x, action failed): the message expired
	if (reason === 'other' && !delayed && (found ?? smtpCodeIn(words))?.startsWith('4'))
		reason = 'expired';
	const finalStatus =
		found && found !== '5.0.0' && found !== '4.0.0'
			? found
			: statusFor(reason, found?.[0] ?? smtpCodeIn(words), delayed);
	return { status: finalStatus, reason, kind: kindOf(finalStatus, reason, delayed) };
}
