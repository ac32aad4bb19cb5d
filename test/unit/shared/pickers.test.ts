import type { INodeProperties } from 'n8n-workflow';
import { pickedValue, searchable, versionedPicker } from '../../../nodes/shared/pickers';

const dropdown: INodeProperties = {
	displayName: 'Stage Name or ID',
	name: 'stage',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getStages' },
	default: 'Prospecting',
	displayOptions: { show: { operation: ['create'] } },
};

test('version 1 keeps its dropdown; version 2 gets a resource locator of the same name and default', () => {
	const [v1, v2] = versionedPicker(dropdown, 'searchStages', {
		name: 'name',
		displayName: 'By Name',
		placeholder: 'Prospecting',
	});
	expect(v1).toEqual({
		...dropdown,
		displayOptions: { show: { operation: ['create'], '@version': [1] } },
	});
	expect(v2).toMatchObject({
		displayName: 'Stage',
		name: 'stage',
		type: 'resourceLocator',
		default: { mode: 'list', value: 'Prospecting' },
		displayOptions: { show: { operation: ['create'], '@version': [2] } },
	});
	expect(v2.modes?.map((m) => [m.name, m.type])).toEqual([
		['list', 'list'],
		['name', 'string'],
	]);
	expect(v2.modes?.[0].typeOptions).toEqual({ searchListMethod: 'searchStages', searchable: true });
});

test('the value of either version', () => {
	expect(pickedValue('INBOX')).toBe('INBOX');
	expect(pickedValue({ __rl: true, mode: 'path', value: 'INBOX/Archive' })).toBe('INBOX/Archive');
	expect(pickedValue({ __rl: true, mode: 'list', value: '' })).toBe('');
	expect(pickedValue(undefined)).toBe('');
});

test('a search over a dropdown filters names and values, case-insensitively', async () => {
	const search = searchable(async () => [
		{ name: 'Closed Won', value: 'won' },
		{ name: 'Prospecting', value: 'p1' },
	]);
	const run = (filter?: string) => search.call({} as never, filter);
	expect((await run('WON')).results).toEqual([{ name: 'Closed Won', value: 'won' }]);
	expect((await run('p1')).results).toEqual([{ name: 'Prospecting', value: 'p1' }]);
	expect((await run()).results).toHaveLength(2);
	expect((await run('none')).results).toEqual([]);
});
