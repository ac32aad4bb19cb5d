// The dropdowns from the account: users (`GET /api/v4/users`, admin-only), sources (the account's lead
// tags, `GET /api/v4/leads/tags`: the rules write the source as a tag, amoCRM has no source field) and the
// stages of every pipeline (`GET /api/v4/leads/pipelines`, statuses embedded). A stage's value is
// `<pipeline_id>:<status_id>`, so a lead gets both; "won" (142), "lost" (143) and the
// "Incoming leads" stage (type 1, fed by unsorted mail and forms) are left out.
import type { Option } from '../types';
import type { AmoCrmClient } from './client';
import { LOST, WON } from './mapping';

export async function listUsers(client: AmoCrmClient): Promise<Option[]> {
	const users = await client.list<{
		id: number;
		name?: string;
		email?: string;
		rights?: { is_active?: boolean };
	}>('/users', 'users', [], 'list users');
	return users
		.filter((u) => u.rights?.is_active !== false)
		.map((u) => ({
			name: u.name || u.email || String(u.id),
			value: String(u.id),
			email: u.email?.toLowerCase(),
		}));
}

export async function listSources(client: AmoCrmClient): Promise<Option[]> {
	const tags = await client.list<{ id: number; name: string }>(
		'/leads/tags',
		'tags',
		[],
		'list tags',
	);
	const names = [...new Set(['Email', ...tags.map((t) => t.name)])];
	return names.map((name) => ({ name, value: name }));
}

interface Pipeline {
	id: number;
	name: string;
	sort?: number;
	is_archive?: boolean;
	_embedded?: { statuses?: Array<{ id: number; name: string; sort?: number; type?: number }> };
}

export async function listStages(client: AmoCrmClient): Promise<Option[]> {
	const body = await client.request<{ _embedded?: { pipelines?: Pipeline[] } }>(
		'GET',
		'/leads/pipelines',
		'list pipelines',
	);
	const pipelines = (body?._embedded?.pipelines ?? [])
		.filter((p) => !p.is_archive)
		.sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0));
	return pipelines.flatMap((p) =>
		(p._embedded?.statuses ?? [])
			.filter((s) => s.id !== WON && s.id !== LOST && s.type !== 1)
			.sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0))
			.map((s) => ({ name: `${p.name} / ${s.name}`, value: `${p.id}:${s.id}` })),
	);
}
