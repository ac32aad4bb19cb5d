// The addresses and custom headers of one item, checked: a bad one fails the item with what to do.
import type { IDataObject } from 'n8n-workflow';
import type { EmailAddress } from '../../../shared/addresses';
import { parseAddresses } from '../../../shared/addresses';
import { CheckFailure } from '../../../shared/failure';
import type { OutgoingMessage } from '../../message/build';

/** A check of an item that failed (an address, a setting): the message and what to do. */
export class ItemError extends CheckFailure {}

export interface Recipients {
	to: EmailAddress[];
	cc: EmailAddress[];
	bcc: EmailAddress[];
	headers: OutgoingMessage['headers'];
}

export function addresses(
	value: unknown,
	field: string,
	item: number,
	required = false,
): EmailAddress[] {
	const { addresses: list, invalid } = parseAddresses(value);
	if (invalid.length)
		throw new ItemError(
			`${field} has an invalid address in item ${item}: ${invalid.join(', ')}`,
			`Use addresses like ann@example.com or "Ann Lee <ann@example.com>", separated by commas.`,
		);
	if (required && list.length === 0)
		throw new ItemError(
			`${field} is empty in item ${item}`,
			'Give at least one recipient, e.g. {{ $json.contact.email }}.',
		);
	return list;
}

/** The entries of a fixed collection (`{ header: [...] }`), or none. */
export function fixedList<T>(value: unknown, key: string): T[] {
	return (((value ?? {}) as IDataObject)[key] as T[] | undefined) ?? [];
}

/** Headers of the MIME structure: replacing one would make the message unreadable or change its parts. */
const STRUCTURAL_HEADERS = new Set([
	'content-type',
	'content-transfer-encoding',
	'mime-version',
	'content-disposition',
	'content-id',
]);

export function customHeaders(value: unknown, item: number): OutgoingMessage['headers'] {
	const headers: OutgoingMessage['headers'] = [];
	for (const h of fixedList<{ name: string; value: string }>(value, 'header')) {
		if (!/^[\x21-\x39\x3b-\x7e]+$/.test(h.name ?? '') || /[\r\n]/.test(String(h.value ?? ''))) {
			throw new ItemError(
				`Custom header "${h.name}" is not valid (item ${item})`,
				'A header name is printable ASCII without spaces or ":"; a value is one line.',
			);
		}
		if (STRUCTURAL_HEADERS.has(h.name.toLowerCase())) {
			throw new ItemError(
				`Custom header "${h.name}" cannot be set (item ${item}): it describes how the message is built`,
				'The node writes the MIME structure itself (parts, encodings, attachments). Remove this header from "Custom Headers"; to change the content use the HTML, text and attachment fields.',
			);
		}
		headers.push({ key: h.name, value: String(h.value ?? '') });
	}
	return headers;
}
