// How every node reports a failure to n8n. A service's failure (an HTTP API, an IMAP or SMTP server) becomes a
// NodeApiError with the service's own words; what our own checks found (a parameter, a value, a missing set-up)
// becomes a NodeOperationError; both carry what to do. Plain modules throw errors of their own that say which
// kind they are (below); this is the one place that turns them into n8n's errors.
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import type { Describable, DescribedFailure } from './failure';

const isDescribable = (e: unknown): e is Describable =>
	typeof (e as Describable)?.describe === 'function';

/** n8n's error for a failure (described, or any error: then a check of ours, with its message). */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
	describe?: (error: unknown) => DescribedFailure | undefined,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const failure = describe?.(error) ?? (isDescribable(error) ? error.describe() : undefined);
	if (failure?.service) {
		return new NodeApiError(
			node,
			(failure.response ?? { message: failure.message }) as JsonObject,
			{
				message: failure.message,
				description: failure.description,
				httpCode: failure.httpCode !== undefined ? String(failure.httpCode) : undefined,
				itemIndex,
			},
		);
	}
	if (failure)
		return new NodeOperationError(node, failure.message, {
			description: failure.description,
			itemIndex,
		});
	return new NodeOperationError(node, error instanceof Error ? error : new Error(String(error)), {
		itemIndex,
	});
}

/** What an item that failed carries with Continue On Fail: the message, and what to do. */
export function failureJson(error: NodeApiError | NodeOperationError): JsonObject {
	return { error: error.message, ...(error.description ? { description: error.description } : {}) };
}
