// The two data tables of campaigns, in n8n's Data Tables through its public API (the CRM backend's client,
// reused): they live in n8n's own database, so SQLite and Postgres in queue mode both work, and no set-up
// step is needed: the first use creates them (and, on n8n 2.41+, adds columns a later version needs).
//   <prefix>suppression    one row per suppressed address (a race can leave two: readers take the oldest)
//   <prefix>campaign_log   one row per event of a campaign email: sent, opened, clicked, unsubscribed,
//                          bounced, complained
// Addresses are stored lower-cased (n8n's `eq` is case-sensitive); times are ISO strings (sortable).
// No n8n imports: the node hands in an `Http` that already carries the base URL and the API key.
import type { Http } from '../../CrmMatch/transport/types';
import { CrmError } from '../../CrmMatch/transport/types';
import { DataTablesClient, type TableInfo } from '../../CrmMatch/transport/dataTables/client';

export type CampaignTable = 'suppression' | 'campaignLog';

export const CAMPAIGN_TABLES: Record<CampaignTable, { suffix: string; columns: string[] }> = {
	suppression: {
		suffix: 'suppression',
		columns: ['email', 'reason', 'campaign', 'message_id', 'source', 'note', 'suppressed_at'],
	},
	campaignLog: {
		suffix: 'campaign_log',
		columns: [
			'campaign',
			'event',
			'recipient',
			'message_id',
			'tracking_id',
			'url',
			'classification',
			'event_at',
			'detail',
		],
	},
};

export const DEFAULT_TABLE_PREFIX = 'crm_';

/** The error of a failure with campaign tables: what is wrong and what to do (a CrmError: n8n glue knows it). */
export const campaignTablesError = (message: string, hint: string, status?: number) =>
	new CrmError(message, hint, status);

// Table ids per n8n instance and prefix, kept for the process: the tables are looked up once, not per run.
const knownIds = new Map<string, Promise<Record<CampaignTable, string>>>();

/** Forgets the cached table ids (a table was deleted in n8n; tests). */
export function forgetCampaignTables(cacheKey?: string): void {
	if (cacheKey === undefined) knownIds.clear();
	else
		for (const key of [...knownIds.keys()])
			if (key.startsWith(`${cacheKey}|`)) knownIds.delete(key);
}

export class CampaignTables {
	readonly client: DataTablesClient;

	/** `cacheKey` names the n8n instance (its base URL): table ids are cached per instance and prefix. */
	constructor(
		http: Http,
		readonly cacheKey: string,
		readonly prefix = DEFAULT_TABLE_PREFIX,
	) {
		this.client = new DataTablesClient(http);
	}

	name(table: CampaignTable): string {
		return `${this.prefix}${CAMPAIGN_TABLES[table].suffix}`;
	}

	/** The id of a table; creates the tables (and missing columns) on first use. */
	async id(table: CampaignTable): Promise<string> {
		const key = `${this.cacheKey}|${this.prefix}`;
		let ids = knownIds.get(key);
		if (!ids) {
			ids = this.ensure();
			knownIds.set(key, ids);
			ids.catch(() => knownIds.delete(key));
		}
		return (await ids)[table];
	}

	/**
	 * Runs `action` with a table's id; when n8n says the table is gone (deleted in the Data tables tab since
	 * it was cached), it is created again and the action repeated once.
	 */
	async with<T>(table: CampaignTable, action: (id: string) => Promise<T>): Promise<T> {
		try {
			return await action(await this.id(table));
		} catch (e) {
			if (!(e instanceof CrmError && e.status === 404 && /gone/.test(e.message))) throw e;
			forgetCampaignTables(this.cacheKey);
			return await action(await this.id(table));
		}
	}

	private async ensure(): Promise<Record<CampaignTable, string>> {
		const keys = Object.keys(CAMPAIGN_TABLES) as CampaignTable[];
		let found = await this.client.listTables(keys.map((k) => this.name(k)));
		const out = {} as Record<CampaignTable, string>;
		for (const key of keys) {
			const name = this.name(key);
			const columns = CAMPAIGN_TABLES[key].columns.map((c) => ({ name: c, type: 'string' }));
			let table: TableInfo | undefined = found.find((t) => t.name === name);
			if (!table) {
				// undefined: a parallel run created it meanwhile (409); read it back
				table = await this.client.createTable(name, columns);
				if (!table) {
					found = await this.client.listTables([name]);
					table = found.find((t) => t.name === name);
				}
				if (!table)
					throw campaignTablesError(
						`The data table ${name} could not be created`,
						'Check that the API key may create data tables (scope dataTable:create) and that the Data tables size limit is not reached.',
					);
			} else await this.addMissingColumns(table, columns);
			out[key] = table.id;
		}
		return out;
	}

	private async addMissingColumns(
		table: TableInfo,
		columns: Array<{ name: string; type: string }>,
	) {
		if (!table.columns) return;
		const have = new Set(table.columns.map((c) => c.name));
		const lacking = columns.filter((c) => !have.has(c.name));
		for (const column of lacking) {
			const added = await this.client.addColumn(table.id, table.name, column);
			if (added === undefined)
				throw campaignTablesError(
					`The data table ${table.name} lacks the columns ${lacking.map((c) => c.name).join(', ')}`,
					'This n8n cannot add columns through its API (n8n 2.41 can): add them in the Data tables tab as type string, or delete the table; the node creates it again.',
				);
		}
	}
}
