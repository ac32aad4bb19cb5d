// The hook point tracking plugs into: context extension before render, decoration before the MIME is built.
import { simpleParser } from 'mailparser';
import { buildRawMessage, type OutgoingMessage } from '../../../nodes/TemplatedEmail/message/build';
import {
	applyDecorators,
	contextFor,
	type MessageDecorator,
} from '../../../nodes/TemplatedEmail/message/decorators';
import { emailRenderer } from '../../../nodes/TemplatedEmail/render/email';

it('decorators add template variables, then change the rendered message, its headers and the output', async () => {
	const decorator: MessageDecorator = {
		name: 'test',
		extendContext: (input) => ({ unsubscribeUrl: `https://t.example/u/${input.itemIndex}` }),
		decorate: (message) => {
			message.html = message.html.replace('</p>', '</p><img src="https://t.example/o.gif">');
			message.headers.push({ key: 'List-Unsubscribe', value: '<https://t.example/u/0>' });
			message.output.trackingId = 'T-0';
		},
	};
	const input = {
		itemIndex: 0,
		json: { name: 'Ann', unsubscribeUrl: 'from-item' },
		messageId: '<m1@crm.local>',
		recipients: ['a@x.io'],
	};
	const render = emailRenderer(
		{
			subject: 'Hi {{name}}',
			html: '<p>Hi {{name}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a>',
			text: '',
			partials: {},
		},
		{
			timeZone: 'UTC',
			locale: 'en-US',
			currency: 'USD',
			missing: 'fail',
			inlineCss: false,
			autoText: true,
		},
	);
	const rendered = render(contextFor([decorator], input));
	expect(rendered.html).toContain('href="https://t.example/u/0"'); // the decorator wins over the item field
	const message: OutgoingMessage = {
		messageId: input.messageId,
		from: { name: 'Sales', address: 'sales@crm.local' },
		to: [{ name: '', address: 'a@x.io' }],
		cc: [],
		bcc: [],
		replyTo: [],
		...rendered,
		attachments: [],
		references: [],
		headers: [],
		output: {},
	};
	await applyDecorators([decorator], message, input);
	const raw = await buildRawMessage(message);
	const parsed = await simpleParser(raw);
	expect(parsed.html).toContain('<img src="https://t.example/o.gif">');
	expect(parsed.text).not.toContain('o.gif'); // the text part was generated before decoration: clean
	expect(raw.toString()).toMatch(/^List-Unsubscribe: <https:\/\/t\.example\/u\/0>\r$/m);
	expect(parsed.messageId).toBe('<m1@crm.local>');
	expect(message.output).toEqual({ trackingId: 'T-0' });
});
