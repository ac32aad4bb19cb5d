// The trigger's parameters for what recipients see (language, texts, company, logo) and for campaigns
// (suppression list, campaign log in n8n's Data Tables).
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { CustomTexts, PageSettings } from './pageTexts';

const text = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description,
});

export const pagesProperty: INodeProperties = {
	displayName: 'Pages',
	name: 'pages',
	type: 'collection',
	placeholder: 'Add Page Setting',
	default: {},
	description:
		'What recipients see on the unsubscribe confirmation, the "you are unsubscribed" page and the invalid-link page',
	options: [
		{
			displayName: 'Company Name',
			name: 'companyName',
			type: 'string',
			default: '',
			placeholder: 'Acme Ltd',
			description:
				'Shown at the top of every page and in the confirmation question; use {company} in your own texts',
		},
		{
			displayName: 'Custom Texts',
			name: 'texts',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Texts for a Language',
			description:
				'Your own words for a language. Empty fields keep the built-in text. Languages other than English and Russian are offered to browsers that ask for them (Language: From the Browser).',
			options: [
				{
					displayName: 'Texts',
					name: 'entries',
					values: [
						{
							displayName: 'Language Code',
							name: 'language',
							type: 'string',
							default: 'en',
							placeholder: 'en, ru, de, uk ...',
							description: 'The language these texts are in, as browsers name it (ISO 639 code)',
						},
						text(
							'Confirmation Heading',
							'confirmHeading',
							'Heading of the unsubscribe confirmation',
						),
						text(
							'Confirmation Question',
							'confirmText',
							'The question above the button; {address} is the masked address, {company} the company name',
						),
						text('Button', 'confirmButton', 'The label of the unsubscribe button'),
						text('Unsubscribed Heading', 'doneHeading', 'Heading of the page after unsubscribing'),
						text('Unsubscribed Text', 'doneText', 'Text of the page after unsubscribing'),
						text('Invalid Link Heading', 'invalidHeading', 'Heading of the invalid-link page'),
						text(
							'Invalid Link Text',
							'invalidText',
							'Replaces every built-in explanation on the invalid-link page',
						),
					],
				},
			],
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'options',
			default: 'auto',
			description: 'The language of the pages',
			options: [
				{
					name: 'From the Browser (Accept-Language)',
					value: 'auto',
					description:
						"The recipient's preferred language among English, Russian and your custom texts; English when none matches",
				},
				{ name: 'English', value: 'en' },
				{ name: 'Russian', value: 'ru' },
			],
		},
		{
			displayName: 'Logo URL',
			name: 'logoUrl',
			type: 'string',
			default: '',
			placeholder: 'https://www.example.com/logo.png',
			description:
				'An image shown at the top of every page. Only https:// addresses are used (others are ignored).',
		},
	],
};

export const campaignOptions: INodeProperties[] = [
	{
		displayName: 'Add Unsubscribes to Suppression List',
		name: 'suppressUnsubscribes',
		type: 'options',
		default: 'campaign',
		description:
			'Whether an unsubscribe puts the address on the suppression list (a data table, through the CRM Mail Data Tables API credential), so Send Templated Email never mails it in a campaign again. Every unsubscribe counts, whether or not it starts an execution; the outcome is in the event\'s "suppression" field.',
		options: [
			{
				name: 'For Campaign Emails',
				value: 'campaign',
				description: 'When the email was sent with a campaign',
			},
			{ name: 'Always', value: 'always', description: 'Every unsubscribe' },
			{ name: 'Never', value: 'never' },
		],
	},
	{
		displayName: 'Write Campaign Log',
		name: 'campaignLog',
		type: 'boolean',
		default: true,
		description:
			'Whether opens and clicks that start an execution, and every unsubscribe, of an email sent with a campaign are written to the campaign log (a data table; batched, at most one request per second). The outcome is in the event\'s "campaignLog" field.',
	},
	{
		displayName: 'Campaign Table Prefix',
		name: 'tablePrefix',
		type: 'string',
		default: 'crm_',
		description:
			'Prefix of the two data tables, followed by suppression and campaign_log (crm_suppression, crm_campaign_log); the same as in Send Templated Email',
	},
];

/** The page settings of the node's "Pages" parameter. */
export function pageSettings(pages: IDataObject): PageSettings {
	const entries = ((pages.texts as IDataObject | undefined)?.entries ?? []) as CustomTexts[];
	return {
		language: String(pages.language ?? 'auto'),
		custom: entries,
		companyName: String(pages.companyName ?? ''),
		logoUrl: String(pages.logoUrl ?? ''),
	};
}
