// The OAuth2 soak in a real n8n: for D minutes with access tokens living T seconds, mail arrives every few
// seconds in a mailbox an active IMAP Sync Trigger watches, its IMAP sessions are cut now and then (it must log
// in again, with a token the provider still accepts), and Send Templated Email runs send through SMTP with the
// same credential. Then the provider revokes the consent: the trigger and the send must say "reconnect".
// Shared by test/e2e/oauth-in-n8n.test.ts (short) and `npm run bench -- oauth-soak` (5 minutes).
import { countDelivery, ExecutionLog, type ExecutionSummary } from './imap-flow';
import {
	activeOAuthTrigger,
	activeSendWorkflow,
	inboundMail,
	kickImapSessions,
	messagesIn,
	sendOffer,
	type CredentialRef,
	type OAuthWorld,
	type SendResult,
	type SendWorkflow,
} from './oauth-flow';

export interface SoakOptions {
	minutes: number;
	/** The lifetime the provider gives access tokens (set when the fake was started; reported here). */
	tokenLifetimeS: number;
	deliverEveryMs?: number;
	/** The trigger's IMAP sessions are cut this often. */
	reconnectEveryS?: number;
	/** A send run this often; the first one once the first access token has expired. */
	sendEveryS?: number;
	log?: (m: string) => void;
}

export interface SoakResult {
	/** How long mail arrived (rounded down to a tenth). */
	minutes: number;
	tokenLifetimeS: number;
	/** Refresh grants the provider answered during the soak (n8n's refreshOAuth2Token). */
	refreshes: number;
	delivered: number;
	/** Distinct delivered messages that successful executions received. */
	emitted: number;
	duplicates: number;
	missing: string[];
	/** Executions of the trigger that failed (none expected while the consent stands). */
	failedExecutions: ExecutionSummary[];
	kicks: number;
	sends: SendResult[];
	/** Send runs that succeeded and whose mail reached the SMTP sink. */
	smtpSent: number;
	smtpFailed: number;
	/** Copies in the Sent folder (every send run copies its mail there). */
	sentCopies: number;
	/** Seconds after the soak started at which the first send ran (after the first token expired). */
	firstSendAtS: number;
	triggerId: string;
	sendWorkflow: SendWorkflow;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the soak; the credential must be connected. Leaves both workflows active. */
export async function runOAuthSoak(
	world: OAuthWorld,
	credential: CredentialRef,
	o: SoakOptions,
): Promise<SoakResult> {
	const log = o.log ?? (() => {});
	const durationMs = o.minutes * 60_000;
	const deliverEveryMs = o.deliverEveryMs ?? 3000;
	const reconnectEveryMs = (o.reconnectEveryS ?? 30) * 1000;
	const sendEveryMs = (o.sendEveryS ?? 60) * 1000;
	const sendWorkflow = await activeSendWorkflow(world, credential);
	const triggerId = await activeOAuthTrigger(world, credential);
	const executions = new ExecutionLog(world.n8n, triggerId);
	const refreshesBefore = world.fake.stats.refreshGrants;
	const sinkBefore = world.mail.sink.messages.length;
	const started = Date.now();
	const end = started + durationMs;
	const at = (ms: number) => started + ms;
	const expected: string[] = [];
	const sends: SendResult[] = [];
	let kicks = 0;
	let firstSendAtS = -1;

	const deliveries = async () => {
		for (let i = 0; Date.now() < end; i++) {
			const id = `oauth-soak-${i}@oauth.test`;
			await world.mail.deliver(world.mailbox, inboundMail(world, id));
			expected.push(`<${id}>`);
			await sleep(at((i + 1) * deliverEveryMs) - Date.now());
		}
	};
	const reconnects = async () => {
		for (let k = 1; at(k * reconnectEveryMs) < end; k++) {
			await sleep(at(k * reconnectEveryMs) - Date.now());
			if (kickImapSessions(world)) kicks++;
			log(`t=${secondsSince(started)} s: IMAP sessions cut (${kicks} so far)`);
		}
	};
	const sendRuns = async () => {
		const first = (o.tokenLifetimeS + 5) * 1000;
		for (let n = 1; at(first + (n - 1) * sendEveryMs) < end; n++) {
			await sleep(at(first + (n - 1) * sendEveryMs) - Date.now());
			// the second run finds every access token dropped by the provider early: SMTP must renew it
			if (n === 2) world.fake.expireAccessTokens();
			if (firstSendAtS < 0) firstSendAtS = secondsSince(started);
			const result = await sendOffer(world, sendWorkflow, n);
			sends.push(result);
			log(`t=${secondsSince(started)} s: send run ${n}: ${result.status} ${result.error ?? ''}`);
		}
	};
	await Promise.all([deliveries(), reconnects(), sendRuns()]);
	const soakMs = Date.now() - started;
	log(`soak over after ${secondsSince(started)} s; waiting for the last executions`);

	let list: ExecutionSummary[] = [];
	const deadline = Date.now() + 120_000;
	do {
		list = await executions.refresh();
		if (countDelivery(list, expected).missing.length === 0) break;
		await sleep(1000);
	} while (Date.now() < deadline);
	const count = countDelivery(list, expected);
	const arrived = world.mail.sink.messages.slice(sinkBefore).map((m) => m.raw.toString('utf8'));
	const smtpSent = sends.filter(
		(s) =>
			s.status === 'success' &&
			arrived.some((raw) => new RegExp(`^Subject: ${s.subject}\\r?$`, 'm').test(raw)),
	).length;
	return {
		minutes: Math.floor((soakMs / 60_000) * 10) / 10,
		tokenLifetimeS: o.tokenLifetimeS,
		refreshes: world.fake.stats.refreshGrants - refreshesBefore,
		delivered: expected.length,
		emitted: count.received,
		duplicates: count.duplicates,
		missing: count.missing,
		failedExecutions: list.filter((e) => e.status !== 'success'),
		kicks,
		sends,
		smtpSent,
		smtpFailed: sends.length - smtpSent,
		sentCopies: messagesIn(world, 'Sent'),
		firstSendAtS,
		triggerId,
		sendWorkflow,
	};
}

export interface RevocationResult {
	/** The failed execution the trigger reported (its error message), if it did in time. */
	triggerError?: string;
	send: SendResult;
	/** Seconds from the revocation until the trigger reported it. */
	reportedAfterS: number;
}

const RECONNECT = /needs to be reconnected/;

/**
 * The admin revokes n8n's access at the provider (every grant of the client) and the access tokens expire: the
 * active trigger must report a failed execution saying the credential needs to be reconnected, and a send run
 * must fail with that message.
 */
export async function revokeConsent(
	world: OAuthWorld,
	soak: Pick<SoakResult, 'triggerId' | 'sendWorkflow' | 'tokenLifetimeS'>,
	log: (m: string) => void = () => {},
): Promise<RevocationResult> {
	const revoked = world.fake.revokeAll();
	world.fake.expireAccessTokens();
	const started = Date.now();
	log(`revoked ${revoked} grant(s) at the provider and expired the access tokens`);
	kickImapSessions(world); // the trigger must log in again and finds no usable token
	const executions = new ExecutionLog(world.n8n, soak.triggerId);
	// the trigger's refresh timer fires at the latest 3/4 of a lifetime after its last refresh
	const deadline = Date.now() + (soak.tokenLifetimeS + 60) * 1000;
	let triggerError: string | undefined;
	while (!triggerError && Date.now() < deadline) {
		triggerError = (await executions.refresh()).find(
			(e) => e.status !== 'success' && RECONNECT.test(e.error ?? ''),
		)?.error;
		if (!triggerError) await sleep(1000);
	}
	const reportedAfterS = secondsSince(started);
	const send = await sendOffer(world, soak.sendWorkflow, 1000);
	return { triggerError, send, reportedAfterS };
}

function secondsSince(t: number): number {
	return Math.round((Date.now() - t) / 1000);
}
