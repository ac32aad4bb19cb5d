// A batch where some items don't match while the others must wait. One n8n execution can't send
// anything on any output while it waits, so CRM Delay runs twice: this run lets the "Not Matched"
// items leave at once, and queues a second run of the node, with only the due items as input, at the
// end of the execution stack. With n8n's v1 execution order (the default for every workflow made
// since n8n 1.0) the branch after "Not Matched" is put at the FRONT of the stack and runs to its end
// first; then the second run waits (in-process or as a waiting execution) and lets the due items out.
//
// The execution stack is not part of the public node API: it is read from the context's
// runExecutionData (n8n-core 2.8 base-execute-context.js). Where it is missing, or the workflow uses the
// legacy execution order (children go to the END of the stack, after the queued run),
// canQueueDueRun is false and the node stops with its documented error instead.
import type { IExecuteData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

interface EngineState {
	executionData?: { nodeExecutionStack?: IExecuteData[] };
}

/** Stack entries this process queued, with the time their run waits until. */
const queued = new WeakMap<IExecuteData, Date>();

function executionStack(ctx: IExecuteFunctions): IExecuteData[] | undefined {
	const state = (ctx as unknown as { runExecutionData?: EngineState }).runExecutionData;
	const stack = state?.executionData?.nodeExecutionStack;
	return Array.isArray(stack) ? stack : undefined;
}

/** The index of this run of the node (n8n-core sets it on the context; it is not in the public API). */
function runIndex(ctx: IExecuteFunctions): number | undefined {
	const index = (ctx as unknown as { runIndex?: unknown }).runIndex;
	return typeof index === 'number' ? index : undefined;
}

/** Whether this execution can let "Not Matched" items out now and the due items after the wait. */
export function canQueueDueRun(ctx: IExecuteFunctions): boolean {
	const v1 = ctx.getWorkflowSettings().executionOrder === 'v1';
	return v1 && executionStack(ctx) !== undefined && runIndex(ctx) !== undefined;
}

/**
 * Lets the "Not Matched" items out now and queues the second run of this node with the due items. The
 * outputs returned carry the due items on an extra output with no connection (after "Due", "Not
 * Matched" and the error output when there is one): the second run names it as its source, so that
 * n8n's paired items, which the engine re-numbers by position in each run's input, still lead every
 * due item back to its own record ($('Webhook').item after CRM Delay).
 */
export function holdDueItems(ctx: IExecuteFunctions, due: INodeExecutionData[], notMatched: INodeExecutionData[], waitUntil: Date): INodeExecutionData[][] {
	const stack = executionStack(ctx);
	const run = runIndex(ctx);
	if (!stack || run === undefined) throw new Error('n8n execution stack not available');
	const node = ctx.getNode();
	const heldOutput = node.onError === 'continueErrorOutput' ? 3 : 2;
	const outputs: INodeExecutionData[][] = [[], notMatched];
	while (outputs.length < heldOutput) outputs.push([]);
	outputs[heldOutput] = due;
	const entry: IExecuteData = {
		node: ctx.getExecuteData().node,
		data: { main: [due] },
		source: { main: [{ previousNode: node.name, previousNodeOutput: heldOutput, previousNodeRun: run }] },
	};
	queued.set(entry, waitUntil);
	stack.push(entry);
	return outputs;
}

/** For the queued second run: the time it waits until; undefined for an ordinary run. */
export function queuedWaitUntil(ctx: IExecuteFunctions): Date | undefined {
	const entry = ctx.getExecuteData();
	const waitUntil = queued.get(entry);
	queued.delete(entry);
	return waitUntil;
}
