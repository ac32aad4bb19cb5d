// The list picker: the account's lists, by name.
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import { clientFor } from '../transport/http';

export async function getLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const client = await clientFor(this);
	try {
		const lists = await client.getLists();
		return lists
			.map((l) => ({ name: `${l.title} (${l.id})`, value: String(l.id) }))
			.sort((a, b) => a.name.localeCompare(b.name));
	} catch (e) {
		throw toNodeError(this.getNode(), e);
	}
}
