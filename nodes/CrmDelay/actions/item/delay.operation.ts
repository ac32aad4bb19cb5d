// CRM Delay's one operation: plan each item (due when, if the conditions hold), then let them out on "Due"
// at their time (waiting in process or as a saved execution) and the others on "Not Matched" at once.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DateTime } from 'luxon';
import { assertZone, ValueTypeError } from '../../../shared/dates';
import {
	decideBatch,
	IN_PROCESS_LIMIT_MS,
	type Item,
	mixedBatchError,
	type Planned,
	planItem,
} from '../../plan';
import { n8nVersion, setResumeOutput } from './engineAccess';
import { cannotHold, heldRun, holdDueItems } from './heldRun';

export { properties as description } from './delayFields';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// The held run queued by a batch that let its "Not Matched" items out first: only waits.
	const held = heldRun(this, items);
	if (held) return await waitThenRelease(this, held.items, held.waitUntil);
	const now = DateTime.now();
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const outputField = ((options.outputField as string) || 'crmDelay').trim();
	let zone: string;
	try {
		zone = assertZone(((options.timezone as string) || this.getTimezone()).trim());
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, {
			description:
				'Set Options > Time Zone to an IANA name such as Europe/Moscow, or leave it empty for the workflow time zone',
		});
	}

	const planned: Planned[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const read = (name: string, fallback?: unknown) =>
				this.getNodeParameter(name, i, fallback as never) as unknown;
			planned.push(planItem(items[i] as Item, i, read, { now, zone, outputField }));
		} catch (error) {
			const description = error instanceof ValueTypeError ? error.hint : undefined;
			if (this.continueOnFail()) {
				planned.push({
					status: 'error' as const,
					item: {
						json: { ...items[i].json, error: (error as Error).message },
						binary: items[i].binary,
						pairedItem: i,
					},
				});
				continue;
			}
			throw new NodeOperationError(this.getNode(), error as Error, {
				itemIndex: i,
				message: `Item ${i + 1}: ${(error as Error).message}`,
				description: description ?? 'Check the field and the condition settings of CRM Delay',
			});
		}
	}

	const decision = decideBatch(
		planned,
		now,
		options.differentTimes === 'error' ? 'error' : 'latest',
		outputField,
	);
	if (decision.error) {
		throw new NodeOperationError(this.getNode(), decision.error.message, {
			description: decision.error.description,
		});
	}
	const due = decision.due as INodeExecutionData[];
	const notMatched = decision.notMatched as INodeExecutionData[];
	const { waitUntil } = decision;
	if (!waitUntil) return [due, notMatched];
	if (!notMatched.length) return await waitThenRelease(this, due, waitUntil.toJSDate());
	// Some items don't match while the others must wait: "Not Matched" leaves now, and a second run of
	// this node, the held run, waits with the due items (heldRun.ts).
	const blocked = cannotHold(this);
	if (blocked) {
		const error =
			blocked.message === 'legacy'
				? mixedBatchError(notMatched.length, items.length, waitUntil)
				: blocked;
		throw new NodeOperationError(this.getNode(), error.message, {
			description: error.description,
		});
	}
	return holdDueItems(this, due, notMatched, waitUntil.toJSDate());
}

/** Lets the due items out on "Due" at waitUntil, the way n8n's Wait node waits. */
async function waitThenRelease(
	ctx: IExecuteFunctions,
	due: INodeExecutionData[],
	waitUntil: Date,
): Promise<INodeExecutionData[][]> {
	const waitMs = waitUntil.getTime() - Date.now();
	if (waitMs < IN_PROCESS_LIMIT_MS) {
		// Short waits stay in this process, as n8n's Wait node does: a waiting execution is only
		// picked up by n8n's wait tracker about once a minute.
		return await new Promise((resolve) => {
			const timer = setTimeout(() => resolve([due, []]), Math.max(waitMs, 0));
			ctx.onExecutionCancellation(() => {
				clearTimeout(timer);
				resolve([[], []]);
			});
		});
	}
	// Long wait. On resume n8n does NOT run this node again: it passes the input of its stack entry (saved
	// with the waiting execution) to the FIRST output, as for its own Wait node. So that input becomes exactly
	// the due items with their result field: only they leave on "Due" after the wait.
	if (!setResumeOutput(ctx, due)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`CRM Delay cannot wait longer than a minute on this execution engine (n8n ${n8nVersion()}): it has no waiting executions`,
			{
				description:
					'Waits of a minute and more are saved as waiting executions, which the default engine has and the opt-in "engine v2" has not yet. Set the workflow to the default engine (Workflow Settings), or use a delay under a minute.',
			},
		);
	}
	await ctx.putExecutionToWait(waitUntil);
	return [due, []];
}
