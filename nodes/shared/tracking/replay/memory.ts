// Replay state of one process: which token + event was seen within its window. An LRU with a time to live
// and a fixed number of entries, so a flood of hits (one token 10,000 times, or 10,000 tokens) never grows
// memory without bound. When full, the oldest entry goes: that token could start one execution more,
// which is the price of the bound (it takes more distinct authentic tokens than the bound within a window).
export interface ReplayStore {
	/** True for the first hit of `key` within `windowMs` (then remembered), false for a repeat. */
	claim(key: string, windowMs: number): Promise<boolean>;
}

/** ~150 bytes per entry: 50,000 entries stay under ~10 MB. */
export const MEMORY_MAX_ENTRIES = 50_000;

export class MemoryReplayStore implements ReplayStore {
	// A Map iterates in insertion order, and claim() re-inserts, so the first entry is the oldest.
	private readonly until = new Map<string, number>();

	constructor(
		readonly maxEntries = MEMORY_MAX_ENTRIES,
		private readonly clock: () => number = Date.now,
	) {}

	get size(): number {
		return this.until.size;
	}

	claimNow(key: string, windowMs: number): boolean {
		const now = this.clock();
		const until = this.until.get(key);
		if (until !== undefined && until > now) return false;
		this.until.delete(key);
		// sweep expired entries from the old end (windows differ little, so they sit there)
		for (const [oldKey, oldUntil] of this.until) {
			if (oldUntil > now && this.until.size < this.maxEntries) break;
			this.until.delete(oldKey);
		}
		this.until.set(key, now + windowMs);
		return true;
	}

	async claim(key: string, windowMs: number): Promise<boolean> {
		return this.claimNow(key, windowMs);
	}
}
