// ONE pooled nodemailer transport per node run: sends ready-made raw messages with retries on transient
// failures, closed at the end. No n8n imports.
import type { DescribedFailure, Describable } from '../../shared/failure';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { ExplainedSmtpError } from './errors';
import { explainSmtpError } from './errors';
import { retrying } from '../../shared/retry';
import type { SmtpSettings } from './settings';
import { transportOptions } from './settings';

export interface RetryPolicy {
	/** Extra attempts after the first one for transient failures. */
	retries: number;
	/** First backoff delay; doubled each attempt. */
	delayMs: number;
}

export interface SendResult {
	accepted: string[];
	rejected: string[];
	response: string;
	envelope: { from: string; to: string[] };
	attempts: number;
}

export class SmtpSendError extends Error implements Describable {
	constructor(
		readonly explained: ExplainedSmtpError,
		readonly attempts: number,
		readonly cause: unknown,
	) {
		super(explained.message);
	}

	describe(): DescribedFailure {
		return { message: this.message, description: this.explained.description, service: true };
	}
}

/**
 * A refused envelope sender stands for its plus forms too: every VERP address of one bounce address
 * (bounces+<code>@) differs, and a server that refuses one refuses the next.
 */
function senderKey(from: string): string {
	const at = from.lastIndexOf('@');
	const local = from.slice(0, Math.max(at, 0));
	const plus = local.indexOf('+');
	return (plus > 0 ? `${local.slice(0, plus)}${from.slice(at)}` : from).toLowerCase();
}

export class PooledSender {
	private readonly transport: nodemailer.Transporter<SMTPPool.SentMessageInfo>;
	/** The first send of the run; the others wait for it, so a wrong login is tried once, not once per item. */
	private firstSend: Promise<unknown> | undefined;
	/** A failure that every later message would meet too (authentication, TLS, the server unreachable). */
	private fatal: SmtpSendError | undefined;
	private readonly refusedSenders = new Map<string, SmtpSendError>();

	constructor(
		private readonly settings: SmtpSettings,
		private readonly retry: RetryPolicy = { retries: 3, delayMs: 1000 },
		extra: Partial<SMTPPool.Options> = {},
	) {
		this.transport = nodemailer.createTransport(transportOptions(settings, extra));
		// an idle pooled connection that errors must never become an unhandled 'error' event
		this.transport.on('error', () => undefined);
	}

	/** Sends `raw`; after a fatal failure, later messages fail at once with it, without contacting the server. */
	async send(
		envelope: { from: string; to: string[] },
		raw: Buffer,
		messageId?: string,
	): Promise<SendResult> {
		if (!this.firstSend) {
			const first = this.attempts(envelope, raw, messageId);
			this.firstSend = first;
			return await first;
		}
		await this.firstSend.catch(() => undefined);
		this.throwIfFatal(envelope.from);
		return await this.attempts(envelope, raw, messageId);
	}

	private throwIfFatal(from: string): void {
		const known = this.fatal ?? this.refusedSenders.get(senderKey(from));
		if (known) throw known;
	}

	private async attempts(
		envelope: { from: string; to: string[] },
		raw: Buffer,
		messageId: string | undefined,
	): Promise<SendResult> {
		return await retrying(
			async (attempt) => {
				this.throwIfFatal(envelope.from);
				try {
					const info = await this.transport.sendMail({ envelope, raw });
					return {
						accepted: (info.accepted ?? []).map(String),
						rejected: (info.rejected ?? []).map(String),
						response: String(info.response ?? ''),
						envelope: { from: envelope.from, to: envelope.to },
						attempts: attempt,
					};
				} catch (error) {
					throw this.failed(error, attempt, envelope.from, messageId);
				}
			},
			{
				// only a 4xx answer proves the server did not take the message: that alone is repeated
				next: (error, failures) =>
					(error as SmtpSendError).explained.transient && failures <= this.retry.retries
						? this.retry.delayMs * 2 ** (failures - 1)
						: undefined,
			},
		);
	}

	private failed(error: unknown, attempt: number, from: string, messageId?: string): SmtpSendError {
		if (error instanceof SmtpSendError) return error;
		let explained = explainSmtpError(error, this.settings);
		if (explained.unknownOutcome && messageId)
			explained = { ...explained, message: `${explained.message} (Message-ID ${messageId})` };
		const failure = new SmtpSendError(explained, attempt, error);
		if (explained.fatal && explained.senderOnly) this.refusedSenders.set(senderKey(from), failure);
		else if (explained.fatal) this.fatal ??= failure;
		return failure;
	}

	close(): void {
		this.transport.close();
	}
}

/** The credential test: connect, TLS as configured, authenticate (transporter.verify), disconnect. */
export async function verifySmtp(
	settings: SmtpSettings,
	timeoutMs = 10000,
): Promise<{ ok: true } | { ok: false; error: ExplainedSmtpError }> {
	const transport = nodemailer.createTransport(
		transportOptions(settings, {
			pool: false,
			connectionTimeout: timeoutMs,
			greetingTimeout: timeoutMs,
			// later than the others, so a silent server is named by its own timeout ("Greeting never received")
			socketTimeout: timeoutMs + 1000,
		} as unknown as Partial<SMTPPool.Options>),
	);
	try {
		await transport.verify();
		return { ok: true };
	} catch (error) {
		return { ok: false, error: explainSmtpError(error, settings) };
	} finally {
		transport.close();
	}
}
