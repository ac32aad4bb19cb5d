// n8n glue of the send: reads parameters per item, renders, builds the raw message once, sends it through ONE
// pooled transport (a window of messages in flight), copies it to Sent, and maps errors per item.
import { failureJson, toNodeError } from '../shared/errors';
import type { DescribedFailure, Describable } from '../shared/failure';
import { readPath } from '../shared/itemPath';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { EmailAddress } from '../shared/addresses';
import { formatAddress, parseAddresses } from '../shared/addresses';
import { imapSettingsFromCredentials } from '../shared/imap/connection';
import type { OutgoingAttachment, OutgoingMessage } from './message/build';
import { buildRawMessage, envelopeOf, newMessageId, threadingFor } from './message/build';
import type { MessageDecorator } from './message/decorators';
import { applyDecorators, contextFor } from './message/decorators';
import { MissingVariableError, TemplateSyntaxError } from './render/handlebars';
import type { RenderSettings } from './render/email';
import { emailRenderer } from './render/email';
import { PooledSender } from './transport/sender';
import { SentCopyError, SentFolderAppender } from './transport/sentCopy';
import type { SmtpSettings } from './transport/settings';
import { isAllowedSender, smtpSettingsFromCredentials } from './transport/settings';
import { trackingDecorators } from './tracking';

/** Decorators for this run. Tracking (issue 6) adds its decorator here, from its own node options. */
export async function decoratorsFor(ctx: IExecuteFunctions): Promise<MessageDecorator[]> {
	return await trackingDecorators(ctx);
}

/** A check of an item that failed (an address, a setting): the message and what to do. */
class ItemError extends Error implements Describable {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}

	describe(): DescribedFailure {
		return { message: this.message, description: this.description, service: false };
	}
}

const MISSING_VARIABLE_HINT =
	'Give the item this field, use {{default name "fallback"}}, or set "Missing Variables" to "Leave Empty".';

function addresses(value: unknown, field: string, item: number, required = false): EmailAddress[] {
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

function fixedList<T>(value: unknown, key: string): T[] {
	return (((value ?? {}) as IDataObject)[key] as T[] | undefined) ?? [];
}

export async function executeSend(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const smtp = smtpSettingsFromCredentials(
		(await this.getCredentials('crmMailSmtp')) as Record<string, unknown>,
	);
	const decorators = await decoratorsFor(this);
	const results: INodeExecutionData[] = new Array(items.length);
	const renderers = new Map<string, ReturnType<typeof emailRenderer>>();
	let sender: PooledSender | undefined;
	let appender: SentFolderAppender | undefined;
	let stopError: Error | undefined;
	const inFlight = new Set<Promise<void>>();

	const fail = (i: number, error: unknown) => {
		const nodeError = toNodeError(this.getNode(), error, i, (e) =>
			e instanceof MissingVariableError
				? { message: e.message, description: MISSING_VARIABLE_HINT, service: false }
				: undefined,
		);
		if (this.continueOnFail()) {
			results[i] = { json: failureJson(nodeError), pairedItem: { item: i } };
			return;
		}
		stopError ??= nodeError;
	};

	try {
		for (let i = 0; i < items.length && !stopError; i++) {
			let prepared: { message: OutgoingMessage; mode: string; copy: boolean };
			try {
				prepared = await prepare.call(this, i, items[i], smtp, decorators, renderers);
			} catch (error) {
				if (error instanceof MissingVariableError)
					fail(i, new MissingVariableError(error.variable, `${error.part} of item ${i}`));
				else fail(i, error);
				continue;
			}
			const { message, mode } = prepared;
			if (mode === 'preview') {
				results[i] = {
					json: {
						subject: message.subject,
						html: message.html,
						text: message.text,
						from: formatAddress(message.from),
						to: message.to.map(formatAddress),
						cc: message.cc.map(formatAddress),
						bcc: message.bcc.map(formatAddress),
						messageId: message.messageId,
						...message.output,
					},
					pairedItem: { item: i },
				};
				continue;
			}
			sender ??= new PooledSender(smtp, {
				retries: this.getNodeParameter('options.retries', i, 3) as number,
				delayMs: this.getNodeParameter('options.retryDelay', i, 1000) as number,
			});
			if (prepared.copy && !appender) {
				appender = new SentFolderAppender(
					imapSettingsFromCredentials(
						(await this.getCredentials('crmMailImap')) as Record<string, unknown>,
					),
					this.getNodeParameter('sentFolder', i, '') as string,
				);
			}
			const send = sender;
			const copyTo = prepared.copy ? appender : undefined;
			const task = (async () => {
				try {
					const raw = await buildRawMessage(message, smtp.dkim);
					const result = await send.send(envelopeOf(message), raw);
					const json: IDataObject = {
						messageId: message.messageId,
						accepted: result.accepted,
						rejected: result.rejected,
						response: result.response,
						envelope: result.envelope,
						subject: message.subject,
						...(mode === 'test' ? { testMode: true } : {}),
						...(message.output as IDataObject),
					};
					if (copyTo) {
						// The email went out: a failed copy is reported on the item, never as a send failure (a rerun would send twice).
						json.copyToSent = await copyTo.append(raw).then(
							(r) => ({ folder: r.folder, uid: r.uid ?? null }),
							(e: SentCopyError) => ({ error: e.message, description: e.description }),
						);
					}
					results[i] = { json, pairedItem: { item: i } };
				} catch (error) {
					fail(i, error);
				}
			})();
			inFlight.add(task);
			void task.finally(() => inFlight.delete(task));
			// Keep the pool busy without building every message up front.
			if (inFlight.size >= smtp.poolSize * 4) await Promise.race(inFlight);
		}
		await Promise.all(inFlight);
	} finally {
		await Promise.allSettled(inFlight);
		sender?.close();
		await appender?.close();
	}
	if (stopError) throw stopError;
	return results.filter(Boolean);
}

async function prepare(
	this: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	smtp: SmtpSettings,
	decorators: MessageDecorator[],
	renderers: Map<string, ReturnType<typeof emailRenderer>>,
): Promise<{ message: OutgoingMessage; mode: string; copy: boolean }> {
	const mode = this.getNodeParameter('mode', i) as string;
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const fromValue = this.getNodeParameter('from', i, '') as string;
	const from = fromValue ? addresses(fromValue, 'From', i)[0] : smtp.defaultSender;
	if (!from)
		throw new ItemError(
			'The SMTP account has no sender address',
			'Set "Sender Address" in the SMTP Account credential, or choose a From.',
		);
	if (!isAllowedSender(smtp, from)) {
		throw new ItemError(
			`"${from.address}" is not an allowed sender of this SMTP account (item ${i})`,
			`Use one of: ${smtp.allowedSenders.map((a) => a.address).join(', ')}, or add it to "Allowed Sender Addresses" in the credential.`,
		);
	}
	if (!from.name && smtp.defaultSender?.address === from.address)
		from.name = smtp.defaultSender.name;
	let to = addresses(this.getNodeParameter('to', i), 'To', i, true);
	let cc = addresses(options.cc, 'CC', i);
	let bcc = addresses(options.bcc, 'BCC', i);
	const headers: OutgoingMessage['headers'] = [];
	for (const h of fixedList<{ name: string; value: string }>(options.headers, 'header')) {
		if (!/^[\x21-\x39\x3b-\x7e]+$/.test(h.name ?? '') || /[\r\n]/.test(String(h.value ?? ''))) {
			throw new ItemError(
				`Custom header "${h.name}" is not valid (item ${i})`,
				'A header name is printable ASCII without spaces or ":"; a value is one line.',
			);
		}
		headers.push({ key: h.name, value: String(h.value ?? '') });
	}
	if (mode === 'test') {
		const test = addresses(this.getNodeParameter('testAddress', i), 'Test Address', i, true);
		headers.push({
			key: 'X-Test-Original-Recipients',
			value: [...to, ...cc, ...bcc].map((a) => a.address).join(', '),
		});
		[to, cc, bcc] = [test, [], []];
	}
	const json = item.json;
	const messageId = newMessageId(from);
	const recipients = [...to, ...cc, ...bcc].map((a) => a.address);
	const decoratorInput = { itemIndex: i, json, messageId, recipients };

	const source = this.getNodeParameter('htmlSource', i, 'inline') as string;
	let html: string;
	if (source === 'field') {
		const path = this.getNodeParameter('htmlField', i) as string;
		const value = readPath(json, path);
		if (typeof value !== 'string')
			throw new ItemError(
				`Item ${i} has no template text in the field "${path}"`,
				'Check "Template Field": it must name a field holding the HTML template.',
			);
		html = value;
	} else if (source === 'binary') {
		const prop = this.getNodeParameter('htmlBinaryProperty', i) as string;
		this.helpers.assertBinaryData(i, prop);
		html = (await this.helpers.getBinaryDataBuffer(i, prop)).toString('utf8');
	} else html = this.getNodeParameter('html', i, '') as string;
	const subject = this.getNodeParameter('subject', i) as string;
	const text = this.getNodeParameter('text', i, '') as string;
	const partials: Record<string, string> = {};
	for (const p of fixedList<{ name: string; template: string }>(options.partials, 'partial'))
		if (p.name) partials[p.name] = p.template ?? '';
	if (options.signature) partials.signature = String(options.signature);
	const settings: RenderSettings = {
		timeZone: (options.timeZone as string) || this.getTimezone(),
		locale: (options.locale as string) || 'en-US',
		currency: (options.currency as string) || 'USD',
		missing: this.getNodeParameter('missingVariables', i, 'fail') as 'fail' | 'empty',
		inlineCss: options.inlineCss === true,
		autoText: options.autoText !== false,
	};
	const key = JSON.stringify([subject, html, text, partials, settings]);
	let renderer = renderers.get(key);
	if (!renderer) {
		try {
			renderer = emailRenderer({ subject, html, text, partials }, settings);
		} catch (error) {
			const description =
				'Fix the template: every {{#if}} / {{#each}} needs its closing {{/if}} / {{/each}}.';
			if (error instanceof TemplateSyntaxError)
				throw new NodeOperationError(this.getNode(), error.message, { itemIndex: i, description });
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
		renderers.set(key, renderer);
	}
	const rendered = renderer(contextFor(decorators, decoratorInput));

	const attachments: OutgoingAttachment[] = [];
	const binaryOf = async (prop: string, cid?: string) => {
		const meta = this.helpers.assertBinaryData(i, prop);
		attachments.push({
			filename: meta.fileName ?? prop,
			contentType: meta.mimeType || 'application/octet-stream',
			content: await this.helpers.getBinaryDataBuffer(i, prop),
			...(cid ? { cid } : {}),
		});
	};
	for (const prop of String(options.attachments ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean))
		await binaryOf(prop);
	for (const img of fixedList<{ binaryProperty: string; cid: string }>(
		options.inlineImages,
		'image',
	))
		await binaryOf(img.binaryProperty, img.cid || img.binaryProperty);

	const message: OutgoingMessage = {
		messageId,
		from,
		to,
		cc,
		bcc,
		replyTo: addresses(options.replyTo, 'Reply To', i),
		...rendered,
		attachments,
		...threadingFor(options.inReplyTo, options.references),
		headers,
		output: {},
	};
	await applyDecorators(decorators, message, decoratorInput);
	return {
		message,
		mode,
		copy: mode !== 'preview' && (this.getNodeParameter('copyToSent', i, false) as boolean),
	};
}
