// Shared by the Mark Undeliverable workflow tests: the one-node workflow on a backend, and bounce / complaint
// events shaped as the IMAP Sync Trigger emits them.
import type {
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { WorkflowJson } from '../../harness/workflow';
import { outputOf, runWorkflow } from '../../harness/workflow';

export type Input = Array<{ json: Record<string, unknown> }>;
export type Credential = [string, ICredentialDataDecryptedObject];

const wf = (
	backend: string,
	credential: string,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
): WorkflowJson => ({
	nodes: [
		{
			id: 's',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'c',
			name: 'CRM',
			type: 'n8n-nodes-crm-mail.crmMatch',
			typeVersion: 2,
			position: [200, 0],
			parameters: { backend, ...parameters } as INodeParameters,
			credentials: { [credential]: { id: 'x', name: 'x' } },
			...extra,
		},
	],
	connections: { Start: { main: [[{ node: 'CRM', type: NodeConnectionTypes.Main, index: 0 }]] } },
});

/** Runs the node on `input`; Mark Undeliverable unless `parameters` says otherwise. */
export async function run(
	backend: string,
	credential: Credential,
	input: Input,
	parameters: Record<string, unknown> = {},
	extra: Record<string, unknown> = {},
) {
	return await runWorkflow(
		wf(backend, credential[0], { operation: 'markUndeliverable', ...parameters }, extra),
		{ credentials: { [credential[0]]: credential[1] }, input: input as INodeExecutionData[] },
	);
}

export const crmOf = (r: Awaited<ReturnType<typeof run>>) =>
	outputOf(r, 'CRM').map((i) => i.json.crm as any);

// events as the IMAP Sync Trigger emits them (nodes/shared/bounces/types.ts)
export const bounce = (recipient: string, kind = 'hard') => ({
	json: {
		event: 'bounce',
		recipient,
		kind,
		action: kind === 'delay' ? 'delayed' : 'failed',
		status: kind === 'hard' ? '5.1.1' : '4.2.2',
		reason: kind === 'hard' ? 'userUnknown' : 'mailboxFull',
		original: { messageId: '<offer-1@mycompany.com>', subject: 'Offer', to: [recipient] },
	},
});
export const complaint = (recipient: string) => ({
	json: {
		event: 'complaint',
		recipient,
		feedbackType: 'abuse',
		arrivalDate: '2026-03-01T10:00:00.000Z',
		original: { messageId: '<news-1@mycompany.com>', subject: 'News', to: [recipient] },
	},
});
