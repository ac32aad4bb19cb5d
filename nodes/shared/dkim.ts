// The headers a DKIM signature of this package covers: nodemailer's default list (lib/dkim/sign.js
// `defaultFieldNames`) plus List-Unsubscribe-Post, which RFC 8058 one-click unsubscribe needs signed (Gmail and
// Yahoo offer one-click only when the signature covers both List-Unsubscribe headers). One list for every signer.

/** nodemailer 8's default DKIM header field list, copied from lib/dkim/sign.js. */
export const NODEMAILER_DEFAULT_DKIM_FIELDS =
	'From:Sender:Reply-To:Subject:Date:Message-ID:To:' +
	'Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-ID:' +
	'Content-Description:Resent-Date:Resent-From:Resent-Sender:' +
	'Resent-To:Resent-Cc:Resent-Message-ID:In-Reply-To:References:' +
	'List-Id:List-Help:List-Unsubscribe:List-Subscribe:List-Post:' +
	'List-Owner:List-Archive';

export const DKIM_HEADER_FIELD_NAMES = `${NODEMAILER_DEFAULT_DKIM_FIELDS}:List-Unsubscribe-Post`;

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
