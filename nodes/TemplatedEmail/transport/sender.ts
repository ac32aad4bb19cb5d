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

export class PooledSender {
	private readonly transport: nodemailer.Transporter<SMTPPool.SentMessageInfo>;

	constructor(
		private readonly settings: SmtpSettings,
		private readonly retry: RetryPolicy = { retries: 3, delayMs: 1000 },
		extra: Partial<SMTPPool.Options> = {},
	) {
		this.transport = nodemailer.createTransport(transportOptions(settings, extra));
		// an idle pooled connection that errors must never become an unhandled 'error' event
		this.transport.on('error', () => undefined);
	}

	async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult> {
		return await retrying(
			async (attempt) => {
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
					throw new SmtpSendError(explainSmtpError(error, this.settings), attempt, error);
				}
			},
			{
				// only what the server refused before taking the message (4xx, a dropped connection) is safe to repeat
				next: (error, failures) =>
					(error as SmtpSendError).explained.transient && failures <= this.retry.retries
						? this.retry.delayMs * 2 ** (failures - 1)
						: undefined,
			},
		);
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
			socketTimeout: timeoutMs,
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
