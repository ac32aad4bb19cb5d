// A tiny Redis client (RESP2 over node:net / node:tls) for the one thing the tracking trigger asks of Redis:
// `SET key 1 NX PX <ms>`. No dependency (ioredis would be the only runtime library for one command):
// AUTH and SELECT on connect, a timeout per command, and a fresh connection after any failure.
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface RedisSettings {
	host: string;
	port: number;
	username?: string;
	password?: string;
	db?: number;
	tls?: boolean;
	/** Per command, connecting included. */
	timeoutMs?: number;
}

export type RespValue = string | number | null | RespValue[];

export class RespError extends Error {}

interface Pending {
	resolve: (value: RespValue) => void;
	reject: (error: Error) => void;
	/** AUTH / SELECT: a refusal poisons the connection. */
	setup?: true;
}

/** Parses one RESP2 value at `at`; undefined when the buffer does not hold all of it yet. */
export function parseResp(
	buf: Buffer,
	at = 0,
): { value: RespValue | RespError; next: number } | undefined {
	const eol = buf.indexOf('\r\n', at);
	if (eol < 0) return undefined;
	const line = buf.toString('utf8', at + 1, eol);
	const next = eol + 2;
	switch (buf[at]) {
		case 0x2b: // +
			return { value: line, next };
		case 0x2d: // -
			return { value: new RespError(line), next };
		case 0x3a: // :
			return { value: Number(line), next };
		case 0x24: {
			// $
			const length = Number(line);
			if (length < 0) return { value: null, next };
			if (buf.length < next + length + 2) return undefined;
			return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
		}
		case 0x2a: {
			// *
			const count = Number(line);
			if (count < 0) return { value: null, next };
			const items: RespValue[] = [];
			let pos = next;
			for (let i = 0; i < count; i++) {
				const item = parseResp(buf, pos);
				if (!item) return undefined;
				if (item.value instanceof RespError) return { value: item.value, next: item.next };
				items.push(item.value);
				pos = item.next;
			}
			return { value: items, next: pos };
		}
		default:
			throw new RespError(`Unexpected reply from Redis: ${JSON.stringify(line.slice(0, 40))}`);
	}
}

const encode = (args: string[]) =>
	`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

export class RespClient {
	private socket: net.Socket | undefined;
	private buffer: Buffer = Buffer.alloc(0);
	private pending: Pending[] = [];

	constructor(private readonly settings: RedisSettings) {}

	async command(args: string[]): Promise<RespValue> {
		const socket = this.socket ?? this.connect();
		const timeoutMs = this.settings.timeoutMs ?? 1000;
		return await new Promise<RespValue>((resolve, reject) => {
			const timer = setTimeout(() => {
				// replies come in order: after a lost one the connection cannot be trusted any more
				this.fail(new Error(`Redis did not answer within ${timeoutMs} ms`));
			}, timeoutMs);
			this.pending.push({
				resolve: (v) => (clearTimeout(timer), resolve(v)),
				reject: (e) => (clearTimeout(timer), reject(e)),
			});
			socket.write(encode(args));
		});
	}

	close(): void {
		this.fail(new Error('Redis connection closed'));
	}

	private connect(): net.Socket {
		const { host, port, username, password, db } = this.settings;
		const socket = this.settings.tls
			? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
			: net.connect({ host, port });
		socket.setNoDelay(true);
		socket.unref(); // an idle connection must not keep a process (or a test run) alive
		this.socket = socket;
		this.buffer = Buffer.alloc(0);
		socket.on('data', (chunk) => this.onData(socket, chunk));
		socket.on('error', (error) => this.socket === socket && this.fail(error));
		socket.on(
			'close',
			() => this.socket === socket && this.fail(new Error('Redis closed the connection')),
		);
		// sent ahead of the first command; their replies are checked like any other
		const setup: string[][] = [];
		if (password) setup.push(username ? ['AUTH', username, password] : ['AUTH', password]);
		if (db) setup.push(['SELECT', String(db)]);
		for (const args of setup) {
			this.pending.push({ resolve: () => undefined, reject: () => undefined, setup: true });
			socket.write(encode(args));
		}
		return socket;
	}

	private onData(socket: net.Socket, chunk: Buffer): void {
		if (socket !== this.socket) return;
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
		try {
			for (;;) {
				const parsed = parseResp(this.buffer);
				if (!parsed) return;
				this.buffer = this.buffer.subarray(parsed.next);
				const waiter = this.pending.shift();
				if (!waiter) throw new RespError('Redis sent a reply nobody asked for');
				if (!(parsed.value instanceof RespError)) waiter.resolve(parsed.value);
				else if (waiter.setup) return this.fail(parsed.value);
				else waiter.reject(parsed.value);
			}
		} catch (error) {
			this.fail(error as Error);
		}
	}

	private fail(error: Error): void {
		const socket = this.socket;
		this.socket = undefined;
		const waiting = this.pending;
		this.pending = [];
		socket?.destroy();
		for (const w of waiting) w.reject(error);
	}
}
