// What an item says about a contact: its email / phone, custom fields, tags, and the lists chosen for it.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { commaList } from '../../transport/form';

type Ctx = IExecuteFunctions;

export function listIdsOf(ctx: Ctx, name: string, i: number): string {
	return commaList(ctx.getNodeParameter(name, i, []) as string | Array<string | number>);
}

/** email / phone / custom fields / tags of item i, as Unisender field names -> values. */
export function contactFields(
	ctx: Ctx,
	i: number,
): { fields: Record<string, string>; tags: string } {
	const fields: Record<string, string> = {};
	const email = String(ctx.getNodeParameter('email', i, '') ?? '').trim();
	const phone = String(ctx.getNodeParameter('phone', i, '') ?? '').trim();
	if (email) fields.email = email;
	if (phone) fields.phone = phone;
	const extra =
		(ctx.getNodeParameter('fields.field', i, []) as Array<{ name?: string; value?: unknown }>) ??
		[];
	for (const f of extra) {
		const name = String(f.name ?? '').trim();
		if (!name) continue;
		if (name === 'email' || name === 'phone') {
			throw new NodeOperationError(ctx.getNode(), `"${name}" cannot be set under Fields`, {
				itemIndex: i,
				description: `Use the ${name === 'email' ? 'Email' : 'Phone'} parameter of the node instead.`,
			});
		}
		fields[name] = f.value === undefined || f.value === null ? '' : String(f.value);
	}
	if (!fields.email && !fields.phone) {
		throw new NodeOperationError(ctx.getNode(), 'The contact has neither an email nor a phone', {
			itemIndex: i,
			description:
				'Set Email (or Phone) to an expression that gives a value for every item, e.g. {{ $json.email }}.',
		});
	}
	return { fields, tags: commaList(String(ctx.getNodeParameter('tags', i, '') ?? '')) };
}
