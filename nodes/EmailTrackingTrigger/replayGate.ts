// Replay control: anyone holding one email can call its pixel or a link again and again, and each valid hit
// would start an execution. With "First Hit per Window" only the first open, the first click of each link
// and the first unsubscribe of a token start one within the window; repeats get the same answer (pixel,
// redirect, page) and start none. "Every Hit" keeps every hit. Called after the answer went out, so a slow
// Redis delays no pixel.
import type { ReplayStore } from '../shared/tracking/replay/store';
import type { HandlerResult } from './handler';

export type ReplayMode = 'firstPerWindow' | 'everyHit';

export interface ReplayPolicy {
	mode: ReplayMode;
	windowMs: number;
}

export const DEFAULT_REPLAY_WINDOW_MINUTES = 60;

/** The result with its event dropped when it repeats an earlier hit within the window. Never throws. */
export async function admitEvent(
	result: HandlerResult,
	store: ReplayStore,
	policy: ReplayPolicy,
): Promise<HandlerResult> {
	if (!result.event || !result.replayKey || policy.mode === 'everyHit' || policy.windowMs <= 0)
		return result;
	let first: boolean;
	try {
		first = await store.claim(result.replayKey, policy.windowMs);
	} catch {
		first = true; // a store must not cost an event; FallbackReplayStore already never throws
	}
	if (first) return result;
	return { response: result.response, rejected: 'repeat within the replay window' };
}
