import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { RecordRef } from '../../match';
import { linkEmails, matchEmails } from '../../matchItems';
import type { CrmBackend } from '../../transport/types';
import { matchOptionsOf, readEmailItems } from './emailBatch';

/**
 * Records each email on its records, once per Message-ID: on `crm.linkTargets` of the item when a Match step
 * gave them, else on what matching finds now.
 */
export async function execute(
	ctx: IExecuteFunctions,
	backend: CrmBackend,
	items: INodeExecutionData[],
	options: IDataObject,
): Promise<INodeExecutionData[]> {
	const { emails, itemOf, outcomes } = readEmailItems(ctx, items);
	const results = await matchEmails(backend, emails, matchOptionsOf(options));
	const targets = itemOf.map((i, k) => {
		const given = (items[i].json.crm as { linkTargets?: RecordRef[] } | undefined)?.linkTargets;
		return Array.isArray(given) ? given : (results[k]?.linkTargets ?? []);
	});
	const links = await linkEmails(backend, emails, targets);
	itemOf.forEach((i, k) =>
		outcomes.succeed(i, {
			...items[i].json,
			crm: {
				...((items[i].json.crm as IDataObject) ?? {}),
				links: links[k]?.links ?? [],
				// without a Message-ID the email is recorded under a key derived from its content: say so
				...(emails[k].messageIdDerived
					? {
							messageIdDerived: emails[k].messageId,
							note: 'The email has no Message-ID: it was recorded under a key derived from its date, sender, recipients, subject and size.',
						}
					: {}),
			},
		}),
	);
	return outcomes.list();
}
