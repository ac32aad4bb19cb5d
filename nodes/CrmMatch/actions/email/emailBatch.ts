// The email items of one run, read once and matched in one batch; each item's outcome (its result or, with
// Continue On Fail, its error) is kept by item index so the output stays in input order.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../../shared/errors';
import type { EmailInput } from '../../email';
import { emailFromItem } from '../../email';
import type { MatchOptions } from '../../match';

export class ItemOutcomes {
	private readonly byItem: Array<INodeExecutionData | undefined> = [];

	constructor(private readonly ctx: IExecuteFunctions) {}

	/** Without Continue On Fail the run stops with this error; with it, the item carries the error. */
	fail(i: number, error: unknown): void {
		const nodeError = toNodeError(this.ctx.getNode(), error, i);
		if (!this.ctx.continueOnFail()) throw nodeError;
		this.byItem[i] ??= { json: { error: nodeError.message }, pairedItem: { item: i } };
	}

	failed(i: number): boolean {
		return this.byItem[i] !== undefined;
	}

	succeed(i: number, json: IDataObject): void {
		this.byItem[i] ??= { json, pairedItem: { item: i } };
	}

	list(): INodeExecutionData[] {
		return this.byItem.filter((o): o is INodeExecutionData => o !== undefined);
	}
}

/** The emails that can be matched, and the item each came from; the others fail with what to feed. */
export interface EmailBatch {
	emails: EmailInput[];
	itemOf: number[];
}

/** Starts a run over email items: their outcomes, and the emails read from them. */
export function readEmailItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): EmailBatch & { outcomes: ItemOutcomes } {
	const outcomes = new ItemOutcomes(ctx);
	const batch: EmailBatch = { emails: [], itemOf: [] };
	items.forEach((item, i) => {
		const { email, invalid } = emailFromItem(item.json);
		const problem =
			!email.from.length && !email.to.length ? 'The item has no from / to addresses' : undefined;
		if (problem || invalid.length) {
			outcomes.fail(
				i,
				new NodeOperationError(
					ctx.getNode(),
					problem ?? `Invalid addresses: ${invalid.join(', ')}`,
					{
						itemIndex: i,
						description:
							'Feed the node email items (e.g. from the IMAP Sync Trigger) with from / to / cc / subject / messageId / direction.',
					},
				),
			);
			return;
		}
		batch.emails.push(email);
		batch.itemOf.push(i);
	});
	return { ...batch, outcomes };
}

function addressList(v: unknown): Set<string> {
	return new Set(
		String(v ?? '')
			.split(/[\s,;]+/)
			.map((s) => s.trim().toLowerCase().replace(/^@/, ''))
			.filter(Boolean),
	);
}

export function matchOptionsOf(options: IDataObject): MatchOptions {
	return {
		ownAddresses: addressList(options.ownAddresses),
		internalDomains: addressList(options.internalDomains),
		extraFreeMail: addressList(options.extraFreeMail),
	};
}
