// List-Unsubscribe headers and the DKIM header list: signing a real message with nodemailer's DKIM signer
// shows that both unsubscribe headers end up in h= only with our header list.
import { generateKeyPairSync } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import DKIM from 'nodemailer/lib/dkim';
import { DKIM_HEADER_FIELD_NAMES, withUnsubscribeDkimHeaders } from '../../../nodes/shared/dkim';
import { listUnsubscribeHeaders } from '../../../nodes/shared/tracking/headers';

const URL_ = 'https://t.example/webhook/et/unsubscribe?t=abc.def';

describe('listUnsubscribeHeaders', () => {
	it('gives the https URL and the RFC 8058 one-click header', () => {
		expect(listUnsubscribeHeaders(URL_)).toEqual({
			'List-Unsubscribe': `<${URL_}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		});
	});
	it('adds a mailto alternative when asked', () => {
		expect(listUnsubscribeHeaders(URL_, 'unsub@example.com')['List-Unsubscribe']).toBe(
			`<${URL_}>, <mailto:unsub@example.com?subject=unsubscribe>`,
		);
	});
	it('offers no one-click for a plain http URL (RFC 8058 requires https)', () => {
		expect(
			listUnsubscribeHeaders('http://localhost:5678/webhook/et/unsubscribe?t=x'),
		).not.toHaveProperty('List-Unsubscribe-Post');
	});
});

describe('DKIM header list', () => {
	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
	const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

	async function signedHeaderNames(headerFieldNames?: string): Promise<string[]> {
		const raw = await new Promise<Buffer>((resolve, reject) =>
			new MailComposer({
				from: 'a@example.com',
				to: 'b@example.com',
				subject: 'x',
				text: 'y',
				headers: listUnsubscribeHeaders(URL_),
			})
				.compile()
				.build((e, m) => (e ? reject(e) : resolve(m))),
		);
		const signer = new DKIM({
			domainName: 'example.com',
			keySelector: 's1',
			privateKey: pem,
			...(headerFieldNames ? { headerFieldNames } : {}),
		});
		const chunks: Buffer[] = [];
		for await (const c of signer.sign(raw)) chunks.push(c as Buffer);
		const signed = Buffer.concat(chunks).toString();
		const header = signed.slice(0, signed.indexOf('\r\n\r\n')).replace(/\r\n\s+/g, ' ');
		const h = /DKIM-Signature:.*?\bh=([^;]+);/i.exec(header)![1];
		return h.replace(/\s+/g, '').toLowerCase().split(':');
	}

	it("nodemailer's default list leaves List-Unsubscribe-Post unsigned (the trap)", async () => {
		const names = await signedHeaderNames();
		expect(names).toContain('list-unsubscribe');
		expect(names).not.toContain('list-unsubscribe-post');
	});

	it('our list signs both unsubscribe headers', async () => {
		const names = await signedHeaderNames(DKIM_HEADER_FIELD_NAMES);
		expect(names).toEqual(
			expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject']),
		);
		expect(
			await signedHeaderNames(
				withUnsubscribeDkimHeaders({ headerFieldNames: 'From:Subject' }).headerFieldNames,
			),
		).toEqual(
			expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']),
		);
	});
});
