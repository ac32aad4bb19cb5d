// What Send Templated Email gives a mail so that its bounce can be matched: with tracking on, the sealed
// X-CRM-Mail-Ref header (Message-ID, recipient, tracking id and data); with a Bounce Address in the SMTP
// credential, that envelope sender, and with both a VERP one (`bounces+<token>@`) naming the Message-ID. The From
// the recipient sees never changes.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { openSendReference } from '../../../nodes/shared/bounces/reference';
import { openVerpAddress } from '../../../nodes/shared/bounces/verp';
import { parseCaptured, startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture';
import { outputOf, runWorkflow } from '../../harness/workflow';
import { NODE, sendWorkflow, smtpCredential } from './helpers';

const SECRET = randomBytes(32).toString('hex');
const tracking = { emailTracking: { secret: SECRET, baseUrl: 'https://crm.example/webhook/t' } };

function workflow(trackingOn: boolean, continueOnFail = false) {
	const wf = sendWorkflow(
		{
			to: '={{ $json.email }}',
			subject: 'Offer',
			html: '<p>Offer</p>',
			options: {
				retryDelay: 10,
				headers: { header: [{ name: 'X-CRM-Mail-Ref', value: 'made-up' }] },
			},
			tracking: trackingOn,
			trackingOptions: { data: { value: [{ key: 'dealId', value: '={{ $json.deal }}' }] } },
		},
		{ continueOnFail },
	);
	if (trackingOn)
		wf.nodes[0].credentials = { ...wf.nodes[0].credentials, emailTracking: { id: 't', name: 't' } };
	return wf;
}

const refHeaders = (raw: Buffer) =>
	raw
		.toString('latin1')
		.split(/\r?\n\r?\n/, 1)[0]
		.replace(/\r?\n[ \t]+/g, ' ')
		.split(/\r?\n/)
		.filter((l) => /^x-crm-mail-ref:/i.test(l))
		.map((l) => l.slice(l.indexOf(':') + 1).trim());

describe('Send Templated Email: send reference and VERP return address', () => {
	let sink: SmtpCapture;
	beforeAll(async () => {
		sink = await startSmtpCapture();
	});
	afterAll(async () => sink?.close());
	beforeEach(() => sink.reset());

	it('tracked mail with a Bounce Address: signed header, VERP envelope sender, Message-ID on the bounce domain', async () => {
		const run = await runWorkflow(workflow(true), {
			credentials: {
				crmMailSmtp: smtpCredential(sink, { bounceAddress: 'Bounces@Mail.CRM.local' }),
				...tracking,
			},
			input: [{ json: { email: 'ann@client.local', deal: 'D-42' } }],
		});
		const [out] = outputOf(run, NODE);
		const [captured] = await sink.waitFor(1);
		expect(out.json.messageId).toMatch(/^<[0-9a-f-]{36}@mail\.crm\.local>$/);
		expect(captured.envelope.mailFrom).toMatch(/^bounces\+[a-z2-7]{45}@mail\.crm\.local$/);
		expect((out.json.envelope as { from: string }).from).toBe(captured.envelope.mailFrom);
		const verp = openVerpAddress(SECRET, captured.envelope.mailFrom)!;
		expect(verp.messageId).toBe(out.json.messageId);
		expect(verp.isRecipient('ann@client.local')).toBe(true);

		const mail = await parseCaptured(captured);
		expect(mail.from?.value[0].address).toBe('sales@crm.local');
		// the item's made-up header did not pass for ours: one header, and it is sealed
		const refs = refHeaders(captured.raw);
		expect(refs).toHaveLength(1);
		expect(openSendReference(SECRET, refs[0])).toEqual({
			messageId: out.json.messageId,
			recipient: 'ann@client.local',
			trackingId: out.json.trackingId,
			data: { dealId: 'D-42' },
			sentAt: expect.any(Number),
		});
		expect(captured.raw.toString('latin1')).not.toContain('D-42');
	});

	it('a Bounce Address without tracking is the plain envelope sender; tracking without one keeps the From', async () => {
		await runWorkflow(workflow(false), {
			credentials: { crmMailSmtp: smtpCredential(sink, { bounceAddress: 'bounces@crm.local' }) },
			input: [{ json: { email: 'ann@client.local', deal: 'D-1' } }],
		});
		await runWorkflow(workflow(true), {
			credentials: { crmMailSmtp: smtpCredential(sink), ...tracking },
			input: [{ json: { email: 'bob@client.local', deal: 'D-2' } }],
		});
		const [plain, tracked] = await sink.waitFor(2);
		expect(plain.envelope.mailFrom).toBe('bounces@crm.local');
		expect(refHeaders(plain.raw)).toEqual(['made-up']);
		expect(tracked.envelope.mailFrom).toBe('sales@crm.local');
		expect(openSendReference(SECRET, refHeaders(tracked.raw)[0])?.data).toEqual({
			dealId: 'D-2',
		});
	});

	it('a Bounce Address with no room for the token fails each item with what to do', async () => {
		const run = await runWorkflow(workflow(true, true), {
			credentials: {
				crmMailSmtp: smtpCredential(sink, { bounceAddress: `${'b'.repeat(19)}@crm.local` }),
				...tracking,
			},
			input: [{ json: { email: 'ann@client.local', deal: 'D-1' } }],
		});
		const [out] = outputOf(run, NODE);
		expect(out.json.error).toMatch(/Bounce Address .* at most 18/);
		expect(out.json.description).toMatch(/Correct "Bounce Address \(VERP\)"/);
		expect(sink.messages).toHaveLength(0);
	});
});

describe('Send Templated Email: a server that refuses VERP senders', () => {
	let server: SMTPServer;
	let port = 0;
	let mailFroms: string[] = [];
	beforeAll(async () => {
		server = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS'],
			logger: false,
			onMailFrom(address, _session, callback) {
				mailFroms.push(address.address);
				const error = Object.assign(new Error('5.7.1 Sender address rejected: not owned by user'), {
					responseCode: 553,
				});
				callback(address.address.includes('+') ? error : undefined);
			},
			onData(stream, _session, callback) {
				stream.resume();
				stream.on('end', () => callback());
			},
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.server.address() as AddressInfo).port;
	});
	afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

	it('stops after the first refusal: every VERP address of the bounce address counts as one sender', async () => {
		mailFroms = [];
		const run = await runWorkflow(workflow(true, true), {
			credentials: {
				crmMailSmtp: smtpCredential(
					{ host: '127.0.0.1', port },
					{ bounceAddress: 'bounces@crm.local', poolSize: 1 },
				),
				...tracking,
			},
			input: ['a', 'b', 'c'].map((n) => ({ json: { email: `${n}@client.local`, deal: n } })),
		});
		const out = outputOf(run, NODE);
		expect(out).toHaveLength(3);
		for (const o of out) {
			expect(o.json.error).toMatch(/refused the sender/);
			expect(o.json.description).toMatch(/Bounce Address \(VERP\)/);
		}
		expect(mailFroms).toHaveLength(1);
	});
});
