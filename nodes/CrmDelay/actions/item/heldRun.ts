// A batch where some items don't match while the others must wait. One n8n execution can't send anything on
// any output while it waits, so CRM Delay runs twice: this run lets the "Not Matched" items leave at once and
// queues a second run of the node, the held run, with only the due items, at the end of the execution stack.
// With n8n's v1 execution order (the default for every workflow made since n8n 1.0) the branch after "Not
// Matched" is put at the FRONT of the stack and runs to its end first; then the held run waits (in-process or
// as a waiting execution) and lets the due items out on "Due".
//
// What the held run must know travels in data n8n saves with the execution, never in process memory: each
// held item carries a marker naming this node and the time to wait until, removed on the way out. So a Wait
// or a long delay on the "Not Matched" branch, an n8n restart or a queue-mode worker between the two runs
// changes nothing.
// Paired items: n8n re-numbers a run's input by position in its source. The first run therefore also puts the
// held items on an extra output of its own that nothing connects to (after "Due", "Not Matched" and the error
// output when there is one), and the held run names that output as its source: position j there is the held
// item j, whose paired item leads to its own record, so $('Webhook').item after "Due" still resolves right.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { engineAccess, n8nVersion } from './engineAccess';

/** The marker field of a held item (not a name a CRM would use). */
export const HELD_FIELD = '__crmDelayHeld';

interface HeldMarker {
	node: string;
	until: string;
}

/** Why this execution cannot hold the due items back, or undefined when it can. */
export function cannotHold(
	ctx: IExecuteFunctions,
): { message: string; description: string } | undefined {
	if (ctx.getWorkflowSettings().executionOrder !== 'v1')
		return { message: 'legacy', description: '' };
	const access = engineAccess(ctx);
	if ('missing' in access) {
		return {
			message: `CRM Delay cannot hold the due items of a mixed batch back in n8n ${n8nVersion()}: ${access.missing} is not available`,
			description:
				'Give each record its own execution (Execute Workflow, "Run once for each item", into a sub-workflow that starts with CRM Delay), or make the conditions hold for all items of a batch. If this n8n runs a new execution engine (for example the opt-in "engine v2"), use the default engine for this workflow.',
		};
	}
	return undefined;
}

/**
 * Lets the "Not Matched" items out now and queues the held run with the due items (marked with the time to
 * wait until). Call only when `cannotHold` found nothing.
 */
export function holdDueItems(
	ctx: IExecuteFunctions,
	due: INodeExecutionData[],
	notMatched: INodeExecutionData[],
	waitUntil: Date,
): INodeExecutionData[][] {
	const access = engineAccess(ctx);
	if ('missing' in access) throw new Error(`n8n's ${access.missing} is not available`);
	const node = ctx.getNode();
	const marker: HeldMarker = { node: node.id, until: waitUntil.toISOString() };
	const held = due.map((item) => ({ ...item, json: { ...item.json, [HELD_FIELD]: marker } }));
	const heldOutput = node.onError === 'continueErrorOutput' ? 3 : 2;
	const outputs: INodeExecutionData[][] = [[], notMatched];
	while (outputs.length < heldOutput) outputs.push([]);
	outputs[heldOutput] = held;
	access.stack.push({
		node: access.entry.node,
		data: { main: [held] },
		source: {
			main: [
				{
					previousNode: node.name,
					previousNodeOutput: heldOutput,
					previousNodeRun: access.runIndex,
				},
			],
		},
	});
	return outputs;
}

/** For the held run: its items without the marker and the time to wait until; undefined for an ordinary run. */
export function heldRun(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): { items: INodeExecutionData[]; waitUntil: Date } | undefined {
	const node = ctx.getNode().id;
	const markers = items.map((i) => i.json[HELD_FIELD] as HeldMarker | undefined);
	if (!items.length || !markers.every((m) => m && typeof m === 'object' && m.node === node))
		return undefined;
	const until = Math.max(
		...markers.map((m) => new Date(m!.until).getTime()).filter((t) => !Number.isNaN(t)),
	);
	return {
		items: items.map((item) => {
			const { [HELD_FIELD]: _marker, ...json } = item.json;
			return { ...item, json };
		}),
		waitUntil: new Date(Number.isFinite(until) ? until : Date.now()),
	};
}
