// Load helpers for benchmarks against a real n8n: free ports, workflow nodes, concurrent HTTP requests, and
// execution counts read through n8n's public API.
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';

// Loaded at run time from the repository (not bundled): it locates the repository from its own path.
const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '..', '..');
const rest = require(path.join(ROOT, 'scripts', 'lib', 'n8n-rest.js'));

export const CHROME =
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

export const node = (
	name: string,
	type: string,
	typeVersion: number,
	position: [number, number],
	parameters: object,
	extra: object = {},
) => ({ id: randomUUID(), name, type, typeVersion, position, parameters, ...extra });

export interface Answer {
	status: number;
	location: string | null;
}

/** Sends every request with at most `concurrency` in flight; returns answers in order and the wall time. */
export async function blast(
	requests: Array<{ url: string; ua?: string; method?: string }>,
	concurrency: number,
): Promise<{ answers: Answer[]; seconds: number }> {
	const answers: Answer[] = new Array(requests.length);
	let next = 0;
	const t = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < requests.length) {
				const i = next++;
				const r = requests[i];
				const res = await fetch(r.url, {
					method: r.method ?? 'GET',
					redirect: 'manual',
					headers: { 'user-agent': r.ua ?? CHROME },
				});
				await res.arrayBuffer();
				answers[i] = { status: res.status, location: res.headers.get('location') };
			}
		}),
	);
	return { answers, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
}

export async function countExecutions(
	baseUrl: string,
	apiKey: string,
	workflowId: string,
): Promise<number> {
	let count = 0;
	let cursor: string | undefined;
	do {
		const page = await rest.publicApi(
			baseUrl,
			apiKey,
			'GET',
			`/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${cursor}` : ''}`,
		);
		count += page.data.length;
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return count;
}

/** Executions of a workflow once the count has stopped moving (onReceived answers before the run ends). */
export async function settledCount(
	baseUrl: string,
	apiKey: string,
	workflowId: string,
): Promise<number> {
	let last = -1;
	for (;;) {
		const n = await countExecutions(baseUrl, apiKey, workflowId);
		if (n === last) return n;
		last = n;
		await new Promise((r) => setTimeout(r, 1500));
	}
}
