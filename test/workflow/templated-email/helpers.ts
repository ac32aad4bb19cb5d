// Shared by the Send Templated Email tests: workflow JSON, credentials, and a TCP proxy that counts the SMTP
// connections opened towards the sink (to check ONE pooled transport per run).
import net from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import type { SmtpCapture } from '../../harness/smtp-capture';

export const NODE = 'Send Templated Email';

export function sendWorkflow(
	parameters: Record<string, unknown>,
	opts: { continueOnFail?: boolean; imap?: boolean } = {},
): WorkflowJson {
	return {
		nodes: [
			{
				id: '7f1c2a4e-0b1d-4c55-9d1e-5a1f0c9e1a01',
				name: NODE,
				type: 'n8n-nodes-crm-mail.templatedEmail',
				typeVersion: 1,
				position: [0, 0],
				parameters: parameters as never,
				credentials: {
					crmMailSmtp: { id: 'smtp', name: 'smtp' },
					...(opts.imap ? { crmMailImap: { id: 'imap', name: 'imap' } } : {}),
				},
				...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {},
	};
}

export function smtpCredential(
	target: { host: string; port: number },
	extra: Record<string, unknown> = {},
) {
	return {
		host: target.host,
		port: target.port,
		security: 'none',
		user: '',
		password: '',
		senderName: 'Отдел продаж',
		senderAddress: 'sales@crm.local',
		allowedSenders: 'Anna Petrova <anna@crm.local>, support@crm.local',
		poolSize: 2,
		...extra,
	};
}

export function binaryItem(
	json: IDataObject,
	files: Record<string, { content: string | Buffer; fileName: string; mimeType: string }>,
): INodeExecutionData {
	const binary: INodeExecutionData['binary'] = {};
	for (const [key, f] of Object.entries(files)) {
		binary[key] = {
			data: Buffer.from(f.content).toString('base64'),
			fileName: f.fileName,
			mimeType: f.mimeType,
		};
	}
	return { json, binary };
}

/** A loopback TCP proxy in front of the sink: counts connections and knows how many are still open. */
export class CountingProxy {
	opened = 0;
	open = 0;
	private server = net.createServer((client) => {
		this.opened++;
		this.open++;
		const upstream = net.connect(this.sink.port, this.sink.host);
		client.pipe(upstream).pipe(client);
		const done = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', done);
		upstream.on('error', done);
		client.once('close', () => {
			this.open--;
			upstream.destroy();
		});
		upstream.once('close', () => client.destroy());
	});

	host = '127.0.0.1';
	port = 0;

	constructor(private readonly sink: SmtpCapture) {}

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as net.AddressInfo).port;
		return this;
	}

	/** Resolves once every proxied connection is closed (rejects after timeoutMs). */
	async allClosed(timeoutMs = 10000): Promise<void> {
		const start = Date.now();
		while (this.open > 0) {
			if (Date.now() - start > timeoutMs)
				throw new Error(`${this.open} SMTP connection(s) still open`);
			await new Promise((r) => setTimeout(r, 20));
		}
	}

	reset() {
		this.opened = 0;
	}

	close(): Promise<void> {
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}
