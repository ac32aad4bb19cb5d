// One item's message: sender and recipients checked, templates rendered (one compiled renderer per distinct
// template and settings), attachments read, decorators (tracking) applied.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { domainOf } from '../../../shared/addresses';
import { bounceAddressProblem } from '../../../shared/bounces/verp';
import { readPath } from '../../../shared/itemPath';
import type { OutgoingAttachment, OutgoingMessage } from '../../message/build';
import { newMessageId, threadingFor } from '../../message/build';
import type { MessageDecorator } from '../../message/decorators';
import { applyDecorators, contextFor } from '../../message/decorators';
import type { RenderSettings } from '../../render/email';
import { emailRenderer } from '../../render/email';
import { TemplateSyntaxError } from '../../render/handlebars';
import type { SmtpSettings } from '../../transport/settings';
import { isAllowedSender } from '../../transport/settings';
import type { Recipients } from './recipients';
import { addresses, customHeaders, fixedList, ItemError } from './recipients';

export type Renderers = Map<string, ReturnType<typeof emailRenderer>>;

/** What the run keeps for every item: the account, the decorators and the compiled templates. */
export interface ComposeContext {
	smtp: SmtpSettings;
	decorators: MessageDecorator[];
	renderers: Renderers;
}

export async function composeMessage(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	run: ComposeContext,
	rewriteRecipients?: (ctx: IExecuteFunctions, i: number, r: Recipients) => Recipients,
): Promise<OutgoingMessage> {
	const { smtp, decorators } = run;
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const fromValue = ctx.getNodeParameter('from', i, '') as string;
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
	let recipients: Recipients = {
		to: addresses(ctx.getNodeParameter('to', i), 'To', i, true),
		cc: addresses(options.cc, 'CC', i),
		bcc: addresses(options.bcc, 'BCC', i),
		headers: customHeaders(options.headers, i),
	};
	if (rewriteRecipients) recipients = rewriteRecipients(ctx, i, recipients);
	const { to, cc, bcc, headers } = recipients;
	const json = item.json;
	const bounceProblem = smtp.bounceAddress ? bounceAddressProblem(smtp.bounceAddress) : undefined;
	if (bounceProblem)
		throw new ItemError(
			`The Bounce Address of the SMTP account is not usable: ${bounceProblem}`,
			'Correct "Bounce Address (VERP)" in the credential, or clear it to receive reports at the From address.',
		);
	// on the bounce domain, so that a VERP return address, which holds only its random part, names it whole
	const messageId = newMessageId(
		from,
		smtp.bounceAddress ? domainOf(smtp.bounceAddress) : undefined,
	);
	const decoratorInput = {
		itemIndex: i,
		json,
		messageId,
		recipients: [...to, ...cc, ...bcc].map((a) => a.address),
	};
	const rendered = renderTemplates(
		ctx,
		i,
		run.renderers,
		await templateOf(ctx, i, json),
		options,
	)(contextFor(decorators, decoratorInput));
	const attachments = await attachmentsOf(ctx, i, options);
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
		...(smtp.bounceAddress ? { envelopeFrom: smtp.bounceAddress } : {}),
		output: {},
	};
	await applyDecorators(decorators, message, decoratorInput);
	return message;
}

/** The HTML template: written in the node, or read from a field or a binary file of the item. */
async function templateOf(ctx: IExecuteFunctions, i: number, json: IDataObject): Promise<string> {
	const source = ctx.getNodeParameter('htmlSource', i, 'inline') as string;
	if (source === 'field') {
		const path = ctx.getNodeParameter('htmlField', i) as string;
		const value = readPath(json, path);
		if (typeof value !== 'string')
			throw new ItemError(
				`Item ${i} has no template text in the field "${path}"`,
				'Check "Template Field": it must name a field holding the HTML template.',
			);
		return value;
	}
	if (source === 'binary') {
		const prop = ctx.getNodeParameter('htmlBinaryProperty', i) as string;
		ctx.helpers.assertBinaryData(i, prop);
		return (await ctx.helpers.getBinaryDataBuffer(i, prop)).toString('utf8');
	}
	return ctx.getNodeParameter('html', i, '') as string;
}

function renderTemplates(
	ctx: IExecuteFunctions,
	i: number,
	renderers: Renderers,
	html: string,
	options: IDataObject,
): ReturnType<typeof emailRenderer> {
	const subject = ctx.getNodeParameter('subject', i) as string;
	const text = ctx.getNodeParameter('text', i, '') as string;
	const partials: Record<string, string> = {};
	for (const p of fixedList<{ name: string; template: string }>(options.partials, 'partial'))
		if (p.name) partials[p.name] = p.template ?? '';
	if (options.signature) partials.signature = String(options.signature);
	const settings: RenderSettings = {
		timeZone: (options.timeZone as string) || ctx.getTimezone(),
		locale: (options.locale as string) || 'en-US',
		currency: (options.currency as string) || 'USD',
		missing: ctx.getNodeParameter('missingVariables', i, 'fail') as 'fail' | 'empty',
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
				throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex: i, description });
			throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
		}
		renderers.set(key, renderer);
	}
	return renderer;
}

/** Attachments and inline images from the item's binary properties. */
async function attachmentsOf(
	ctx: IExecuteFunctions,
	i: number,
	options: IDataObject,
): Promise<OutgoingAttachment[]> {
	const attachments: OutgoingAttachment[] = [];
	const binaryOf = async (prop: string, cid?: string) => {
		const meta = ctx.helpers.assertBinaryData(i, prop);
		attachments.push({
			filename: meta.fileName ?? prop,
			contentType: meta.mimeType || 'application/octet-stream',
			content: await ctx.helpers.getBinaryDataBuffer(i, prop),
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
	return attachments;
}
