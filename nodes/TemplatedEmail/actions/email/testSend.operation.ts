// Test Send: every message goes to one test address; its real recipients are named in a header.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { OutgoingMessage } from '../../message/build';
import type { Recipients } from './recipients';
import { addresses } from './recipients';
import type { Delivery } from './send.operation';
import * as send from './send.operation';

export const description: INodeProperties[] = [
	{
		displayName: 'Test Address',
		name: 'testAddress',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'me@example.com',
		displayOptions: { show: { mode: ['test'] } },
		description:
			'Every message goes here; To, CC and BCC are not used (they are listed in the X-Test-Original-Recipients header)',
	},
];

/** The test address instead of To, CC and BCC, which go into X-Test-Original-Recipients. */
export function redirect(ctx: IExecuteFunctions, i: number, original: Recipients): Recipients {
	const test = addresses(ctx.getNodeParameter('testAddress', i), 'Test Address', i, true);
	original.headers.push({
		key: 'X-Test-Original-Recipients',
		value: [...original.to, ...original.cc, ...original.bcc].map((a) => a.address).join(', '),
	});
	return { to: test, cc: [], bcc: [], headers: original.headers };
}

export async function execute(delivery: Delivery, message: OutgoingMessage): Promise<IDataObject> {
	return await send.execute(delivery, message, { testMode: true });
}
