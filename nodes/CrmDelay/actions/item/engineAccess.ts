// Everything CRM Delay uses of n8n's execution engine beyond the public node API, in one place and checked
// before use: the execution stack and the run index (to queue the held run of a mixed batch, see heldRun.ts),
// and the stack entry of the running node (whose input n8n passes to the first output when a waiting execution resumes,
// as it does for its own Wait node). Where a piece is missing (another engine, a future n8n), CRM Delay stops
// with an error naming the n8n version instead of misbehaving.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IExecuteData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

interface EngineState {
	executionData?: { nodeExecutionStack?: unknown };
}

export interface EngineAccess {
	/** n8n's execution stack: entries pushed here run after the current branch (v1 execution order). */
	stack: IExecuteData[];
	/** The running node's own entry. */
	entry: IExecuteData;
	/** Which run of the node this is. */
	runIndex: number;
}

/** Executions of the new engine have UUID v7 ids (n8n's own test, `isExecutionIdV2`); the default engine's are numbers. */
const EXECUTION_ID_V2 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The opt-in new execution engine of n8n 2.4x (workflow setting "engineType": "v2") runs each node on its own:
 * it has no execution stack a node can add to and no waiting executions.
 */
export function onEngineV2(ctx: IExecuteFunctions): boolean {
	if ((ctx.getWorkflowSettings() as { engineType?: unknown }).engineType === 'v2') return true;
	try {
		return EXECUTION_ID_V2.test(String(ctx.getExecutionId()));
	} catch {
		return false;
	}
}

/** The engine pieces a mixed batch needs, or what is missing. */
export function engineAccess(ctx: IExecuteFunctions): EngineAccess | { missing: string } {
	if (onEngineV2(ctx))
		return {
			missing: 'the execution stack (the workflow runs on the new execution engine, "engine v2")',
		};
	const state = (ctx as unknown as { runExecutionData?: EngineState }).runExecutionData;
	const stack = state?.executionData?.nodeExecutionStack;
	if (!Array.isArray(stack))
		return { missing: "the execution stack (this n8n's engine does not expose it to nodes)" };
	const entry = entryOf(ctx);
	if (!entry) return { missing: 'the data of the running node' };
	const runIndex = (ctx as unknown as { runIndex?: unknown }).runIndex;
	if (typeof runIndex !== 'number') return { missing: 'the run index of the running node' };
	return { stack: stack as IExecuteData[], entry, runIndex };
}

function entryOf(ctx: IExecuteFunctions): IExecuteData | undefined {
	try {
		const entry = ctx.getExecuteData();
		return entry && Array.isArray(entry.data?.main) ? entry : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Makes `items` what n8n passes on when this waiting execution resumes: n8n does not run a waiting node again,
 * it passes the input of its stack entry (saved with the execution) to the first output.
 */
export function setResumeOutput(ctx: IExecuteFunctions, items: INodeExecutionData[]): boolean {
	if (onEngineV2(ctx) || typeof ctx.putExecutionToWait !== 'function') return false;
	const entry = entryOf(ctx);
	if (!entry) return false;
	entry.data.main[0] = items;
	return true;
}

let version: string | undefined;

/** The version of the n8n this runs in (from the package of the n8n that was started), or "unknown". */
export function n8nVersion(): string {
	if (version) return version;
	version = 'unknown';
	try {
		let dir = path.dirname(require.main?.filename ?? '');
		for (let i = 0; i < 4 && dir.length > 1; i++, dir = path.dirname(dir)) {
			const file = path.join(dir, 'package.json');
			if (!fs.existsSync(file)) continue;
			const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
			if (pkg.name === 'n8n' && pkg.version) version = pkg.version;
			break;
		}
	} catch {
		// unknown
	}
	return version;
}
