// Timeline comments of the fake Bitrix24 portal (apidocs.bitrix24.com, crm.timeline.comment.*):
// - crm.timeline.comment.add `{ fields: { ENTITY_ID, ENTITY_TYPE, COMMENT, AUTHOR_ID? } }` -> the new id (an
//   integer); ENTITY_TYPE is lead / deal / contact / company (lower case), both fields required, the record
//   must exist;
// - crm.timeline.comment.list `{ filter: { ENTITY_ID, ENTITY_TYPE }, select?, order? }`: both filter fields
//   required; 50 a page with `start`, `total`, `next`; CREATED, AUTHOR_ID, COMMENT, ENTITY_ID, ENTITY_TYPE.
import type { Fields } from './php';

export class TimelineError extends Error {
	constructor(description: string) {
		super(description);
	}
}

const TYPES = ['lead', 'deal', 'contact', 'company'];

export class FakeTimeline {
	readonly comments: Fields[] = [];
	private seq = 0;

	constructor(private readonly exists: (type: string, id: string) => boolean) {}

	add(p: Fields, authorId: number): number {
		const f = (p.fields ?? {}) as Fields;
		const type = String(f.ENTITY_TYPE ?? '');
		const id = String(f.ENTITY_ID ?? '');
		if (!id || !/^\d+$/.test(id)) throw new TimelineError('ENTITY_ID is not defined or invalid.');
		if (!TYPES.includes(type)) throw new TimelineError('ENTITY_TYPE is not defined or invalid.');
		if (!this.exists(type, id)) throw new TimelineError('Not found');
		const comment: Fields = {
			ID: String(++this.seq),
			CREATED: new Date().toISOString(),
			ENTITY_ID: id,
			ENTITY_TYPE: type,
			AUTHOR_ID: String(f.AUTHOR_ID ?? authorId),
			COMMENT: String(f.COMMENT ?? ''),
		};
		this.comments.push(comment);
		return Number(comment.ID);
	}

	/** The comments of one record, oldest first (the caller pages them). */
	list(p: Fields): Fields[] {
		const f = (p.filter ?? p.FILTER ?? {}) as Fields;
		if (f.ENTITY_ID === undefined || f.ENTITY_TYPE === undefined)
			throw new TimelineError('ENTITY_ID and ENTITY_TYPE are required in filter.');
		const select = (p.select ?? p.SELECT) as string[] | undefined;
		return this.comments
			.filter(
				(c) =>
					c.ENTITY_ID === String(f.ENTITY_ID) &&
					c.ENTITY_TYPE === String(f.ENTITY_TYPE).toLowerCase(),
			)
			.map((c) => {
				if (!select?.length || select.includes('*')) return { ...c };
				const out: Fields = { ID: c.ID };
				for (const k of select) if (k in c) out[k] = c[k];
				return out;
			});
	}
}
