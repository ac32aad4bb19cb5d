// Serves a workflow's webhook nodes on a loopback HTTP server the way n8n's webhook endpoint does:
// the request reaches the node's `webhook()` with an Express-like request / response; when the node
// returns `workflowData`, an execution starts at that node with it (mode 'webhook').
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { URL } from 'node:url';
import { WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeTypes,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	Workflow,
} from 'n8n-workflow';
import { Node, NodeHelpers } from 'n8n-workflow';
import type { CredentialsByType } from './credentials-helper';
import { additionalDataFor, createWorkflow, runPrepared, type WorkflowJson } from './workflow';

export interface WebhookCall {
	method: string;
	path: string;
	status: number;
	/** The execution the call started, if any. */
	run?: IRun;
}

type ExpressLikeRequest = http.IncomingMessage & {
	body: unknown;
	rawBody: Buffer;
	query: IDataObject;
	params: IDataObject;
	path: string;
	ip?: string;
};
type ExpressLikeResponse = http.ServerResponse & {
	status(code: number): ExpressLikeResponse;
	set(name: string | IDataObject, value?: string): ExpressLikeResponse;
	header(name: string, value: string): ExpressLikeResponse;
	type(type: string): ExpressLikeResponse;
	send(body?: unknown): ExpressLikeResponse;
	json(body: unknown): ExpressLikeResponse;
	redirect(statusOrUrl: number | string, url?: string): void;
	sendStatus(code: number): ExpressLikeResponse;
};

export class WebhookServer {
	readonly calls: WebhookCall[] = [];
	private server?: http.Server;
	private workflow!: Workflow;
	baseUrl = '';

	constructor(
		private readonly wf: WorkflowJson,
		private readonly opts: { credentials?: CredentialsByType; nodeTypes?: INodeTypes } = {},
	) {}

	/** Production webhook URL of a node: `<base>/webhook/<path>` as n8n builds it. */
	url(nodeName: string, webhookName = 'default'): string {
		const node = this.workflow.getNode(nodeName)!;
		const description = this.nodeType(node).description.webhooks!.find(
			(w) => w.name === webhookName,
		)!;
		return `${this.baseUrl}/webhook/${this.webhookPath(node, description)}`;
	}

	async start(): Promise<string> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.workflow = createWorkflow(this.wf, this.opts.nodeTypes, true);
		return this.baseUrl;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
	}

	/** The runs started by webhook calls so far. */
	runs(): IRun[] {
		return this.calls.flatMap((c) => (c.run ? [c.run] : []));
	}

	private nodeType(node: INode) {
		return this.workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	}

	private webhookPath(node: INode, description: IWebhookDescription): string {
		const value = (v: unknown) =>
			typeof v === 'string' && v.startsWith('=')
				? this.workflow.expression.getSimpleParameterValue(
						node,
						v,
						'webhook',
						{},
						undefined,
						undefined,
					)
				: v;
		const path = String(value(description.path) ?? '');
		return NodeHelpers.getNodeWebhookPath(
			this.workflow.id,
			node,
			path,
			value(description.isFullPath) as boolean,
			value(description.restartWebhook) as boolean,
		).replace(/^\/+/, '');
	}

	private match(method: string, path: string) {
		for (const node of Object.values(this.workflow.nodes)) {
			for (const description of this.nodeType(node).description.webhooks ?? []) {
				const httpMethod = String(
					String(description.httpMethod).startsWith('=')
						? this.workflow.expression.getSimpleParameterValue(
								node,
								description.httpMethod as string,
								'webhook',
								{},
								undefined,
								'GET',
							)
						: description.httpMethod,
				);
				const full = this.webhookPath(node, description);
				if (
					(httpMethod === method || (method === 'HEAD' && httpMethod === 'GET')) &&
					(path === full || path.startsWith(`${full}/`))
				) {
					return { node, description, full };
				}
			}
		}
		return undefined;
	}

	private async handle(rawReq: http.IncomingMessage, rawRes: http.ServerResponse) {
		const url = new URL(rawReq.url!, this.baseUrl);
		const path = url.pathname.replace(/^\/webhook\//, '');
		const req = rawReq as ExpressLikeRequest;
		const res = expressLike(rawRes);
		const call: WebhookCall = { method: req.method!, path, status: 0 };
		this.calls.push(call);
		const found = this.match(req.method!, path);
		if (!found) {
			res.status(404).json({ message: 'The requested webhook is not registered.' });
			call.status = 404;
			return;
		}
		req.rawBody = await readBody(req);
		req.body = parseBody(req.headers['content-type'], req.rawBody);
		req.query = Object.fromEntries(url.searchParams);
		req.params = {};
		req.path = url.pathname;
		req.ip = req.socket.remoteAddress;
		const webhookData: IWebhookData = {
			httpMethod: req.method as IWebhookData['httpMethod'],
			node: found.node.name,
			path: found.full,
			webhookDescription: found.description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: undefined as never,
		};
		const additionalData = additionalDataFor(this.opts.credentials, {
			httpRequest: req,
			httpResponse: res,
			webhookBaseUrl: `${this.baseUrl}/webhook`,
		} as IDataObject);
		try {
			const ctx = new WebhookContext(
				this.workflow,
				found.node,
				additionalData,
				'webhook',
				webhookData,
				[],
				null,
			);
			const type = this.nodeType(found.node);
			// As n8n's WebhookService: context-API nodes (class Node) get the context as argument.
			const result: IWebhookResponseData =
				type instanceof Node ? await type.webhook!(ctx as never) : await type.webhook!.call(ctx);
			if (!result.noWebhookResponse && !res.headersSent) {
				if (result.webhookResponse !== undefined) res.status(200).send(result.webhookResponse);
				else
					res.status(200).json({
						message: result.workflowData ? 'Workflow was started' : 'Webhook call received',
					});
			}
			if (result.workflowData) {
				call.run = await runPrepared(this.workflow, this.wf, {
					credentials: this.opts.credentials,
					mode: 'webhook',
					startNode: found.node.name,
					input: result.workflowData[0],
				});
			}
		} catch (error) {
			if (!res.headersSent) res.status(500).json({ message: (error as Error).message });
		} finally {
			call.status = rawRes.statusCode;
			if (!rawRes.writableEnded) rawRes.end();
		}
	}
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function parseBody(contentType: string | undefined, raw: Buffer): unknown {
	if (!raw.length) return {};
	if (contentType?.includes('application/json')) return JSON.parse(raw.toString('utf8'));
	if (contentType?.includes('application/x-www-form-urlencoded'))
		return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
	return {};
}

function expressLike(res: http.ServerResponse): ExpressLikeResponse {
	const r = res as ExpressLikeResponse;
	r.status = (code) => ((res.statusCode = code), r);
	r.set = (name, value) => {
		if (typeof name === 'string') res.setHeader(name, value!);
		else for (const [k, v] of Object.entries(name)) res.setHeader(k, String(v));
		return r;
	};
	r.header = (name, value) => r.set(name, value);
	r.type = (type) =>
		r.set(
			'content-type',
			type.includes('/') ? type : type === 'html' ? 'text/html; charset=utf-8' : type,
		);
	r.send = (body) => {
		if (Buffer.isBuffer(body) || typeof body === 'string') res.end(body);
		else if (body === undefined) res.end();
		else return r.json(body);
		return r;
	};
	r.json = (body) => {
		if (!res.getHeader('content-type'))
			res.setHeader('content-type', 'application/json; charset=utf-8');
		res.end(JSON.stringify(body));
		return r;
	};
	r.redirect = (statusOrUrl, url) => {
		const [code, location] =
			typeof statusOrUrl === 'number' ? [statusOrUrl, url!] : [302, statusOrUrl];
		res.statusCode = code;
		res.setHeader('location', location);
		res.end();
	};
	r.sendStatus = (code) => ((res.statusCode = code), res.end(), r);
	return r;
}
