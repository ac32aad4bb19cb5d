// amoCRM / Kommo API v4 error answers turned into errors that say what to do. Bodies are problem+json
// `{ title, type, status, detail, validation-errors? }` (developers.kommo.com, "HTTP codes"); an account
// blocked for exceeding the request limit answers a plain nginx "403 Forbidden" page.
import { CrmError } from '../types';

interface Problem {
	title?: string;
	detail?: string;
	hint?: string;
	'validation-errors'?: Array<{
		request_id?: string;
		errors?: Array<{ code?: string; path?: string; detail?: string }>;
	}>;
}

function problemOf(body: unknown): Problem | undefined {
	return body && typeof body === 'object' ? (body as Problem) : undefined;
}

/** "custom_fields_values.0.field_id: The value you selected is not a valid choice (NotSupportedChoice)". */
function validationText(p: Problem): string {
	return (p['validation-errors'] ?? [])
		.flatMap((v) => v.errors ?? [])
		.map((e) => `${e.path ?? '?'}: ${e.detail ?? ''}${e.code ? ` (${e.code})` : ''}`)
		.join('; ');
}

/** The error of one failed request: amoCRM's own words, and what to do. */
export function amoCrmError(what: string, status: number, body: unknown): CrmError {
	const p = problemOf(body);
	const own =
		[p?.title, p?.detail, p?.hint].filter(Boolean).join(': ') ||
		(typeof body === 'string'
			? body
					.replace(/<[^>]+>/g, ' ')
					.replace(/\s+/g, ' ')
					.trim()
					.slice(0, 200)
			: '');
	const say = (message: string, hint: string) =>
		new CrmError(`${message} (${what}, ${status})${own ? `: ${own}` : ''}`, hint, status);
	if (status === 401)
		return say(
			'amoCRM refused the access token: it is expired, revoked or wrong',
			'Generate a new long-lived token in amoCRM / Kommo (Settings > Integrations > your private integration > Keys and scopes) and paste it into the credential; check the subdomain and region too.',
		);
	if (status === 402)
		return say(
			'The amoCRM / Kommo account has no active subscription',
			'Pay for the account (or end its trial period properly); the API answers 402 until then.',
		);
	if (status === 403)
		return say(
			p?.title
				? 'amoCRM denied this request to the token'
				: 'amoCRM blocked the account or IP for exceeding the request limit',
			p?.title
				? 'The user of the private integration needs administrator rights (the users list and some settings are admin-only).'
				: 'amoCRM blocks an account that keeps sending more than 7 requests a second; ask amoCRM support to lift the block, then run with fewer parallel executions.',
		);
	if (status === 400 && p?.['validation-errors']?.length)
		return new CrmError(
			`amoCRM rejected a field (${what}, 400): ${validationText(p)}`,
			'Check the named field: a pipeline / stage / user ID from the dropdowns, or a value of the right type in the extra fields.',
			400,
		);
	if (status === 404 || status === 204)
		return say('amoCRM found no such record', 'Check the record ID.');
	if (status === 429)
		return say(
			'amoCRM answered "Too Many Requests" even after pausing',
			'Other integrations use the same account heavily (7 requests a second per integration); run the workflow later or with fewer parallel executions.',
		);
	if (status === 504) return say('amoCRM timed out (overloaded)', 'Run the workflow again later.');
	return say(
		`amoCRM could not ${what}`,
		'Check the values sent (amoCRM names the field in its message).',
	);
}
