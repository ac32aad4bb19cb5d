// The dropdowns from the portal: active users (user.get, the webhook needs the "user" permission), lead
// sources (crm.status.list, ENTITY_ID SOURCE) and the deal stages of every pipeline (crm.category.list
// with entityTypeId 2, then crm.status.list of DEAL_STAGE for the default pipeline, DEAL_STAGE_<id> for the
// others). A stage's value is its STATUS_ID (`C3:NEW` names its pipeline), so a deal gets both from it.
import type { Option } from '../types';
import type { Bitrix24Client, Command } from './client';

interface Status {
	STATUS_ID: string;
	NAME: string;
	SORT?: string | number;
}

export async function listUsers(client: Bitrix24Client): Promise<Option[]> {
	const lists = await client.lists<{
		ID: string;
		NAME?: string;
		LAST_NAME?: string;
		EMAIL?: string;
	}>(
		[
			{
				key: 'u',
				method: 'user.get',
				params: { FILTER: { ACTIVE: true }, sort: 'ID', order: 'ASC' },
			},
		],
		'list users',
	);
	return (lists.get('u') ?? []).map((u) => ({
		name: [u.NAME, u.LAST_NAME].filter(Boolean).join(' ') || u.EMAIL || u.ID,
		value: String(u.ID),
		email: u.EMAIL?.toLowerCase(),
	}));
}

const bySort = (a: Status, b: Status) => Number(a.SORT ?? 0) - Number(b.SORT ?? 0);

export async function listSources(client: Bitrix24Client): Promise<Option[]> {
	const lists = await client.lists<Status>(
		[{ key: 's', method: 'crm.status.list', params: { filter: { ENTITY_ID: 'SOURCE' } } }],
		'list sources',
	);
	return (lists.get('s') ?? []).sort(bySort).map((s) => ({ name: s.NAME, value: s.STATUS_ID }));
}

export async function listStages(client: Bitrix24Client): Promise<Option[]> {
	const { result } = await client.call<{ categories: Array<{ id: number; name: string }> }>(
		'crm.category.list',
		{ entityTypeId: 2 },
		'list pipelines',
	);
	const pipelines = result.categories ?? [];
	if (!pipelines.some((p) => Number(p.id) === 0)) pipelines.unshift({ id: 0, name: 'General' });
	const commands: Command[] = pipelines.map((p) => ({
		key: `p${p.id}`,
		method: 'crm.status.list',
		params: { filter: { ENTITY_ID: Number(p.id) === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${p.id}` } },
	}));
	const lists = await client.lists<Status>(commands, 'list deal stages');
	const many = pipelines.length > 1;
	return pipelines.flatMap((p) =>
		(lists.get(`p${p.id}`) ?? []).sort(bySort).map((s) => ({
			name: many ? `${p.name} / ${s.NAME}` : s.NAME,
			value: s.STATUS_ID,
		})),
	);
}
