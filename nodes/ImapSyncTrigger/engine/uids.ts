// Lists of UIDs: what is above a folder's watermark, batches, and extremes without spreading a list into
// Math.max / Math.min (folders hold hundreds of thousands of messages).

/** UIDs above the watermark, ascending (`UID N:*` also returns the highest UID when N is past it). */
export function uidsAfter(uids: number[] | false | undefined, lastUid: number): number[] {
	return (uids || []).filter((u) => u > lastUid).sort((a, b) => a - b);
}

/** The largest number of a list, 0 when empty (no spread: lists can hold hundreds of thousands of UIDs). */
export function maxOf(list: number[]): number {
	let max = 0;
	for (const n of list) if (n > max) max = n;
	return max;
}

/** The smallest number of a list, 0 when empty. */
export function minOf(list: number[]): number {
	let min = 0;
	for (const n of list) if (!min || n < min) min = n;
	return min;
}

export function chunk<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	const n = Math.max(1, Math.floor(size));
	for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
	return out;
}
