// Bitrix24's error answers (`{ error, error_description }` with an HTTP status; inside `batch` per command in
// `result_error`) turned into errors that say what to do. Codes: the REST documentation's system errors table
// (apidocs.bitrix24.com, "Errors") and the CRM methods' own 400 answers.
import { CrmError } from '../types';

export interface Bitrix24Failure {
	error: string;
	error_description?: string;
}

/** Answers worth a pause and a repeat: the portal's request bucket or a method's operating time is full. */
export const RETRYABLE = new Set([
	'QUERY_LIMIT_EXCEEDED',
	'OPERATION_TIME_LIMIT',
	'OVERLOAD_LIMIT',
]);

const HINTS: Record<string, { message: string; hint: string }> = {
	NO_AUTH_FOUND: {
		message: 'Bitrix24 does not know this webhook',
		hint: 'Copy the inbound webhook URL again from Developer resources > Other > Inbound webhook (https://<portal>/rest/<user>/<code>/); a deleted or expired webhook must be recreated.',
	},
	INVALID_CREDENTIALS: {
		message: 'Bitrix24 refused the webhook credentials',
		hint: 'The user who created the webhook may be fired or deactivated: create the webhook again as an active user.',
	},
	insufficient_scope: {
		message: 'The Bitrix24 webhook lacks a permission',
		hint: 'Edit the inbound webhook in Bitrix24 and tick the "CRM (crm)" permission (and "Users (user)" for the Responsible lists), then save.',
	},
	ACCESS_DENIED: {
		message: 'Bitrix24 denied access',
		hint: 'The REST API needs a commercial plan, and the webhook user needs CRM access rights (Settings > CRM > Access permissions) to leads, contacts, companies and deals.',
	},
	user_access_error: {
		message: 'The webhook user has no access to this application',
		hint: 'Give the user who created the webhook access to the CRM, or create the webhook as a user who has it.',
	},
	ERROR_METHOD_NOT_FOUND: {
		message: 'Bitrix24 does not know a method the node calls',
		hint: 'Check that the URL is an inbound webhook URL ending in /rest/<user>/<code>/ and that the portal has the CRM enabled (on-premise: the module "crm" installed).',
	},
	QUERY_LIMIT_EXCEEDED: {
		message: 'The Bitrix24 portal is over its request limit',
		hint: 'Other applications use the same portal heavily; the node paused and retried. Run the workflow later, or lower how often it runs.',
	},
	OPERATION_TIME_LIMIT: {
		message: 'A Bitrix24 method used up its operating time for the next minutes',
		hint: 'Bitrix24 limits the time a method may run per 10 minutes; run the workflow later or with fewer items per execution.',
	},
	OVERLOAD_LIMIT: {
		message: 'The Bitrix24 REST API of this portal is blocked for overload',
		hint: 'Wait until Bitrix24 lifts the block (see its notification in the portal), then run again.',
	},
	PORTAL_DELETED: {
		message: 'The Bitrix24 portal is deleted',
		hint: 'Check the portal address in the webhook URL.',
	},
	METHOD_CONFIRM_WAITING: {
		message: 'A Bitrix24 administrator has to confirm this method',
		hint: 'Ask the portal administrator to allow the method in the notification Bitrix24 sent them.',
	},
	METHOD_CONFIRM_DENIED: {
		message: 'A Bitrix24 administrator denied this method',
		hint: 'Ask the portal administrator to allow it for the webhook.',
	},
	ERROR_BATCH_LENGTH_EXCEEDED: {
		message: 'Too many commands in one Bitrix24 batch',
		hint: 'This is a fault of the node: please report it.',
	},
};

/** The error of one failed call: the CRM's own words, and what to do. */
export function bitrix24Error(what: string, status: number, failure: Bitrix24Failure): CrmError {
	const own = [failure.error, failure.error_description].filter(Boolean).join(': ');
	const known = HINTS[failure.error];
	if (known)
		return new CrmError(`${known.message} (${what}, ${status}): ${own}`, known.hint, status);
	if (/access denied/i.test(failure.error_description ?? ''))
		return new CrmError(
			`Bitrix24 denied ${what} (${status}): ${own}`,
			'Give the user who created the webhook the CRM access rights this needs (Settings > CRM > Access permissions).',
			status,
		);
	if (/not found/i.test(failure.error_description ?? ''))
		return new CrmError(
			`Bitrix24 found no such record (${what}, ${status}): ${own}`,
			'Check the record ID.',
			status,
		);
	return new CrmError(
		`Bitrix24 could not ${what} (${status})${own ? `: ${own}` : ''}`,
		'Check the values sent (Bitrix24 names the field in its message).',
		status,
	);
}

/** Reads `{ error, error_description }` from any answer body (a proxy's HTML page gives none). */
export function failureOf(body: unknown): Bitrix24Failure | undefined {
	const b = body as Partial<Bitrix24Failure> | undefined;
	return b && typeof b === 'object' && typeof b.error === 'string'
		? { error: b.error, error_description: b.error_description }
		: undefined;
}
