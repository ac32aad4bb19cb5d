// examples/opened-to-unisender.json in a real n8n: the recipient of a tracked offer mail opens it, i.e. their
// mail client loads the open pixel, a URL signed with the e2e's tracking secret under the credential's Tracking
// Base URL (the Email Tracking Trigger's production webhook). The flow starts and subscribes the recipient to
// list 1 of the Unisender stand-in with the tag offer-opened.
import { randomUUID } from 'node:crypto';
import { Tracker } from '../../../nodes/shared/tracking/urls';
import type { E2eEnv, Execution, ExampleCheck } from '../harness';

const recipient = `opener-${randomUUID().slice(0, 8)}@client.example`;
const THUNDERBIRD = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0';

const check: ExampleCheck = {
	async trigger(env: E2eEnv) {
		const tracker = new Tracker({
			secret: env.tracking.secret,
			baseUrl: env.tracking.baseUrl,
			trackingId: `e2e-${randomUUID()}`,
			messageId: `<${randomUUID()}@crm.local>`,
			recipient,
			data: { campaign: 'offer', dealId: 'D-1' },
			// sent ten minutes ago: an open within 2 s of sending counts as a security scanner and is dropped
			sentAt: Date.now() - 600_000,
		});
		const url = tracker.openUrl();
		if (!url.startsWith(`${env.webhookUrl}/webhook/email-tracking/open?t=`))
			throw new Error(`Unexpected open URL ${url}`);
		const res = await fetch(url, { headers: { 'user-agent': THUNDERBIRD } });
		const body = Buffer.from(await res.arrayBuffer());
		if (
			res.status !== 200 ||
			res.headers.get('content-type') !== 'image/gif' ||
			body.subarray(0, 3).toString() !== 'GIF'
		) {
			throw new Error(
				`The open pixel answered ${res.status} ${res.headers.get('content-type')}: ${body.toString('utf8').slice(0, 300)}`,
			);
		}
	},
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const opened =
			execution.data.resultData.runData['Offer Email Opened']?.[0]?.data?.main?.[0]?.[0]?.json;
		if (opened?.type !== 'opened' || opened?.recipient !== recipient)
			throw new Error(`Unexpected trigger item ${JSON.stringify(opened)}`);
		const contact = env.unisender.fake.contact(recipient);
		if (!contact)
			throw new Error(
				`${recipient} is not in the Unisender stand-in (contacts: ${env.unisender.fake.contacts.map((c) => c.email).join(', ') || 'none'})`,
			);
		if (!contact.lists.has(1))
			throw new Error(
				`${recipient} is in lists ${[...contact.lists.keys()].join(',')}, not in list 1`,
			);
		if (!contact.tags.has('offer-opened'))
			throw new Error(`${recipient} has tags ${[...contact.tags].join(',')}, not offer-opened`);
		if (contact.invitations !== 0)
			throw new Error('A confirmation letter was sent although consent was already obtained');
	},
};

export default check;
