// Every tracking request needs the credential's secret, and n8n reads and decrypts a credential from its
// database on each getCredentials call: per pixel, that costs as much as the rest of the request. Opens
// and clicks come in bursts, so the secret is kept for a few seconds per credential; a changed secret
// takes effect within that time. Only successful loads are kept.
export const SECRET_TTL_MS = 10_000;

export class SecretCache {
	private readonly entries = new Map<string, { secret: string; until: number }>();

	constructor(private readonly ttlMs = SECRET_TTL_MS) {}

	/** The secret of credential `key` (no key: always loaded), loading it when missing or older than the TTL. */
	async get(
		key: string | undefined,
		load: () => Promise<string>,
		now = Date.now(),
	): Promise<string> {
		if (!key) return await load();
		const hit = this.entries.get(key);
		if (hit && hit.until > now) return hit.secret;
		const secret = await load();
		this.entries.set(key, { secret, until: now + this.ttlMs });
		return secret;
	}
}
