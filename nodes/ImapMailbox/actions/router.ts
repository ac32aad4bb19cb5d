import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import type { DescribedFailure } from '../../shared/failure';
import { explainImapError, type ImapSettings } from '../../shared/imap/connection';
import { imapSettingsFor } from '../../shared/oauth/mailAccount';
import { MailboxError, MailboxSession } from '../transport/session';
import * as append from './append.operation';
import type { OperationExecute } from './operationFields';
import * as deleteMessages from './delete.operation';
import * as downloadAttachment from './downloadAttachment.operation';
import * as flags from './flags.operation';
import * as getMessages from './getMessages.operation';
import * as listFolders from './listFolders.operation';
import * as moveCopy from './moveCopy.operation';

const operations: Record<string, OperationExecute> = {
	listFolders: listFolders.execute,
	getMessages: getMessages.execute,
	addFlags: flags.execute,
	removeFlags: flags.execute,
	move: moveCopy.execute,
	copy: moveCopy.execute,
	delete: deleteMessages.execute,
	append: append.execute,
	downloadAttachment: downloadAttachment.execute,
};

/** The IMAP server's refusals and connection failures, in words an admin can act on (the service's failures). */
function describeImapFailure(error: unknown, settings: ImapSettings): DescribedFailure | undefined {
	if (error instanceof MailboxError) return undefined; // a check of ours: it describes itself
	const e = error as { responseText?: string; responseStatus?: string; message?: string };
	if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
		return {
			message: `The IMAP server refused the request: ${e.responseText ?? e.message}`,
			description:
				'Check the folder and message UIDs; the server may not allow this operation in that folder.',
			service: true,
		};
	}
	return { ...explainImapError(error, settings), service: true };
}

/** Runs the chosen operation for every item over one shared connection, closed at the end (also on error). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const settings = await imapSettingsFor(this);
	const session = new MailboxSession(settings, this.logger);
	const out: INodeExecutionData[] = [];
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const run = operations[operation];
				if (!run)
					throw new MailboxError(
						`Unknown operation "${operation}"`,
						'Pick an operation from the list.',
					);
				for (const result of await run.call(this, session, i))
					out.push({ ...result, pairedItem: { item: i } });
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, i, (e) =>
					describeImapFailure(e, settings),
				);
				if (this.continueOnFail()) {
					out.push({
						json: { error: nodeError.message, description: nodeError.description ?? '' },
						pairedItem: { item: i },
					});
					continue;
				}
				throw nodeError;
			}
		}
	} finally {
		await session.close();
	}
	return [out];
}
