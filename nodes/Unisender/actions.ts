// execute() of the Unisender node: one function per operation (n8n glue around the plain client).
import { toNodeError } from '../shared/errors';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { UnisenderClient } from './client/client';
import { UnisenderError } from './client/errors';
import { commaList } from './client/form';
import type { ImportRow } from './client/import';
import { buildBatches, mapImportLog } from './client/import';
import { clientFor } from './transport';

type Ctx = IExecuteFunctions;

const failure = (e: unknown, i: number): INodeExecutionData => ({
	json: {
		error: (e as Error).message,
		...(e instanceof UnisenderError ? { code: e.code, description: e.description } : {}),
	},
	pairedItem: { item: i },
});

function listIdsOf(ctx: Ctx, name: string, i: number): string {
	return commaList(ctx.getNodeParameter(name, i, []) as string | Array<string | number>);
}

/** email / phone / custom fields / tags of item i, as Unisender field names -> values. */
function contactFields(ctx: Ctx, i: number): { fields: Record<string, string>; tags: string } {
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

async function perItem(
	ctx: Ctx,
	items: INodeExecutionData[],
	run: (i: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const json = await run(i);
			for (const j of Array.isArray(json) ? json : [json])
				out.push({ json: j, pairedItem: { item: i } });
		} catch (e) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), e, i);
			out.push(failure(e, i));
		}
	}
	return out;
}

async function importContacts(
	ctx: Ctx,
	client: UnisenderClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = items.map(() => []);
	const rows: ImportRow[] = [];
	const rejected: Array<{ item: number; message: string }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const { fields, tags } = contactFields(ctx, i);
			const lists = listIdsOf(ctx, 'listIds', i);
			const values: Record<string, string> = { ...fields };
			if (tags) values.tags = tags;
			if (lists && fields.email) values.email_list_ids = lists;
			if (lists && fields.phone) values.phone_list_ids = lists;
			rows.push({ item: i, values });
		} catch (e) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), e, i);
			results[i].push(failure(e, i));
		}
	}
	const valuesOf = new Map(rows.map((r) => [r.item, r.values]));
	const opts = ctx.getNodeParameter('importOptions', 0, {}) as {
		overwriteTags?: boolean;
		overwriteLists?: boolean;
	};
	for (const batch of buildBatches(rows)) {
		let answer;
		try {
			answer = await client.importContacts(batch.fieldNames, batch.data, opts);
		} catch (e) {
			if (!ctx.continueOnFail()) {
				const err = toNodeError(ctx.getNode(), e, batch.items[0]);
				if (batch.items[0] > 0) {
					err.description =
						`${err.description ?? ''} Items before item ${batch.items[0]} were already imported; importing them again is harmless.`.trim();
				}
				throw err;
			}
			for (const item of batch.items) results[item].push(failure(e, item));
			continue;
		}
		mapImportLog(batch, answer.result).forEach((o, row) => {
			const values = valuesOf.get(o.item) ?? {};
			const base: IDataObject = { email: values.email, phone: values.phone, imported: o.ok };
			if (o.log.length) base.log = o.log;
			if (!o.ok) {
				base.error = `Unisender did not import row ${row} of its batch: ${o.error}`;
				rejected.push({ item: o.item, message: o.error ?? '' });
				if (!ctx.continueOnFail()) return;
			}
			results[o.item].push({ json: base, pairedItem: { item: o.item } });
		});
	}
	if (rejected.length && !ctx.continueOnFail()) {
		const first = rejected[0];
		throw new NodeOperationError(
			ctx.getNode(),
			`Unisender rejected ${rejected.length} of ${rows.length} contacts; first: item ${first.item}: ${first.message}`,
			{
				itemIndex: first.item,
				description:
					'All other contacts were imported. Fix the rejected addresses in the source data, or enable "Continue On Fail" (Settings) to get one result per item with the error on the rejected ones.',
			},
		);
	}
	return results.flat();
}

export async function executeUnisender(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const client = await clientFor(this);

	if (resource === 'list') {
		if (operation === 'getAll') {
			return [
				await perItem(this, items.slice(0, 1), async (i) => {
					const lists = (await client.getLists()) as unknown as IDataObject[];
					const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
					return returnAll
						? lists
						: lists.slice(0, this.getNodeParameter('limit', i, 50) as number);
				}),
			];
		}
		return [
			await perItem(this, items, async (i) => {
				const title = String(this.getNodeParameter('title', i)).trim();
				const o = this.getNodeParameter('listOptions', i, {}) as {
					beforeSubscribeUrl?: string;
					afterSubscribeUrl?: string;
				};
				const { id } = await client.createList(title, o);
				return { id, title };
			}),
		];
	}

	switch (operation) {
		case 'importContacts':
			return [await importContacts(this, client, items)];
		case 'subscribe':
			return [
				await perItem(this, items, async (i) => {
					const listIds = listIdsOf(this, 'listIds', i);
					if (!listIds) {
						throw new NodeOperationError(this.getNode(), 'No list chosen', {
							itemIndex: i,
							description: 'Choose at least one list under "List Names or IDs".',
						});
					}
					const { fields, tags } = contactFields(this, i);
					const answer = await client.subscribe({
						listIds,
						fields,
						tags: tags || undefined,
						doubleOptin: this.getNodeParameter('doubleOptin', i, 4) as 0 | 3 | 4,
						overwrite: this.getNodeParameter('overwrite', i, 0) as 0 | 1 | 2,
					});
					const out: IDataObject = {
						person_id: answer.result?.person_id,
						email: fields.email,
						phone: fields.phone,
						list_ids: listIds,
					};
					if (answer.warnings?.length) out.warnings = answer.warnings as IDataObject[];
					return out;
				}),
			];
		case 'exclude':
		case 'unsubscribe':
			return [
				await perItem(this, items, async (i) => {
					const contactType = this.getNodeParameter('contactType', i, 'email') as 'email' | 'phone';
					const contact = String(this.getNodeParameter('contact', i, '')).trim();
					if (!contact) {
						throw new NodeOperationError(this.getNode(), 'No contact given', {
							itemIndex: i,
							description: 'Set "Contact" to the email or phone to remove.',
						});
					}
					const listIds = listIdsOf(this, 'removeListIds', i);
					await client.removeFromLists(operation, contactType, contact, listIds);
					return {
						contact,
						contact_type: contactType,
						list_ids: listIds || 'all',
						[operation === 'exclude' ? 'excluded' : 'unsubscribed']: true,
					};
				}),
			];
		case 'getContact':
			return [
				await perItem(this, items, async (i) => {
					const email = String(this.getNodeParameter('lookupEmail', i)).trim();
					const o = this.getNodeParameter('getOptions', i, {}) as {
						lists?: boolean;
						fields?: boolean;
						details?: boolean;
					};
					const answer = await client.getContact(email, {
						lists: o.lists ?? true,
						fields: o.fields ?? true,
						details: o.details ?? false,
					});
					return answer.result as IDataObject;
				}),
			];
		case 'isContactInLists':
			return [
				await perItem(this, items, async (i) => {
					const email = String(this.getNodeParameter('lookupEmail', i)).trim();
					const listIds = listIdsOf(this, 'listIds', i);
					const condition = this.getNodeParameter('condition', i, 'or') as 'and' | 'or';
					return {
						email,
						list_ids: listIds,
						condition,
						in_lists: await client.isContactInLists(email, listIds, condition),
					};
				}),
			];
		default:
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	}
}
