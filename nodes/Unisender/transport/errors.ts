// Unisender error answers (HTTP 200 with `error` and `code`) turned into messages a no-code admin can act
// on. Plain module: the node wraps these into NodeApiError / NodeOperationError.
import type { DescribedFailure, Describable } from '../../shared/failure';
import { decodeHtml } from './form';

export type ErrorKind =
	| 'invalid_api_key'
	| 'access_denied'
	| 'invalid_arg'
	| 'not_enough_money'
	| 'no_confirmation_letter'
	| 'contact_not_found'
	| 'rate_limit'
	| 'retry_later'
	| 'unknown_method'
	| 'http'
	| 'unspecified';

export class UnisenderError extends Error implements Describable {
	constructor(
		message: string,
		readonly kind: ErrorKind,
		/** What the user should do. */
		readonly description: string,
		/** Unisender's `code` (or `http_<status>` for transport failures). */
		readonly code: string,
		/** Unisender's own message, decoded. */
		readonly serverMessage: string,
		readonly method: string,
		/** For invalid_arg: the argument Unisender named. */
		readonly field?: string,
		readonly retryable = false,
	) {
		super(message);
		this.name = 'UnisenderError';
	}

	describe(): DescribedFailure {
		const status = /^http_(\d{3})$/.exec(this.code)?.[1];
		return {
			message: this.message,
			description: this.description,
			service: true,
			httpCode: status ? Number(status) : undefined,
			response: { code: this.code, message: this.serverMessage || this.message },
		};
	}
}

export const RATE_LIMIT_CODES = [
	'api_call_limit_exceeded_for_api_key',
	'api_call_limit_exceeded_for_ip',
];

/** Names the n8n parameter a Unisender argument comes from, so the message points at the right field. */
const FIELD_LABELS: Record<string, string> = {
	list_ids: 'Lists',
	'fields[email]': 'Email',
	'fields[phone]': 'Phone',
	email: 'Email',
	phone: 'Phone',
	fields: 'Fields',
	tags: 'Tags',
	double_optin: 'Double Opt-In',
	overwrite: 'Overwrite Mode',
	title: 'List Name',
	contact: 'Contact',
	contact_type: 'Contact Type',
	field_names: 'Fields (column names)',
	data: 'Contacts (rows)',
	condition: 'Condition',
};

/** Finds which argument an invalid_arg message is about: the quoted or bare name of an argument we sent. */
export function fieldFromMessage(message: string, sent: string[]): string | undefined {
	const names = new Set<string>();
	for (const k of sent) {
		names.add(k);
		const base = k.replace(/\[.*$/, '');
		names.add(base);
	}
	// Longest first so `fields[email]` wins over `fields`.
	const sorted = [...names].sort((a, b) => b.length - a.length);
	const quoted = /["'«]([A-Za-z_][\w[\]]*)["'»]/g;
	for (const m of message.matchAll(quoted)) if (names.has(m[1])) return m[1];
	for (const n of sorted)
		if (new RegExp(`(^|[^\\w])${n.replace(/[[\]]/g, '\\$&')}([^\\w]|$)`).test(message)) return n;
	return undefined;
}

export function labelOf(field: string): string {
	return (
		FIELD_LABELS[field] ?? (field.startsWith('fields[') ? `field "${field.slice(7, -1)}"` : field)
	);
}

/** Maps an error answer of `method` to a clear UnisenderError. */
export function errorFromAnswer(
	method: string,
	answer: { error?: unknown; code?: unknown },
	sentKeys: string[] = [],
): UnisenderError {
	const server = decodeHtml(String(answer.error ?? '')).trim();
	const code = String(answer.code ?? 'unspecified');
	const make = (
		message: string,
		kind: ErrorKind,
		description: string,
		field?: string,
		retryable = false,
	) => new UnisenderError(message, kind, description, code, server, method, field, retryable);

	switch (code) {
		case 'invalid_api_key':
			return make(
				'Unisender rejected the API key',
				'invalid_api_key',
				'Open the "Unisender API" credential and paste the key again from Unisender > Settings > Integrations and API. Check that the Base URL belongs to the same service (api.unisender.com for Unisender, api.selzy.com for Selzy).',
			);
		case 'access_denied':
			return make(
				`Unisender denied access to "${method}"`,
				'access_denied',
				'Enable API access in the Unisender account (Settings > Integrations and API), or use the key of a user who has rights for this action. Unisender says: ' +
					server,
			);
		case 'invalid_arg': {
			const field = fieldFromMessage(server, sentKeys);
			const what = field ? `the value of "${labelOf(field)}" (${field})` : 'a parameter value';
			return make(
				`Unisender rejected ${what}: ${server}`,
				'invalid_arg',
				field
					? `Correct "${labelOf(field)}" in the node and run it again.`
					: "Check the values of the node parameters against Unisender's message and run it again.",
				field,
			);
		}
		case 'not_enough_money':
			return make(
				'The Unisender account balance is too low for this action',
				'not_enough_money',
				'Top up the balance or change the tariff in Unisender, then run the workflow again. Nothing was changed by this call.',
			);
		case 'unknown_method':
			return make(
				`Unisender does not know the method "${method}"`,
				'unknown_method',
				'Check the Base URL of the credential: it must be the Unisender or Selzy API (e.g. https://api.unisender.com), without /ru/api at the end.',
			);
		case 'retry_later':
			return make(
				'Unisender is temporarily unable to process the request',
				'retry_later',
				'Run the workflow again in a few minutes.',
				undefined,
				true,
			);
		default:
			break;
	}
	if (RATE_LIMIT_CODES.includes(code)) {
		return make(
			`Unisender's rate limit was exceeded (${code})`,
			'rate_limit',
			'The node already paces itself and retried with back-off. Another workflow or app is probably using the same API key or IP: spread the runs out, or use Import for large batches.',
			undefined,
			true,
		);
	}
	const noLetter = /has no confirmation letter/i.exec(server);
	if (noLetter) {
		const ids = /ids?\s*=\s*"?([\d,\s]+)"?/i.exec(server)?.[1]?.trim();
		return make(
			`The list${ids ? ` ${ids}` : ''} has no confirmation (double opt-in) email`,
			'no_confirmation_letter',
			'Set "Double Opt-In" to "Consent Already Obtained (3)" if the contact already agreed, or create the confirmation email for the first chosen list in Unisender (list settings > subscription form).',
		);
	}
	const notFound = /Contact\s+"([^"]*)"\s+not found/i.exec(server);
	if (notFound) {
		const removing = method === 'exclude' || method === 'unsubscribe';
		return make(
			`Contact "${notFound[1]}" was not found${removing ? ' in the given lists' : ''}`,
			'contact_not_found',
			removing
				? 'Nothing was removed. Check the address or phone and the chosen lists; the contact may already have been excluded.'
				: 'Check the address; the contact may not have been added to Unisender yet.',
		);
	}
	return make(
		`Unisender error: ${server || code}`,
		'unspecified',
		"Read Unisender's message above; fix the input or the account setting it names and run again.",
	);
}

/** A transport failure (no answer, HTTP 5xx ...): retryable unless the status says otherwise. */
export function httpError(
	method: string,
	status: number | undefined,
	detail: string,
	retry?: boolean,
): UnisenderError {
	const retryable =
		retry ?? (status === undefined || status >= 500 || status === 429 || status === 408);
	const message = status
		? `Unisender answered HTTP ${status} to "${method}"`
		: `Could not reach Unisender for "${method}": ${detail}`;
	return new UnisenderError(
		message,
		'http',
		retryable
			? 'The service or the network is having trouble; the node retried. Run the workflow again later.'
			: 'Check the Base URL of the "Unisender API" credential (e.g. https://api.unisender.com).',
		status ? `http_${status}` : 'network',
		detail,
		method,
		undefined,
		retryable,
	);
}

/** A call that must not be repeated lost its answer: Unisender may or may not have done it. */
export function unknownOutcome(method: string, cause: UnisenderError): UnisenderError {
	const what: Record<string, string> = {
		createList: 'created the list',
		subscribe: 'added the contact (and sent a confirmation letter, if the list asks for one)',
	};
	return new UnisenderError(
		`Unisender may have ${what[method] ?? `done "${method}"`}: its answer was lost (${cause.message})`,
		'http',
		`The node did not repeat the call, so that nothing is done twice. Look in Unisender whether it happened before running the workflow again.`,
		cause.code,
		cause.serverMessage,
		method,
		undefined,
		false,
	);
}
