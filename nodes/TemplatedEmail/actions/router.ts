// Dispatch by resource (Suppression List and Campaign: suppression/run.ts), then for email by mode, per item
// (Mode may be an expression). The run owns what items share: one pooled SMTP
// transport with a window of messages in flight, one Sent appender, the compiled templates, the failures,
// and the campaign step (email/campaign.ts: one suppression lookup before, one log write after the sends).
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { failureJson, toNodeError } from '../../shared/errors';
import type { OutgoingMessage } from '../message/build';
import { MissingVariableError } from '../render/handlebars';
import { PooledSender } from '../transport/sender';
import { SentFolderAppender } from '../transport/sentCopy';
import { sendingAccount } from '../transport/account';
import { CampaignSend, isItemFailure } from './email/campaign';
import type { ComposeContext } from './email/compose';
import { composeMessage } from './email/compose';
import * as preview from './email/preview.operation';
import type { Delivery } from './email/send.operation';
import * as send from './email/send.operation';
import * as testSend from './email/testSend.operation';
import { trackingDecorators } from './email/tracking';
import { operationOf, runBatched } from './suppression/run';

const MISSING_VARIABLE_HINT =
	'Give the item this field, use {{default name "fallback"}}, or set "Missing Variables" to "Leave Empty".';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0, 'email') as string;
	if (resource !== 'email')
		return await runBatched(
			this,
			operationOf(resource, this.getNodeParameter('operation', 0) as string),
		);
	const items = this.getInputData();
	const account = await sendingAccount(this);
	const smtp = account.smtp;
	const campaign = await CampaignSend.prepare(this, items.length);
	const run: ComposeContext = {
		smtp,
		decorators: await trackingDecorators(this, campaign.campaignFor),
		renderers: new Map(),
	};
	const results: INodeExecutionData[] = new Array(items.length);
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

	const deliveryFor = async (i: number): Promise<Delivery> => {
		sender ??= new PooledSender(smtp, {
			retries: this.getNodeParameter('options.retries', i, 3) as number,
			delayMs: this.getNodeParameter('options.retryDelay', i, 1000) as number,
		});
		const copy = this.getNodeParameter('copyToSent', i, false) as boolean;
		if (copy && !appender) {
			appender = new SentFolderAppender(
				await account.imap(),
				this.getNodeParameter('sentFolder', i, '') as string,
			);
		}
		return { sender, copyTo: copy ? appender : undefined, dkim: smtp.dkim };
	};

	try {
		for (let i = 0; i < items.length && !stopError; i++) {
			let mode: string;
			let message: OutgoingMessage;
			const verdict = campaign.verdict(i);
			if (isItemFailure(verdict)) {
				fail(i, verdict.failure);
				continue;
			}
			if (verdict) {
				// a suppressed To address: this email is not sent, and that is no error
				results[i] = { json: verdict, pairedItem: { item: i } };
				continue;
			}
			try {
				mode = this.getNodeParameter('mode', i) as string;
				message = await composeMessage(
					this,
					i,
					items[i],
					run,
					mode === 'test' ? testSend.redirect : campaign.keepOut,
				);
			} catch (error) {
				if (error instanceof MissingVariableError)
					fail(i, new MissingVariableError(error.variable, `${error.part} of item ${i}`));
				else fail(i, error);
				continue;
			}
			if (mode === 'preview') {
				results[i] = { json: preview.execute(message), pairedItem: { item: i } };
				continue;
			}
			const delivery = await deliveryFor(i);
			const operation = mode === 'test' ? testSend : send;
			const task = operation.execute(delivery, message).then(
				(json) =>
					void (results[i] = { json: campaign.sent(i, json, message), pairedItem: { item: i } }),
				(error: unknown) => fail(i, error),
			);
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
		// after every send, also when the run stops: what went out is logged, and a failed write sends nothing again
		await campaign.writeLog();
	}
	if (stopError) throw stopError;
	return [results.filter(Boolean)];
}
