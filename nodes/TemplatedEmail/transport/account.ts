// The sending account of a node run: the SMTP settings, and the IMAP settings of the same mailbox for the
// copy to Sent, from the password credentials or from one OAuth2 credential (whose token serves both).
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import type { ImapSettings } from '../../shared/imap/connection';
import { imapSettingsFromCredentials } from '../../shared/imap/connection';
import {
	oauth2CredentialType,
	oauth2ImapSettings,
	oauth2SmtpFields,
	tokenSourceFor,
} from '../../shared/oauth/mailAccount';
import type { SmtpSettings } from './settings';
import { smtpSettingsFromCredentials } from './settings';

export interface SendingAccount {
	smtp: SmtpSettings;
	/** The mailbox for the copy to Sent (read only when a copy is asked for). */
	imap(): Promise<ImapSettings>;
}

export async function sendingAccount(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
): Promise<SendingAccount> {
	const type = oauth2CredentialType(ctx);
	if (!type) {
		return {
			smtp: smtpSettingsFromCredentials(
				(await ctx.getCredentials('crmMailSmtp')) as Record<string, unknown>,
			),
			imap: async () =>
				imapSettingsFromCredentials(
					(await ctx.getCredentials('crmMailImap')) as Record<string, unknown>,
				),
		};
	}
	const data = (await ctx.getCredentials(type)) as Record<string, unknown>;
	const tokens = tokenSourceFor(ctx, type);
	return {
		smtp: {
			// only the "other provider" credential has a Bounce Address (credentials/mailboxOAuth2Properties.ts)
			...smtpSettingsFromCredentials({
				...oauth2SmtpFields(data),
				bounceAddress: data.bounceAddress,
			}),
			tokens,
		},
		imap: async () => oauth2ImapSettings(data, tokens),
	};
}
