import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { formatAddress } from '../../shared/addresses';
import { smtpSettingsFromCredentials } from '../transport/settings';

/** The senders the chosen SMTP account allows, default first. */
export async function getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const settings = smtpSettingsFromCredentials(
		(await this.getCredentials('crmMailSmtp')) as Record<string, unknown>,
	);
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
