// A minimal OAuth2 client for tests that talk to the fake directly: form POSTs with either client
// authentication method (RFC 6749 §2.3.1), the browser's part of the consent page, and PKCE pairs (RFC 7636).
import { createHash, randomBytes } from 'node:crypto';
import type { OAuth2Client } from './http';
import type { OAuth2Fake } from './server';

type Credentials = Pick<OAuth2Client, 'clientId' | 'clientSecret'>;
export type ClientAuth = { basic: Credentials } | { body: Credentials } | 'none';

/** Both parts are form-urlencoded before base64, as RFC 6749 §2.3.1 says. */
export const basicHeader = (c: Credentials): string =>
	'Basic ' +
	Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString(
		'base64',
	);

export interface FormAnswer {
	res: Response;
	status: number;
	/** The JSON body ({} when empty). */
	json: Record<string, unknown>;
}

export async function postForm(
	url: string,
	params: Record<string, string>,
	auth: ClientAuth,
): Promise<FormAnswer> {
	const body = new URLSearchParams(params);
	const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
	if (auth !== 'none' && 'basic' in auth) headers.authorization = basicHeader(auth.basic);
	if (auth !== 'none' && 'body' in auth) {
		body.set('client_id', auth.body.clientId);
		body.set('client_secret', auth.body.clientSecret);
	}
	const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
	const text = await res.text();
	return { res, status: res.status, json: text ? (JSON.parse(text) as FormAnswer['json']) : {} };
}

const ENTITIES: Record<string, string> = {
	'&amp;': '&',
	'&lt;': '<',
	'&gt;': '>',
	'&quot;': '"',
	'&#39;': "'",
	'&#96;': '`',
};
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#96);/g, (e) => ENTITIES[e]);

/** The hidden fields of the consent form, as a browser would submit them. */
export const hiddenFields = (html: string): Array<[string, string]> =>
	[...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
		([, k, v]) => [unescapeHtml(k), unescapeHtml(v)] as [string, string],
	);

/**
 * The browser's part of the code flow: GET the consent page, submit its form as `user` with a decision.
 * Returns the page and the redirect's Location.
 */
export async function consent(
	fake: OAuth2Fake,
	query: Record<string, string>,
	{ user = 'ann@test.local', decision = 'allow' } = {},
): Promise<{ html: string; location: URL }> {
	const page = await fetch(`${fake.authorizationUrl}?${new URLSearchParams(query)}`);
	const html = await page.text();
	if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html}`);
	const form = new URLSearchParams([...hiddenFields(html), ['user', user], ['decision', decision]]);
	const res = await fetch(fake.authorizationUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: form,
		redirect: 'manual',
	});
	const location = res.headers.get('location');
	if (res.status !== 302 || !location)
		throw new Error(`consent form answered ${res.status}: ${await res.text()}`);
	return { html, location: new URL(location) };
}

export function pkcePair(): { verifier: string; challenge: string } {
	const verifier = randomBytes(32).toString('base64url');
	return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
