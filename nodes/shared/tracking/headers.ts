// List-Unsubscribe (RFC 2369) and one-click unsubscribe (RFC 8058). Gmail and Yahoo offer one-click
// only when a DKIM signature covers BOTH headers; nodemailer's default DKIM header list
// (lib/dkim/sign.js `defaultFieldNames`) includes List-Unsubscribe but not List-Unsubscribe-Post,
// so DKIM options must carry an explicit `headerFieldNames`.

/** nodemailer 8's default DKIM header field list, copied from lib/dkim/sign.js. */
export const NODEMAILER_DEFAULT_DKIM_FIELDS =
	'From:Sender:Reply-To:Subject:Date:Message-ID:To:' +
	'Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-ID:' +
	'Content-Description:Resent-Date:Resent-From:Resent-Sender:' +
	'Resent-To:Resent-Cc:Resent-Message-ID:In-Reply-To:References:' +
	'List-Id:List-Help:List-Unsubscribe:List-Subscribe:List-Post:' +
	'List-Owner:List-Archive';

export const DKIM_HEADER_FIELD_NAMES = `${NODEMAILER_DEFAULT_DKIM_FIELDS}:List-Unsubscribe-Post`;

export const ONE_CLICK_VALUE = 'List-Unsubscribe=One-Click';

/**
 * The two headers. `url` must be the https unsubscribe URL (RFC 8058 requires an HTTPS URI for one-click;
 * with an http URL only List-Unsubscribe is set). A `mailto` address is added for clients that only
 * honour mailto (older Outlook.com).
 */
export function listUnsubscribeHeaders(url: string, mailto?: string): Record<string, string> {
	const targets = [`<${url}>`];
	if (mailto) targets.push(`<mailto:${mailto.replace(/^mailto:/i, '')}?subject=unsubscribe>`);
	const headers: Record<string, string> = { 'List-Unsubscribe': targets.join(', ') };
	if (/^https:\/\//i.test(url)) headers['List-Unsubscribe-Post'] = ONE_CLICK_VALUE;
	return headers;
}

/** DKIM options for nodemailer with List-Unsubscribe-Post added to the signed headers. */
export function withUnsubscribeDkimHeaders<T extends { headerFieldNames?: string }>(dkim: T): T {
	const current = dkim.headerFieldNames || NODEMAILER_DEFAULT_DKIM_FIELDS;
	const names = current.split(':').map((n) => n.trim().toLowerCase());
	const add = ['list-unsubscribe', 'list-unsubscribe-post'].filter((n) => !names.includes(n));
	const extra = add.map((n) =>
		n === 'list-unsubscribe' ? 'List-Unsubscribe' : 'List-Unsubscribe-Post',
	);
	return { ...dkim, headerFieldNames: [current, ...extra].join(':') };
}
