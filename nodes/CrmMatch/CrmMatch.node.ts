import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { toNodeError } from '../shared/errors';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { DataTablesBackend } from './backends/dataTables/backend';
import { EspoCrmBackend } from './backends/espocrm/backend';
import type { CrmBackend, EntityType, Http, RecordInput } from './backends/types';
import { properties } from './description';
import type { EmailInput } from './email';
import { emailFromItem } from './email';
import { linkEmails, matchAndCreate, matchEmails } from './matchItems';
import type { MatchOptions, RecordRef } from './match';
import type { Rule, RulesConfig } from './rules';
import { OWNER_MATCHED, OWNER_SENDER } from './rules';

type Ctx = IExecuteFunctions | ILoadOptionsFunctions;

function transport(ctx: Ctx, credentialType: string, base: string): Http {
	return async (req) => {
		const res = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
			method: req.method,
			url: `${base}${req.path}`,
			qs: req.query,
			headers: req.headers,
			body: req.body as IDataObject,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown; headers: Record<string, string> };
		return { status: res.statusCode, body: res.body, headers: res.headers };
	};
}

async function backendFor(ctx: Ctx, tablePrefix = 'crm_'): Promise<CrmBackend> {
	const kind = ctx.getNodeParameter('backend', 'dataTables') as string;
	if (kind === 'espoCrm') {
		const creds = await ctx.getCredentials('crmMailEspoCrmApi');
		return new EspoCrmBackend(
			transport(ctx, 'crmMailEspoCrmApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		);
	}
	const creds = await ctx.getCredentials('crmMailN8nApi');
	return new DataTablesBackend(
		transport(ctx, 'crmMailN8nApi', `${String(creds.baseUrl).replace(/\/+$/, '')}/api/v1`),
		tablePrefix || 'crm_',
	);
}

function list(v: unknown): Set<string> {
	return new Set(
		String(v ?? '')
			.split(/[\s,;]+/)
			.map((s) => s.trim().toLowerCase().replace(/^@/, ''))
			.filter(Boolean),
	);
}

function rule(ctx: IExecuteFunctions, key: string): Rule {
	return {
		enabled: ctx.getNodeParameter(`${key}Enabled`, 0, true) as boolean,
		entity: ctx.getNodeParameter(`${key}Entity`, 0, 'lead') as EntityType,
		source: ctx.getNodeParameter(`${key}Source`, 0, '') as string,
		owner: ctx.getNodeParameter(`${key}Owner`, 0, '') as string,
	};
}

export class CrmMatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Match & Create',
		name: 'crmMatch',
		icon: { light: 'file:crmMatch.svg', dark: 'file:crmMatch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Link emails to CRM contacts, companies, leads and deals by address, and create the missing ones by rules',
		defaults: { name: 'CRM Match & Create' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'crmMailN8nApi',
				required: true,
				testedBy: 'n8nApiTest',
				displayOptions: { show: { backend: ['dataTables'] } },
			},
			{
				name: 'crmMailEspoCrmApi',
				required: true,
				displayOptions: { show: { backend: ['espoCrm'] } },
			},
		],
		properties,
	};

	methods = {
		loadOptions: {
			async getOwners(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
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
			},
			async getSources(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				try {
					return await (await backendFor(this)).listSources();
				} catch (e) {
					throw toNodeError(this.getNode(), e);
				}
			},
			async getStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				try {
					return await (await backendFor(this)).listStages();
				} catch (e) {
					throw toNodeError(this.getNode(), e);
				}
			},
		},
		credentialTest: {
			async n8nApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const base = `${String(data.baseUrl ?? '').replace(/\/+$/, '')}/api/v1`;
				try {
					const res = (await this.helpers.request({
						method: 'GET',
						uri: `${base}/data-tables?limit=1`,
						headers: { 'X-N8N-API-KEY': String(data.apiKey ?? '') },
						json: true,
						simple: false,
						resolveWithFullResponse: true,
					})) as { statusCode: number; body: { message?: string } };
					if (res.statusCode === 200) return { status: 'OK', message: 'Connection successful' };
					if (res.statusCode === 401)
						return {
							status: 'Error',
							message: 'n8n refused the API key (401): create one under Settings > n8n API',
						};
					if (res.statusCode === 404)
						return {
							status: 'Error',
							message:
								'No data tables API at this URL (404): n8n 2.7+ with the public API enabled is needed',
						};
					return {
						status: 'Error',
						message: `n8n answered ${res.statusCode}: ${res.body?.message ?? ''}`,
					};
				} catch (e) {
					return {
						status: 'Error',
						message: `Cannot reach n8n at ${base}: ${(e as Error).message}`,
					};
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		let backend: CrmBackend;
		try {
			backend = await backendFor(this, options.tablePrefix as string);
		} catch (e) {
			throw toNodeError(this.getNode(), e);
		}
		const out: INodeExecutionData[] = [];
		const fail = (i: number, e: unknown) => {
			const err = toNodeError(this.getNode(), e, i);
			if (!this.continueOnFail()) throw err;
			out.push({ json: { error: err.message }, pairedItem: { item: i } });
		};
		try {
			if (operation === 'setupTables') {
				if (!backend.setup)
					throw new NodeOperationError(
						this.getNode(),
						'Set Up Tables is only for the n8n Data Tables backend',
					);
				return [[{ json: { ...(await backend.setup()) }, pairedItem: { item: 0 } }]];
			}
			if (['match', 'matchAndCreate', 'linkEmail'].includes(operation))
				return [await emailOperation.call(this, backend, operation, items, options, fail, out)];
		} catch (e) {
			throw toNodeError(this.getNode(), e);
		}
		for (let i = 0; i < items.length; i++) {
			try {
				const entity = this.getNodeParameter('entity', i) as EntityType;
				if (operation === 'find') {
					const found = await backend.find(entity, {
						email: this.getNodeParameter('findEmail', i, '') as string,
						domain: this.getNodeParameter('findDomain', i, '') as string,
						name: this.getNodeParameter('findName', i, '') as string,
						limit: this.getNodeParameter('limit', i, 50) as number,
					});
					for (const r of found)
						out.push({ json: { ...r } as unknown as IDataObject, pairedItem: { item: i } });
				} else if (operation === 'get') {
					const id = this.getNodeParameter('recordId', i) as string;
					const r = await backend.get(entity, id);
					if (!r)
						throw new NodeOperationError(this.getNode(), `No ${entity} with ID ${id}`, {
							itemIndex: i,
							description: 'Check the record ID.',
						});
					out.push({ json: { ...r } as unknown as IDataObject, pairedItem: { item: i } });
				} else {
					const fields = this.getNodeParameter('fields', i, {}) as RecordInput;
					const r =
						operation === 'create'
							? (await backend.create(entity, fields)).record
							: await backend.update(
									entity,
									this.getNodeParameter('recordId', i) as string,
									fields,
								);
					out.push({ json: { ...r } as unknown as IDataObject, pairedItem: { item: i } });
				}
			} catch (e) {
				fail(i, e);
			}
		}
		return [out];
	}
}

async function emailOperation(
	this: IExecuteFunctions,
	backend: CrmBackend,
	operation: string,
	items: INodeExecutionData[],
	options: IDataObject,
	fail: (i: number, e: unknown) => void,
	out: INodeExecutionData[],
) {
	const opts: MatchOptions = {
		ownAddresses: list(options.ownAddresses),
		internalDomains: list(options.internalDomains),
		extraFreeMail: list(options.extraFreeMail),
	};
	const emails: EmailInput[] = [];
	const index: number[] = [];
	const slots: Array<INodeExecutionData | undefined> = [];
	items.forEach((item, i) => {
		const { email, invalid } = emailFromItem(item.json);
		const problem =
			!email.from.length && !email.to.length
				? 'The item has no from / to addresses'
				: operation === 'linkEmail' && !email.messageId
					? 'The item has no messageId'
					: undefined;
		if (problem || invalid.length) {
			try {
				fail(
					i,
					new NodeOperationError(
						this.getNode(),
						problem ?? `Invalid addresses: ${invalid.join(', ')}`,
						{
							itemIndex: i,
							description:
								'Feed the node email items (e.g. from the IMAP Sync Trigger) with from / to / cc / subject / messageId / direction.',
						},
					),
				);
			} finally {
				slots.push(out.pop());
			}
			return;
		}
		slots.push(undefined);
		emails.push(email);
		index.push(i);
	});
	const results =
		operation === 'matchAndCreate'
			? await matchAndCreate(backend, emails, opts, rulesOf.call(this), (k, e) => fail(index[k], e))
			: await matchEmails(backend, emails, opts);
	const errors = new Map<number, INodeExecutionData>();
	for (const e of out.splice(0)) errors.set((e.pairedItem as { item: number }).item, e);
	let links: Awaited<ReturnType<typeof linkEmails>> | undefined;
	if (operation === 'linkEmail') {
		const targets = emails.map((_, k) => {
			const given = (items[index[k]].json.crm as { linkTargets?: RecordRef[] } | undefined)
				?.linkTargets;
			return Array.isArray(given) ? given : (results[k]?.linkTargets ?? []);
		});
		links = await linkEmails(backend, emails, targets);
	}
	const final: INodeExecutionData[] = [];
	let k = 0;
	items.forEach((item, i) => {
		const early = slots[i];
		if (early) {
			final.push(early);
			return;
		}
		if (errors.has(i)) {
			k++;
			final.push(errors.get(i)!);
			return;
		}
		const r = results[k];
		const link = links?.[k];
		k++;
		const crm =
			operation === 'linkEmail'
				? { ...((item.json.crm as IDataObject) ?? {}), links: link?.links ?? [] }
				: (r as unknown as IDataObject);
		final.push({ json: { ...item.json, crm }, pairedItem: { item: i } });
	});
	return final;
}

function rulesOf(this: IExecuteFunctions): RulesConfig {
	return {
		incomingUnknown: rule(this, 'incomingUnknown'),
		outgoingUnknown: rule(this, 'outgoingUnknown'),
		incomingKnown: rule(this, 'incomingKnown'),
		dealStage: this.getNodeParameter('dealStage', 0, '') as string,
		dealAmount: this.getNodeParameter('dealAmount', 0, 0) as number,
	};
}
