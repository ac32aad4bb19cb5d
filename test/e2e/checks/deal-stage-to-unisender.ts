// examples/deal-stage-to-unisender.json in a real n8n: a won deal's contact is subscribed (no confirmation
// letter, tags crm + deal-won, the deal stage as a field) to the e2e's Unisender stand-in's list 1 through the
// "Sandbox Unisender" credential; the contact is read back from the stand-in's state and through its API.
import { randomUUID } from 'node:crypto';
import type { E2eEnv, Execution, ExampleCheck } from '../harness';

const email = `won-${randomUUID().slice(0, 8)}@client.example`;

const check: ExampleCheck = {
	webhookBody: { deal: { id: 'D-9', stage: 'won' }, contact: { email, name: 'Anna Won' } },
	async check(execution: Execution, env: E2eEnv) {
		if (execution.status !== 'success')
			throw new Error(`The example failed: ${execution.data?.resultData?.error?.message}`);
		const contact = env.unisender.fake.contact(email);
		if (!contact)
			throw new Error(
				`${email} is not in the Unisender stand-in (contacts: ${env.unisender.fake.contacts.map((c) => c.email).join(', ') || 'none'})`,
			);
		const lists = [...contact.lists.entries()].map(([id, l]) => `${id}:${l.status}`);
		if (lists.join(',') !== '1:new')
			throw new Error(`Expected list 1 with status new (double_optin 3), got ${lists.join(',')}`);
		if ([...contact.tags].sort().join(',') !== 'crm,deal-won')
			throw new Error(`Unexpected tags ${[...contact.tags].join(',')}`);
		if (contact.fields.Name !== 'Anna Won' || contact.fields.deal_stage !== 'won')
			throw new Error(`Unexpected fields ${JSON.stringify(contact.fields)}`);
		if (contact.invitations !== 0)
			throw new Error('A confirmation letter was sent although consent was already obtained');
		// as Unisender's own API reports it
		const body = new URLSearchParams({
			format: 'json',
			api_key: env.unisender.apiKey,
			email,
			list_ids: '1',
		});
		const res = await fetch(`${env.unisender.baseUrl}/en/api/isContactInLists`, {
			method: 'POST',
			body,
		});
		const answer = (await res.json()) as { result?: unknown; error?: string };
		if (answer.result !== true)
			throw new Error(`isContactInLists answered ${JSON.stringify(answer)}`);
	},
};

export default check;
