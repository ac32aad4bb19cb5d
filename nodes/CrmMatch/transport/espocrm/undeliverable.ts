// Mark Undeliverable on EspoCRM: the flags of the address itself, as EspoCRM keeps them. An address is one
// EmailAddress record shared by every Contact / Lead / Account that has it, with the flags `invalid` (EspoCRM
// sends nothing to it; what its own bounce handling sets on a hard bounce) and `optOut` (opted out of mass
// email). A hard bounce or a manual mark sets `invalid`, a spam complaint `optOut`. The API sets them
// through a record's `emailAddressData`: the record's full list of addresses (a list without one of them
// would remove it from the record) with the flag changed on the one address.
//
// Records are read in full (a list answer has no flags) one after the other: once the first record's update
// flagged the address, the others show the flag and are left alone (`changed: false`).
import type { MarkedRecord, UndeliverableMark } from '../types';
import type { EspoClient } from './client';
import { ENTITY } from './mapping';

interface AddressRow {
	emailAddress: string;
	primary?: boolean;
	optOut?: boolean;
	invalid?: boolean;
	[key: string]: unknown;
}

export async function markAddresses(
	client: EspoClient,
	marks: UndeliverableMark[],
): Promise<MarkedRecord[][]> {
	return await Promise.all(
		marks.map(async (mark) => {
			const flag = mark.reason === 'complaint' ? 'optOut' : 'invalid';
			const out: MarkedRecord[] = [];
			for (const record of mark.records) {
				const entity = ENTITY[record.type];
				const full = await client.get(entity, record.id);
				const rows = (full?.emailAddressData as AddressRow[] | undefined) ?? [];
				const mine = rows.find((r) => String(r.emailAddress).toLowerCase() === mark.address);
				const changed = !!mine && mine[flag] !== true;
				if (changed) {
					const emailAddressData = rows.map((r) => ({
						emailAddress: r.emailAddress,
						primary: !!r.primary,
						optOut: !!r.optOut,
						invalid: !!r.invalid,
						...(r === mine ? { [flag]: true } : {}),
					}));
					const primary = emailAddressData.find((r) => r.primary) ?? emailAddressData[0];
					await client.update(entity, record.id, {
						emailAddress: primary.emailAddress,
						emailAddressData,
					});
				}
				out.push({ type: record.type, id: record.id, name: record.name, changed });
			}
			return out;
		}),
	);
}
