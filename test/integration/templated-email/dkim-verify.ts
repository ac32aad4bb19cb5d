// An independent DKIM verifier (RFC 6376, rsa-sha256, relaxed/relaxed), written from the RFC for tests: it does
// not use nodemailer's signer code, so a signature that verifies here would verify at a receiving server.
import { createHash, createPublicKey, verify } from 'node:crypto';

interface Header {
	name: string;
	raw: string; // the full header field, folded, without the final CRLF
}

function splitMessage(raw: Buffer): { headers: Header[]; body: string } {
	const text = raw.toString('binary');
	const end = text.indexOf('\r\n\r\n');
	const head = end === -1 ? text : text.slice(0, end);
	const body = end === -1 ? '' : text.slice(end + 4);
	const headers: Header[] = [];
	for (const line of head.split('\r\n')) {
		if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].raw += `\r\n${line}`;
		else headers.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
	}
	return { headers, body };
}

/** §3.4.2 relaxed header canonicalization. */
function relaxedHeader(h: Header): string {
	const colon = h.raw.indexOf(':');
	const value = h.raw
		.slice(colon + 1)
		.replace(/\r\n(?=[ \t])/g, '')
		.replace(/[ \t]+/g, ' ')
		.trim();
	return `${h.name}:${value}`;
}

/** §3.4.4 relaxed body canonicalization. */
function relaxedBody(body: string): string {
	const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
	while (lines.length && lines[lines.length - 1] === '') lines.pop();
	return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

export interface DkimResult {
	ok: boolean;
	reason?: string;
	domain?: string;
	selector?: string;
	signedHeaders?: string[];
}

/** Verifies the first DKIM-Signature of `raw` with the PEM public key of its selector. */
export function verifyDkim(raw: Buffer, publicKeyPem: string): DkimResult {
	const { headers, body } = splitMessage(raw);
	const sigHeader = headers.find((h) => h.name === 'dkim-signature');
	if (!sigHeader) return { ok: false, reason: 'no DKIM-Signature header' };
	const tags = new Map<string, string>();
	for (const part of sigHeader.raw.slice(sigHeader.raw.indexOf(':') + 1).split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0) tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ''));
	}
	if (tags.get('a') !== 'rsa-sha256') return { ok: false, reason: `algorithm ${tags.get('a')}` };
	if ((tags.get('c') ?? 'simple/simple') !== 'relaxed/relaxed')
		return { ok: false, reason: `canonicalization ${tags.get('c')}` };
	const bodyHash = createHash('sha256').update(relaxedBody(body), 'binary').digest('base64');
	if (bodyHash !== tags.get('bh')) return { ok: false, reason: 'body hash mismatch' };
	const signed = (tags.get('h') ?? '').split(':').map((n) => n.trim().toLowerCase());
	const used = new Set<Header>();
	let data = '';
	for (const name of signed) {
		// §5.4.2: instances are taken from the bottom up; a name with no instance left contributes nothing
		const h = [...headers]
			.reverse()
			.find((x) => x.name === name && !used.has(x) && x !== sigHeader);
		if (!h) continue;
		used.add(h);
		data += `${relaxedHeader(h)}\r\n`;
	}
	data += relaxedHeader({
		name: 'dkim-signature',
		raw: sigHeader.raw.replace(/(\bb=)[^;]*/, '$1'),
	});
	const ok = verify(
		'sha256',
		Buffer.from(data, 'binary'),
		createPublicKey(publicKeyPem),
		Buffer.from(tags.get('b') ?? '', 'base64'),
	);
	return {
		ok,
		reason: ok ? undefined : 'signature mismatch',
		domain: tags.get('d'),
		selector: tags.get('s'),
		signedHeaders: signed,
	};
}
