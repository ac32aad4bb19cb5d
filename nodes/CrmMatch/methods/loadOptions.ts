import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import { searchable } from '../../shared/pickers';
import { OWNER_MATCHED, OWNER_SENDER } from '../rules';
import { backendFor } from '../transport/http';

/** The CRM's users, after the placeholders the rules resolve per email. */
export async function getOwners(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fixed = [
		{ name: '- Nobody -', value: '' },
		{ name: 'The Sender', value: OWNER_SENDER },
		{ name: 'Owner of Matched Record', value: OWNER_MATCHED },
	];
	try {
		return [...fixed, ...(await (await backendFor(this)).listUsers())];
	} catch {
		return fixed; // e.g. an API key that may not list users: the placeholders still work
	}
}

export async function getSources(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		return await (await backendFor(this)).listSources();
	} catch (e) {
		throw toNodeError(this.getNode(), e);
	}
}

export async function getStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		return await (await backendFor(this)).listStages();
	} catch (e) {
		throw toNodeError(this.getNode(), e);
	}
}

export const searchOwners = searchable(getOwners);
export const searchSources = searchable(getSources);
export const searchStages = searchable(getStages);
