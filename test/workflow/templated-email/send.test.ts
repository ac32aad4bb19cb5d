import { outputOf, runWorkflow, packageNodes } from '../../harness/workflow';
import { loadOptions } from '../../harness/node-methods';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import type { INodeType } from 'n8n-workflow';
import { binaryItem, CountingProxy, NODE, sendWorkflow, smtpCredential } from './helpers';

const base = {
	to: '={{ $json.contact.email }}',
	subject: 'Предложение для {{deal.company}}: {{deal.title}}',
	html: '<p>Здравствуйте, {{contact.name}}!</p><p>{{deal.company}} &mdash; {{money deal.amount "RUB" locale="ru-RU"}}</p>',
	options: { retryDelay: 10 },
};
const item = (i = 0, extra: Record<string, unknown> = {}) => ({
	json: {
		contact: { name: `Анна ${i}`, email: `client${i}@client.local` },
		deal: { title: `Сделка №${i}`, company: 'A&B <Co>', amount: 150000 },
		...extra,
	},
});

describe('Send Templated Email: sending through SMTP', () => {
	let sink: SmtpCapture;
	let proxy: CountingProxy;
	beforeAll(async () => {
		sink = await startSmtpCapture();
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
	const creds = (extra: Record<string, unknown> = {}) => ({
		crmMailSmtp: smtpCredential(proxy, extra),
	});

	it('renders and sends: non-ASCII subject and names, escaped HTML, generated text part, output fields', async () => {
		const run = await runWorkflow(sendWorkflow(base), { credentials: creds(), input: [item(1)] });
		const [out] = outputOf(run, NODE);
		const [m] = await sink.waitFor(1);
		const raw = m.raw.toString();
		// headers are RFC 2047-encoded, never raw UTF-8
		expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
		expect(raw).toMatch(/^From: =\?UTF-8\?.+\?= <sales@crm\.local>/m);
		const parsed = await parseCaptured(m);
		expect(parsed.subject).toBe('Предложение для A&B <Co>: Сделка №1');
		expect(parsed.from?.value[0]).toEqual({ name: 'Отдел продаж', address: 'sales@crm.local' });
		expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0].address).toBe(
			'client1@client.local',
		);
		expect(parsed.html).toContain('A&amp;B &lt;Co&gt; &mdash; 150');
		expect(parsed.text).toContain('Здравствуйте, Анна 1!');
		expect(parsed.text).toContain('A&B <Co>');
		expect(raw).toMatch(/Content-Type: multipart\/alternative/);
		expect(m.envelope).toEqual({ mailFrom: 'sales@crm.local', rcptTo: ['client1@client.local'] });
		expect(out.json).toMatchObject({
			messageId: parsed.messageId,
			accepted: ['client1@client.local'],
			rejected: [],
			envelope: { from: 'sales@crm.local', to: ['client1@client.local'] },
			subject: 'Предложение для A&B <Co>: Сделка №1',
		});
		expect(out.json.response).toMatch(/^250/);
		expect(out.pairedItem).toEqual({ item: 0 });
	});

	it('attachments keep name and type; inline images by cid; cc / bcc / reply-to lists and arrays', async () => {
		const input = binaryItem(
			{
				...item(2).json,
				team: ['Boss <boss@crm.local>', { name: 'Ops', address: 'ops@crm.local' }],
			},
			{
				offer: {
					content: '%PDF-1.4 offer',
					fileName: 'Коммерческое предложение.pdf',
					mimeType: 'application/pdf',
				},
				logo: {
					content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
					fileName: 'logo.png',
					mimeType: 'image/png',
				},
			},
		);
		const params = {
			...base,
			html: '<img src="cid:logo"><p>{{contact.name}}</p>',
			options: {
				...base.options,
				attachments: 'offer',
				inlineImages: { image: [{ binaryProperty: 'logo', cid: 'logo' }] },
				cc: '={{ $json.team }}',
				bcc: 'audit@crm.local; "Doe, John" <john@crm.local>',
				replyTo: 'Anna <anna@crm.local>',
			},
		};
		await runWorkflow(sendWorkflow(params), { credentials: creds(), input: [input] });
		const [m] = await sink.waitFor(1);
		const parsed = await parseCaptured(m);
		const pdf = parsed.attachments.find((a) => a.contentType === 'application/pdf')!;
		expect(pdf.filename).toBe('Коммерческое предложение.pdf');
		expect(pdf.content.toString()).toBe('%PDF-1.4 offer');
		const logo = parsed.attachments.find((a) => a.contentType === 'image/png')!;
		expect(logo.cid).toBe('logo');
		expect(logo.contentDisposition).toBe('inline');
		expect(m.raw.toString()).toMatch(/multipart\/related/);
		expect(parsed.cc && !Array.isArray(parsed.cc) && parsed.cc.value.map((a) => a.address)).toEqual(
			['boss@crm.local', 'ops@crm.local'],
		);
		expect(parsed.replyTo?.value[0].address).toBe('anna@crm.local');
		expect(m.raw.toString()).not.toMatch(/^Bcc:/im); // hidden recipients only in the envelope
		expect(m.envelope.rcptTo.sort()).toEqual([
			'audit@crm.local',
			'boss@crm.local',
			'client2@client.local',
			'john@crm.local',
			'ops@crm.local',
		]);
	});

	it('threading headers from the incoming email item, and custom headers', async () => {
		const params = {
			...base,
			subject: 'Re: {{subject}}',
			options: {
				...base.options,
				inReplyTo: '={{ $json.messageId }}',
				references: '={{ $json.references }}',
				headers: { header: [{ name: 'X-CRM-Deal-ID', value: '={{ $json.dealId }}' }] },
			},
		};
		const incoming = {
			...item(3).json,
			subject: 'Вопрос',
			messageId: '<q1@client.local>',
			references: ['<a0@client.local>'],
			dealId: 'D-77',
		};
		await runWorkflow(sendWorkflow(params), { credentials: creds(), input: [{ json: incoming }] });
		const parsed = await parseCaptured((await sink.waitFor(1))[0]);
		expect(parsed.inReplyTo).toBe('<q1@client.local>');
		expect(parsed.references).toEqual(['<a0@client.local>', '<q1@client.local>']);
		expect(parsed.headers.get('x-crm-deal-id')).toBe('D-77');
		expect(parsed.subject).toBe('Re: Вопрос');
	});

	it('one pooled transport per run: 12 messages over at most Pool Size connections, closed at the end', async () => {
		const input = Array.from({ length: 12 }, (_, i) => item(i));
		const run = await runWorkflow(sendWorkflow(base), {
			credentials: creds({ poolSize: 2 }),
			input,
		});
		expect(outputOf(run, NODE)).toHaveLength(12);
		expect(sink.messages).toHaveLength(12);
		expect(proxy.opened).toBeGreaterThanOrEqual(1);
		expect(proxy.opened).toBeLessThanOrEqual(2);
		await proxy.allClosed();
		// output order follows input order even though sends overlap
		expect(outputOf(run, NODE).map((o) => o.json.envelope)).toEqual(
			input.map((it) => ({ from: 'sales@crm.local', to: [it.json.contact.email] })),
		);
	});

	it('a 4xx answer is retried with backoff, then the message goes out once', async () => {
		sink.failNext(2, { code: 451, message: 'Greylisted, try later' });
		const run = await runWorkflow(sendWorkflow(base), { credentials: creds(), input: [item(4)] });
		expect(run.data.resultData.error).toBeUndefined();
		expect(sink.rejected.map((r) => r.code)).toEqual([451, 451]);
		expect(sink.messages).toHaveLength(1);
		expect(outputOf(run, NODE)[0].json.accepted).toEqual(['client4@client.local']);
	});

	it('a connection that drops during DATA is never resent: the item says it may have been sent, with its Message-ID', async () => {
		sink.dropNext(1);
		const run = await runWorkflow(sendWorkflow(base, { continueOnFail: true }), {
			credentials: creds(),
			input: [item(5)],
		});
		const [out] = outputOf(run, NODE);
		expect(out.json.error).toMatch(
			/dropped before the server confirmed the message .*: it may have been sent \(Message-ID <[^>]+>\)$/,
		);
		expect(out.json.description).toMatch(/does not send it again by itself/);
		expect(proxy.opened).toBe(1);
		expect(sink.messages).toHaveLength(0);
	});

	it("a 5xx fails the item with the server's words", async () => {
		sink.failRcpt('client6@client.local', 550, 'Mailbox is frozen');
		const run = await runWorkflow(sendWorkflow(base), { credentials: creds(), input: [item(6)] });
		const error = run.data.resultData.error!;
		expect(error.message).toContain('Mailbox is frozen');
		expect(error.message).toContain('550');
		expect(sink.messages).toHaveLength(0);
	});

	it('with Continue On Fail the others are still sent', async () => {
		sink.failRcpt('client1@client.local', 550, 'No such user here');
		const run = await runWorkflow(sendWorkflow(base, { continueOnFail: true }), {
			credentials: creds(),
			input: [item(0), item(1), item(2)],
		});
		const out = outputOf(run, NODE);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json.error).toContain('No such user here');
		expect(out[0].json.accepted).toEqual(['client0@client.local']);
		expect(out[2].json.accepted).toEqual(['client2@client.local']);
		expect(sink.messages.map((m) => m.envelope.rcptTo[0]).sort()).toEqual([
			'client0@client.local',
			'client2@client.local',
		]);
	});

	it('a missing variable fails naming the variable and the item; nothing is sent for it', async () => {
		const bad = {
			json: { contact: { email: 'x@client.local' }, deal: { title: 't', company: 'c', amount: 1 } },
		};
		const run = await runWorkflow(sendWorkflow(base, { continueOnFail: true }), {
			credentials: creds(),
			input: [item(0), bad],
		});
		const out = outputOf(run, NODE);
		expect(out[1].json.error).toBe(
			'The variable "contact.name" used in the HTML body of item 1 has no value',
		);
		expect(sink.messages).toHaveLength(1);
		const strict = await runWorkflow(sendWorkflow(base), { credentials: creds(), input: [bad] });
		expect(strict.data.resultData.error?.message).toContain('"contact.name"');
		const lenient = await runWorkflow(sendWorkflow({ ...base, missingVariables: 'empty' }), {
			credentials: creds(),
			input: [bad],
		});
		expect(lenient.data.resultData.error).toBeUndefined();
		expect((await parseCaptured(sink.messages[1])).text).toContain('Здравствуйте, !');
	});

	it('preview renders subject, HTML and text and sends nothing', async () => {
		const run = await runWorkflow(
			sendWorkflow({ ...base, mode: 'preview', text: 'Hi {{contact.name}} & co' }),
			{ credentials: creds(), input: [item(7)] },
		);
		const [out] = outputOf(run, NODE);
		expect(out.json).toMatchObject({
			subject: 'Предложение для A&B <Co>: Сделка №7',
			text: 'Hi Анна 7 & co',
			to: ['client7@client.local'],
		});
		expect(out.json.html).toContain('A&amp;B &lt;Co&gt;');
		expect(sink.messages).toHaveLength(0);
		expect(proxy.opened).toBe(0);
	});

	it('test mode sends every message to the test address only', async () => {
		const params = {
			...base,
			mode: 'test',
			testAddress: 'qa@crm.local',
			options: { ...base.options, cc: 'boss@crm.local', bcc: 'audit@crm.local' },
		};
		const run = await runWorkflow(sendWorkflow(params), {
			credentials: creds(),
			input: [item(8), item(9)],
		});
		await sink.waitFor(2);
		expect(sink.messages.map((m) => m.envelope.rcptTo)).toEqual([
			['qa@crm.local'],
			['qa@crm.local'],
		]);
		const parsed = await parseCaptured(sink.messages[0]);
		expect(parsed.headers.get('x-test-original-recipients')).toMatch(
			/client\d@client\.local, boss@crm\.local, audit@crm\.local/,
		);
		expect(parsed.cc).toBeUndefined();
		expect(outputOf(run, NODE)[0].json.testMode).toBe(true);
	});

	it("From must be one of the account's allowed senders; the dropdown lists them", async () => {
		const ok = await runWorkflow(sendWorkflow({ ...base, from: 'Anna Petrova <anna@crm.local>' }), {
			credentials: creds(),
			input: [item(1)],
		});
		expect(ok.data.resultData.error).toBeUndefined();
		expect((await parseCaptured((await sink.waitFor(1))[0])).from?.value[0]).toEqual({
			name: 'Anna Petrova',
			address: 'anna@crm.local',
		});
		const bad = await runWorkflow(sendWorkflow({ ...base, from: 'ceo@crm.local' }), {
			credentials: creds(),
			input: [item(1)],
		});
		expect(bad.data.resultData.error?.message).toContain(
			'"ceo@crm.local" is not an allowed sender',
		);
		expect(sink.messages).toHaveLength(1);
		const node = packageNodes().get('n8n-nodes-crm-mail.templatedEmail') as INodeType;
		const options = await loadOptions(node, 'getSenders', { credentials: creds() });
		expect(options.map((o) => o.value)).toEqual([
			'',
			'Отдел продаж <sales@crm.local>',
			'Anna Petrova <anna@crm.local>',
			'support@crm.local',
		]);
		expect(options[0].name).toBe('Account Default (Отдел продаж <sales@crm.local>)');
	});

	it('templates from a field or from a binary HTML file; signature and reusable partials', async () => {
		const params = {
			...base,
			htmlSource: 'binary',
			htmlBinaryProperty: 'tpl',
			options: {
				...base.options,
				signature: '<p>-- {{manager}}</p>',
				partials: { partial: [{ name: 'legal', template: '<small>{{company}}</small>' }] },
			},
		};
		const input = binaryItem(
			{ ...item(1).json, manager: 'Bob', company: 'Acme' },
			{
				tpl: {
					content: '<p>Hello {{contact.name}}</p>{{> legal}}{{> signature}}',
					fileName: 'offer.html',
					mimeType: 'text/html',
				},
			},
		);
		await runWorkflow(sendWorkflow(params), { credentials: creds(), input: [input] });
		expect((await parseCaptured((await sink.waitFor(1))[0])).html).toBe(
			'<p>Hello Анна 1</p><small>Acme</small><p>-- Bob</p>',
		);
		sink.reset();
		await runWorkflow(sendWorkflow({ ...base, htmlSource: 'field', htmlField: 'crm.template' }), {
			credentials: creds(),
			input: [{ json: { ...item(2).json, crm: { template: '<b>{{deal.title}}</b>' } } }],
		});
		expect((await parseCaptured((await sink.waitFor(1))[0])).html).toBe('<b>Сделка №2</b>');
	});
});
