import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { formatAddress } from '../../shared/addresses';
import { sendingAccount } from '../transport/account';

/** The senders the chosen SMTP account allows, default first. */
export async function getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const settings = (await sendingAccount(this)).smtp;
	// '' (the parameter's default) = the account's default sender; listed so the editor shows it as valid
	const fallback: INodePropertyOptions = {
		name: settings.defaultSender
			? `Account Default (${formatAddress(settings.defaultSender)})`
			: 'Account Default',
		value: '',
	};
	return [
		fallback,
		...settings.allowedSenders.map((a) => ({
			name: formatAddress(a),
			value: formatAddress(a),
		})),
	];
}
