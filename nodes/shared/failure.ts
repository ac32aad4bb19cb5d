// How a plain module's error says what kind of failure it is, so that the n8n glue (errors.ts) reports every
// node's failures the same way. No n8n imports.

/** What a plain module's error says about itself. */
export interface DescribedFailure {
	message: string;
	/** What to do about it. */
	description?: string;
	/** The service failed (its answer, its connection); otherwise one of our checks did. */
	service: boolean;
	/** The service's HTTP status, when there is one. */
	httpCode?: number;
	/** The service's own answer, as n8n shows it under the message. */
	response?: Record<string, unknown>;
}

/** A plain module's error that knows what kind of failure it is (implemented by the errors of each node). */
export interface Describable {
	describe(): DescribedFailure;
}

/** A failed check of ours: the message says what is wrong, the description what to do. */
export class CheckFailure extends Error implements Describable {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}

	describe(): DescribedFailure {
		return { message: this.message, description: this.description, service: false };
	}
}
