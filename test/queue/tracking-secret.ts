// Changing the Email Tracking credential's secret while tracking links are being hit: the process that verifies
// them (in queue mode the webhook processor) keeps the secret for SECRET_TTL_MS, so links signed with the new
// secret are refused until then and accepted from then on, and links signed with the old one the other way round.
import { randomUUID } from 'node:crypto';
import { Tracker } from '../../nodes/shared/tracking/urls';
import type { E2eEnv } from '../e2e/harness';
import { trackingEvents } from '../e2e/tracking';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Rotation {
	/** From saving the new secret until the first hit signed with it started an execution. */
	acceptedAfterMs: number | null;
	/** Old-secret hits sent after the first new-secret hit was accepted that still started an execution. */
	oldAcceptedLater: number;
	/** New-secret hits sent after the first one was accepted that started none. */
	newRefusedLater: number;
	/** Hits that started an execution. */
	acceptedHits: number;
}

function openUrl(env: E2eEnv, secret: string, trackingId: string): string {
	return new Tracker({
		secret,
		baseUrl: env.tracking.baseUrl,
		trackingId,
		messageId: `<${trackingId}@crm.local>`,
		recipient: 'rotation@client.example',
		// sent ten minutes ago: an open right after sending counts as a scanner
		sentAt: Date.now() - 600_000,
	}).openUrl();
}

/** Saves `secret` into the "Sandbox Email Tracking" credential while hitting pixels signed with both secrets. */
export async function rotateTrackingSecret(
	env: E2eEnv,
	workflowId: string,
	secret: string,
	{ forMs = 15000, everyMs = 500 } = {},
): Promise<Rotation> {
	const saved = env.credentialIds.get('sandbox-tracking');
	if (!saved) throw new Error('The e2e has no credential "sandbox-tracking"');
	const oldSecret = env.tracking.secret;
	const run = randomUUID().slice(0, 8);
	const hits: Array<{ id: string; kind: 'old' | 'new'; sentAt: number; doneAt: number }> = [];
	const hit = async (kind: 'old' | 'new', i: number) => {
		const id = `rotate-${run}-${kind}-${i}`;
		const sentAt = Date.now();
		const res = await fetch(openUrl(env, kind === 'old' ? oldSecret : secret, id));
		await res.arrayBuffer();
		hits.push({ id, kind, sentAt, doneAt: Date.now() });
	};
	await hit('old', 0); // the webhook processor now holds the old secret
	const current = await env.session.get(`/rest/credentials/${saved.id}?includeData=true`);
	await env.session.patch(`/rest/credentials/${saved.id}`, {
		name: current.name,
		type: current.type,
		data: { ...current.data, secret },
	});
	const changedAt = Date.now();
	env.tracking.secret = secret;
	for (let i = 1; Date.now() - changedAt < forMs; i++) {
		await hit('new', i);
		await hit('old', i);
		await sleep(everyMs);
	}
	await sleep(3000);
	const accepted = new Set(
		(await trackingEvents(env, workflowId, hits.length, 8000)).map((e) => e.trackingId),
	);
	const firstNew = hits.find((h) => h.kind === 'new' && accepted.has(h.id));
	const later = hits.filter((h) => firstNew && h.sentAt > firstNew.doneAt);
	return {
		acceptedAfterMs: firstNew ? firstNew.doneAt - changedAt : null,
		oldAcceptedLater: later.filter((h) => h.kind === 'old' && accepted.has(h.id)).length,
		newRefusedLater: later.filter((h) => h.kind === 'new' && !accepted.has(h.id)).length,
		acceptedHits: hits.filter((h) => accepted.has(h.id)).length,
	};
}
