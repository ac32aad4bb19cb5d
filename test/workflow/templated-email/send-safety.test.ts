// Sending that never locks an account or sends twice: after a failure every later message would meet too, the
// remaining items fail at once without contacting the server again.
import { outputOf, runWorkflow } from '../../harness/workflow';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { CountingProxy, NODE, sendWorkflow, smtpCredential } from './helpers';

const base = {
	to: '={{ $json.email }}',
	subject: 'Offer {{n}}',
	html: '<p>Offer {{n}}</p>',
	options: { retryDelay: 10 },
};
const items = (n: number) =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `client${i}@client.local`, n: i } }));

describe('Send Templated Email: failures that apply to every message', () => {
	let sink: SmtpCapture;
	let proxy: CountingProxy;
	beforeAll(async () => {
		sink = await startSmtpCapture({ auth: { user: 'sales@crm.local', pass: 'right' } });
		proxy = await new CountingProxy(sink).start();
	});
	afterAll(async () => {
		await sink?.close();
		await proxy?.close();
	});
	beforeEach(() => {
		sink.reset();
		proxy.reset();
	});

	it('a refused login is tried once; with Continue On Fail every item fails at once with the same error', async () => {
		const run = await runWorkflow(sendWorkflow(base, { continueOnFail: true }), {
			credentials: {
				crmMailSmtp: smtpCredential(proxy, { user: 'sales@crm.local', password: 'wrong' }),
			},
			input: items(6),
		});
		const out = outputOf(run, NODE);
		expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		const errors = out.map((o) => o.json.error);
		expect(errors[0]).toMatch(/rejected the login for "sales@crm\.local".*535/);
		expect(new Set(errors).size).toBe(1);
		// one connection, one AUTH: a mailbox provider that locks accounts after failed logins sees one
		expect(proxy.opened).toBe(1);
		expect(sink.messages).toHaveLength(0);
	});

	it('the right login sends them all over the pool', async () => {
		const run = await runWorkflow(sendWorkflow(base), {
			credentials: {
				crmMailSmtp: smtpCredential(proxy, { user: 'sales@crm.local', password: 'right' }),
			},
			input: items(6),
		});
		expect(outputOf(run, NODE).map((o) => o.json.error)).toEqual(Array(6).fill(undefined));
		expect(sink.messages).toHaveLength(6);
	});

	it('custom headers cannot replace the MIME structure; other custom headers are kept', async () => {
		const headers = (name: string) => ({
			...base,
			options: {
				...base.options,
				headers: { header: [{ name, value: 'text/plain; charset=us-ascii' }] },
			},
		});
		const creds = {
			crmMailSmtp: smtpCredential(proxy, { user: 'sales@crm.local', password: 'right' }),
		};
		for (const name of ['Content-Type', 'MIME-Version', 'content-transfer-encoding']) {
			const run = await runWorkflow(sendWorkflow(headers(name), { continueOnFail: true }), {
				credentials: creds,
				input: items(1),
			});
			const [out] = outputOf(run, NODE);
			expect(out.json.error).toBe(
				`Custom header "${name}" cannot be set (item 0): it describes how the message is built`,
			);
		}
		expect(sink.messages).toHaveLength(0);
		const ok = await runWorkflow(sendWorkflow(headers('X-Content-Type-Hint')), {
			credentials: creds,
			input: items(1),
		});
		expect(outputOf(ok, NODE)[0].json.error).toBeUndefined();
		const [m] = await sink.waitFor(1);
		expect(m.raw.toString()).toMatch(/^X-Content-Type-Hint: text\/plain; charset=us-ascii$/m);
		expect(m.raw.toString()).toMatch(/^Content-Type: multipart\/alternative/m);
	});
});
