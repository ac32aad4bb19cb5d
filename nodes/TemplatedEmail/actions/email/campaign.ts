// "Send as Campaign" of Send Templated Email: the n8n glue around message/suppressedRecipients.ts.
// Before anything is sent, the addresses of every campaign item of the run are looked up on the suppression
// list in ONE batched query; after the sends, the "sent" rows of every campaign email go into the campaign
// log in ONE batched write (a POST per 500 rows). The write comes after the sends and its failure is only
// reported (on the items and in n8n's log): an email that went out is never failed or sent again for it.
// Campaigns apply to Send mode only: a test send or a preview is no campaign email.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { campaignTablesFor, DATA_TABLES_CREDENTIAL } from '../../../shared/campaign/connect';
import { CampaignLogWriter, mayPass, type CampaignLogRow } from '../../../shared/campaign/log';
import { SuppressionList, type SuppressionEntry } from '../../../shared/campaign/suppression';
import { DEFAULT_TABLE_PREFIX, type CampaignTables } from '../../../shared/campaign/tables';
import { toNodeError } from '../../../shared/errors';
import type { Describable } from '../../../shared/failure';
import { backoffDelay, retrying } from '../../../shared/retry';
import type { OutgoingMessage } from '../../message/build';
import {
	allAddresses,
	screenRecipients,
	sentRows,
	withoutKeptOut,
	type KeptOut,
} from '../../message/suppressedRecipients';
import type { Recipients } from './recipients';
import { addresses } from './recipients';

const showFor = (extra: Record<string, unknown[]> = {}) => ({
	show: { mode: ['send'], ...extra },
});

export const campaignProperties: INodeProperties[] = [
	{
		displayName: 'Send as Campaign',
		name: 'sendAsCampaign',
		type: 'boolean',
		default: false,
		displayOptions: showFor(),
		description:
			'Whether these emails belong to a campaign: suppressed recipients (unsubscribed, complaint, hard bounce, manual) are left out, every email sent is written to the campaign log, and tracking links and bounces name the campaign. Needs the CRM Mail Data Tables API credential.',
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'spring-sale-2026',
		displayOptions: showFor({ sendAsCampaign: [true] }),
		description:
			'Name or ID of the campaign, as the Campaign Report will show it. May differ per item (an expression); an item whose campaign is empty is sent as an ordinary email, without the suppression check and the log.',
	},
	{
		displayName: 'Campaign Options',
		name: 'campaignOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor({ sendAsCampaign: [true] }),
		options: [
			{
				displayName: 'Skip Suppressed Recipients',
				name: 'skipSuppressed',
				type: 'boolean',
				default: true,
				description:
					'Whether to look every recipient up on the suppression list first (one query for all items): an email whose To address is suppressed is not sent (its item says why), a suppressed CC or BCC address is left out',
			},
			{
				displayName: 'Table Prefix',
				name: 'tablePrefix',
				type: 'string',
				default: DEFAULT_TABLE_PREFIX,
				description:
					'Prefix of the two data tables, followed by suppression and campaign_log (crm_suppression, crm_campaign_log; created on first use); the same as in the Email Tracking Trigger',
			},
			{
				displayName: 'Write Campaign Log',
				name: 'campaignLog',
				type: 'boolean',
				default: true,
				description:
					'Whether to write a "sent" row per recipient of every email sent (campaign, recipient, Message-ID, time) into the campaign log, all in one request after the sends; the outcome is in each item\'s "campaignLog"',
			},
		],
	},
];

/** An item that cannot be handled: the router fails it (Continue On Fail: its own error item). */
export interface CampaignItemFailure {
	failure: unknown;
}

const LOOKUP_RETRIES = 2;

export class CampaignSend {
	/** The campaign of each Send-mode item that has one. */
	private readonly campaigns = new Map<number, string>();
	private readonly screened = new Map<number, KeptOut[]>();
	private readonly failures = new Map<number, unknown>();
	private readonly logged = new Set<number>();
	private readonly rows = new Map<number, { json: IDataObject; rows: CampaignLogRow[] }>();
	private tables?: CampaignTables;

	private constructor(private readonly ctx: IExecuteFunctions) {}

	/**
	 * Reads every item's campaign and looks all their addresses up at once. Without Continue On Fail a failed
	 * lookup stops the run here, before any email goes out; with it, each campaign item fails alone.
	 */
	static async prepare(ctx: IExecuteFunctions, count: number): Promise<CampaignSend> {
		const run = new CampaignSend(ctx);
		const lists = new Map<number, Record<'to' | 'cc' | 'bcc', string[]>>();
		for (let i = 0; i < count; i++) {
			try {
				if (ctx.getNodeParameter('mode', i) !== 'send') continue;
				if (!ctx.getNodeParameter('sendAsCampaign', i, false)) continue;
				const name = String(ctx.getNodeParameter('campaign', i, '') ?? '').trim();
				if (!name) continue;
				run.campaigns.set(i, name);
				if (ctx.getNodeParameter('campaignOptions.campaignLog', i, true)) run.logged.add(i);
				if (!ctx.getNodeParameter('campaignOptions.skipSuppressed', i, true)) continue;
				const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
				const address = (list: Array<{ address: string }>) => list.map((a) => a.address);
				lists.set(i, {
					to: address(addresses(ctx.getNodeParameter('to', i), 'To', i, true)),
					cc: address(addresses(options.cc, 'CC', i)),
					bcc: address(addresses(options.bcc, 'BCC', i)),
				});
			} catch (error) {
				// the same error composing would give; never an item sent without its check
				run.failures.set(i, error);
			}
		}
		if (!run.campaigns.size) return run;
		try {
			run.tables = await run.connect();
			if (lists.size) {
				const found = await run.lookup([...lists.values()].flatMap(allAddresses));
				for (const [i, list] of lists) run.screened.set(i, screenRecipients(list, found).keptOut);
			}
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error);
			for (const i of lists.keys()) run.failures.set(i, error);
			if (!run.tables) for (const i of run.campaigns.keys()) run.failures.set(i, error);
		}
		return run;
	}

	/** The campaign of an item (Send mode, Send as Campaign on, not empty), else undefined. */
	readonly campaignFor = (i: number): string | undefined => this.campaigns.get(i);

	/**
	 * Before composing item i: a failure to report, the output of an email that is not sent (a suppressed To
	 * address), or undefined to go on.
	 */
	verdict(i: number): CampaignItemFailure | IDataObject | undefined {
		if (this.failures.has(i)) return { failure: this.failures.get(i) };
		const keptOut = this.screened.get(i);
		const to = keptOut?.filter((k) => k.field === 'to') ?? [];
		if (!to.length) return undefined;
		return {
			skipped: true,
			reason: 'suppressed',
			recipient: to[0].recipient,
			suppression: to[0].suppression,
			campaign: this.campaigns.get(i),
			suppressedRecipients: keptOut,
		};
	}

	/** Recipients of item i without its suppressed CC and BCC addresses (composeMessage's rewrite hook). */
	readonly keepOut = (_ctx: IExecuteFunctions, i: number, r: Recipients): Recipients => {
		const keptOut = this.screened.get(i);
		if (!keptOut?.length) return r;
		return { ...r, cc: withoutKeptOut(r.cc, keptOut), bcc: withoutKeptOut(r.bcc, keptOut) };
	};

	/** The output of a sent email with its campaign facts; its log rows wait for `writeLog`. */
	sent(i: number, json: IDataObject, message: OutgoingMessage): IDataObject {
		const campaign = this.campaigns.get(i);
		if (!campaign) return json;
		json.campaign = campaign;
		const keptOut = this.screened.get(i);
		if (keptOut?.length) json.suppressedRecipients = keptOut as unknown as IDataObject[];
		if (this.logged.has(i)) {
			const trackingId = message.output.trackingId;
			const rows = sentRows({
				campaign,
				messageId: message.messageId,
				trackingId: typeof trackingId === 'string' ? trackingId : undefined,
				accepted: ((json.accepted as string[] | undefined) ?? []).map(String),
				at: new Date(),
			});
			this.rows.set(i, { json, rows });
		}
		return json;
	}

	/** Writes the "sent" rows of every email sent; never throws: the outcome goes on each item. */
	async writeLog(): Promise<void> {
		if (!this.rows.size) return;
		try {
			this.tables ??= await this.connect();
		} catch (error) {
			this.report([...this.rows.values()], error);
			return;
		}
		const tables = this.tables;
		const writer = new CampaignLogWriter(tables, { maxBatch: 500 });
		const outcomes = [...this.rows.values()].map(async (entry) => {
			const written = await Promise.allSettled(entry.rows.map((r) => writer.write(r)));
			return { entry, failed: written.find((w) => w.status === 'rejected') };
		});
		await writer.flush();
		const failed: Array<{ json: IDataObject }> = [];
		let error: unknown;
		for (const { entry, failed: rejected } of await Promise.all(outcomes)) {
			if (!rejected) entry.json.campaignLog = { written: true, table: tables.name('campaignLog') };
			else {
				failed.push(entry);
				error = (rejected as PromiseRejectedResult).reason;
			}
		}
		if (failed.length) this.report(failed, error);
		this.rows.clear();
	}

	private report(entries: Array<{ json: IDataObject }>, error: unknown) {
		const described = (error as Partial<Describable>)?.describe?.();
		const outcome = {
			error: `The campaign log could not be written: ${described?.message ?? (error as Error)?.message ?? String(error)}`,
			description: `The emails were sent and are not sent again. ${described?.description ?? 'Check the CRM Mail Data Tables API credential and that n8n is reachable.'}`,
		};
		for (const entry of entries) entry.json.campaignLog = outcome;
		this.ctx.logger.warn(
			`Send Templated Email: ${outcome.error} (${entries.length} sent emails without a "sent" row)`,
		);
		this.rows.clear();
	}

	private async connect(): Promise<CampaignTables> {
		if (!this.ctx.getNode().credentials?.[DATA_TABLES_CREDENTIAL])
			throw new NodeOperationError(
				this.ctx.getNode(),
				'Send as Campaign needs a CRM Mail Data Tables API credential',
				{
					description:
						'Select one in the node (an n8n API key of this instance: the suppression list and the campaign log are n8n data tables), or turn "Send as Campaign" off.',
				},
			);
		const prefix = this.ctx.getNodeParameter(
			'campaignOptions.tablePrefix',
			[...this.campaigns.keys()][0] ?? 0,
			DEFAULT_TABLE_PREFIX,
		) as string;
		return await campaignTablesFor(this.ctx, prefix);
	}

	/** One batched lookup; repeated when the API may answer next time (a read is safe to repeat). */
	private async lookup(all: string[]): Promise<Map<string, SuppressionEntry>> {
		const list = new SuppressionList(this.tables!);
		return await retrying(() => list.lookup(all), {
			next: (error, failures) =>
				failures <= LOOKUP_RETRIES && mayPass(error)
					? backoffDelay(failures, { baseMs: 500, maxMs: 5000, jitter: 0.3 })
					: undefined,
		});
	}
}

export const isItemFailure = (v: unknown): v is CampaignItemFailure =>
	typeof v === 'object' && v !== null && 'failure' in v;
