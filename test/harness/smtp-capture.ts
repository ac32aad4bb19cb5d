// Typed wrapper of scripts/lib/smtp.js: an smtp-server sink on loopback for tests of code that sends mail.
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CapturedMessage {
	envelope: { mailFrom: string; rcptTo: string[] };
	raw: Buffer;
	receivedAt: Date;
	/** The AUTH user, when the sink requires auth. */
	authUser: string | null;
	/** Whether the session used TLS (implicit or STARTTLS). */
	secure: boolean;
}

export interface SmtpCaptureOptions {
	port?: number;
	/** Require AUTH PLAIN / LOGIN with these credentials (wrong ones get 535). */
	auth?: { user: string; pass: string } | false;
	/** Implicit TLS with a self-signed certificate. */
	secure?: boolean;
	/** Offer STARTTLS with a self-signed certificate (otherwise it is not offered). */
	starttls?: boolean;
	/** Awaited before answering 250; a throw answers its responseCode (default 451). */
	onMessage?: (m: { envelope: CapturedMessage['envelope']; raw: Buffer }) => Promise<void>;
}

export interface SmtpCapture {
	host: string;
	port: number;
	secure: boolean;
	starttls: boolean;
	certPem: string | null;
	/** Accepted messages, in order. */
	messages: CapturedMessage[];
	/** Messages answered with an error by failNext / onMessage. */
	rejected: Array<CapturedMessage & { code: number }>;
	failNext(n: number, answer?: { code?: number; message?: string }): void;
	dropNext(n: number): void;
	failRcpt(address: string, code?: number, message?: string): void;
	reset(): void;
	waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
	close(): Promise<void>;
}

const smtpLib = require('../../scripts/lib/smtp.js') as {
	startSmtpSink(opts: SmtpCaptureOptions): Promise<SmtpCapture>;
};

export function startSmtpCapture(opts: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
	return smtpLib.startSmtpSink(opts);
}

/** Plain SMTP settings for a sink, shaped like an SMTP credential's fields. */
export function smtpConfig(sink: SmtpCapture, auth?: { user: string; pass: string }) {
	return {
		host: sink.host,
		port: sink.port,
		secure: sink.secure,
		user: auth?.user ?? '',
		password: auth?.pass ?? '',
		allowSelfSigned: sink.secure || sink.starttls,
	};
}

export function parseCaptured(raw: Buffer | CapturedMessage): Promise<ParsedMail> {
	return simpleParser(Buffer.isBuffer(raw) ? raw : raw.raw);
}
