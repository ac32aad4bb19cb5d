// What the trigger does for campaigns once the answer is out: an unsubscribe goes onto the suppression
// list, and events of campaign emails go into the campaign log, both in n8n's Data Tables. Neither may lose
// the event: a failure is reported on the event item ("suppression" / "campaignLog": { error, description })
// and in n8n's log, and the execution still starts.
// Log rows of all tracking workflows of a process share one writer per n8n instance and table prefix, so
// many hits in the same second cost one POST.
import type { IWebhookFunctions } from 'n8n-workflow';
import { campaignTablesFor, DATA_TABLES_CREDENTIAL } from '../shared/campaign/connect';
import { CampaignLogWriter, type CampaignEvent } from '../shared/campaign/log';
import { SuppressionList } from '../shared/campaign/suppression';
import type { CampaignTables } from '../shared/campaign/tables';
import type { Describable } from '../shared/failure';
import type { EventName, TrackingEvent } from './handler';

export interface CampaignSettings {
	suppressUnsubscribes: 'campaign' | 'always' | 'never';
	campaignLog: boolean;
	tablePrefix: string;
}

export type Outcome = Record<string, unknown>;
export interface CampaignOutcomes {
	suppression?: Outcome;
	campaignLog?: Outcome;
}

const LOG_EVENT: Record<EventName, CampaignEvent> = {
	opened: 'opened',
	clicked: 'clicked',
	unsubscribed: 'unsubscribed',
};
/** How long the execution waits for the tables before it starts anyway (the write goes on). */
const WAIT_MS = 30_000;
const writers = new Map<string, CampaignLogWriter>();

const NO_CREDENTIAL = {
	error: 'No CRM Mail Data Tables API credential is selected in the Email Tracking Trigger',
	description:
		'Select one in the trigger (an n8n API key of this instance), or set "Add Unsubscribes to Suppression List" to Never and turn "Write Campaign Log" off.',
};

function failure(error: unknown): Outcome {
	const described = (error as Partial<Describable>)?.describe?.();
	return {
		error: described?.message ?? (error as Error)?.message ?? String(error),
		...(described?.description ? { description: described.description } : {}),
	};
}

function withinWait<T>(work: Promise<T>): Promise<T | Outcome> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<Outcome>((resolve) => {
		timer = setTimeout(
			() =>
				resolve({
					error: `The n8n Data Tables API did not answer within ${WAIT_MS / 1000} s`,
					description:
						'The write goes on in the background; check that the base URL of the CRM Mail Data Tables API credential reaches this n8n.',
				}),
			WAIT_MS,
		).unref();
	});
	return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Applies the campaign settings to a hit: `unsubscribed` (every authentic unsubscribe) goes onto the
 * suppression list, `emitted` (the event that starts an execution) and every unsubscribe into the log.
 */
export async function applyCampaignEffects(
	ctx: IWebhookFunctions,
	settings: CampaignSettings,
	hit: { emitted?: TrackingEvent; unsubscribed?: TrackingEvent },
): Promise<CampaignOutcomes> {
	const unsubscribe = hit.unsubscribed;
	const suppress =
		unsubscribe &&
		(settings.suppressUnsubscribes === 'always' ||
			(settings.suppressUnsubscribes === 'campaign' && unsubscribe.campaign));
	const toLog = settings.campaignLog ? (hit.emitted ?? unsubscribe) : undefined;
	const log = toLog?.campaign ? toLog : undefined;
	if (!suppress && !log) return {};
	if (!ctx.getNode().credentials?.[DATA_TABLES_CREDENTIAL]) {
		ctx.logger.warn(`Email Tracking Trigger: ${NO_CREDENTIAL.error}`);
		return {
			...(suppress ? { suppression: NO_CREDENTIAL } : {}),
			...(log ? { campaignLog: NO_CREDENTIAL } : {}),
		};
	}
	let tables: CampaignTables;
	try {
		tables = await campaignTablesFor(ctx, settings.tablePrefix);
	} catch (error) {
		const outcome = failure(error);
		return {
			...(suppress ? { suppression: outcome } : {}),
			...(log ? { campaignLog: outcome } : {}),
		};
	}
	const [suppression, campaignLog] = await Promise.all([
		suppress ? withinWait(addToSuppression(tables, unsubscribe)) : undefined,
		log ? withinWait(writeLog(tables, log)) : undefined,
	]);
	for (const [what, outcome] of [
		['suppression list', suppression],
		['campaign log', campaignLog],
	] as const)
		if (outcome?.error)
			ctx.logger.warn(
				`Email Tracking Trigger could not write the ${what}: ${String(outcome.error)}`,
			);
	return {
		...(suppression ? { suppression } : {}),
		...(campaignLog ? { campaignLog } : {}),
	};
}

async function addToSuppression(tables: CampaignTables, event: TrackingEvent): Promise<Outcome> {
	try {
		const [result] = await new SuppressionList(tables).add([
			{
				email: event.recipient,
				reason: 'unsubscribed',
				campaign: event.campaign ?? undefined,
				messageId: event.messageId,
				source: 'tracking',
				at: new Date(event.time),
			},
		]);
		return result.added
			? { added: true, table: tables.name('suppression') }
			: {
					added: false,
					alreadySuppressed: true,
					reason: result.entry.reason,
					since: result.entry.suppressedAt,
				};
	} catch (error) {
		return failure(error);
	}
}

async function writeLog(tables: CampaignTables, event: TrackingEvent): Promise<Outcome> {
	const key = `${tables.cacheKey}|${tables.prefix}`;
	let writer = writers.get(key);
	if (!writer) writers.set(key, (writer = new CampaignLogWriter(tables)));
	writer.tables = tables;
	try {
		await writer.write({
			campaign: event.campaign!,
			event: LOG_EVENT[event.type],
			recipient: event.recipient,
			messageId: event.messageId,
			trackingId: event.trackingId,
			url: event.url,
			classification: event.type === 'unsubscribed' ? null : event.classification.kind,
			at: event.time,
		});
		return { written: true, table: tables.name('campaignLog') };
	} catch (error) {
		return failure(error);
	}
}
