// A counting HTTP reverse proxy on loopback: every request is forwarded unchanged to `target` (an n8n) and
// counted by method and path (ids and query left out), so a benchmark can say how many calls a node made to
// n8n's public API. The node reaches n8n through it when its credential's base URL is the proxy's URL.
import * as http from 'node:http';

export interface CountingProxy {
	url: string;
	/** Requests so far, by `METHOD /api/v1/data-tables/:id/rows`-style key. */
	counts: Map<string, number>;
	/** Requests so far. */
	total(prefix?: string): number;
	/** A copy of the counts, to subtract from a later one (per phase). */
	snapshot(): Map<string, number>;
	/** What changed since a snapshot, as "key n, key n". */
	since(before: Map<string, number>, prefix?: string): { total: number; detail: string };
	close(): Promise<void>;
}

const pathKey = (method: string, url: string) =>
	`${method} ${url
		.split('?')[0]
		.split('/')
		.map((part) => (/^[0-9]+$|^[A-Za-z0-9]{12,}$/.test(part) ? ':id' : part))
		.join('/')}`;

export async function startCountingProxy(target: string): Promise<CountingProxy> {
	const to = new URL(target);
	const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
	const counts = new Map<string, number>();
	const server = http.createServer((req, res) => {
		const key = pathKey(req.method ?? 'GET', req.url ?? '/');
		counts.set(key, (counts.get(key) ?? 0) + 1);
		const upstream = http.request(
			{
				host: to.hostname,
				port: to.port,
				method: req.method,
				path: req.url,
				headers: { ...req.headers, host: to.host },
				agent,
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(`proxy: ${error.message}`);
		});
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as import('node:net').AddressInfo;
	const sum = (m: Map<string, number>, prefix = '') =>
		[...m].filter(([k]) => k.split(' ')[1].startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
	return {
		url: `http://127.0.0.1:${port}`,
		counts,
		total: (prefix = '') => sum(counts, prefix),
		snapshot: () => new Map(counts),
		since(before, prefix = '') {
			const diff = new Map<string, number>();
			for (const [k, v] of counts) {
				const d = v - (before.get(k) ?? 0);
				if (d > 0 && k.split(' ')[1].startsWith(prefix)) diff.set(k, d);
			}
			return {
				total: sum(diff),
				detail: [...diff].map(([k, v]) => `${k} ${v}`).join(', ') || 'none',
			};
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				agent.destroy();
				server.close(() => resolve());
			}),
	};
}
