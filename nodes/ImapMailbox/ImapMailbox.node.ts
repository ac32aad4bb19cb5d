import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { crmMailImapTest, getFolders, searchFolders } from '../shared/imap/methods';
import {
	authenticationProperty,
	crmMailOAuth2Test,
	MAIL_ACCOUNT,
} from '../shared/oauth/mailAccount';
import { emailTrackingTest } from '../shared/bounces/matchSentEmails';
import * as append from './actions/append.operation';
import * as deleteMessages from './actions/delete.operation';
import * as downloadAttachment from './actions/downloadAttachment.operation';
import * as flags from './actions/flags.operation';
import * as getMessages from './actions/getMessages.operation';
import * as listFolders from './actions/listFolders.operation';
import * as moveCopy from './actions/moveCopy.operation';
import { router } from './actions/router';

const messageOperations: INodePropertyOptions[] = [
	{
		name: 'Append Message',
		value: 'append',
		description: 'Store a raw message in a folder (e.g. save a sent email to Sent)',
		action: 'Append a message to a folder',
	},
	{
		name: 'Clear Flags',
		value: 'removeFlags',
		description: 'Remove flags or keywords from messages (e.g. mark as unread)',
		action: 'Clear flags on messages',
	},
	{
		name: 'Copy Messages',
		value: 'copy',
		description: 'Copy messages to another folder',
		action: 'Copy messages to a folder',
	},
	{
		name: 'Delete Messages',
		value: 'delete',
		description: 'Delete messages for good (expunge)',
		action: 'Delete messages',
	},
	{
		name: 'Download Attachment',
		value: 'downloadAttachment',
		description: 'Get one attachment of a message as a file',
		action: 'Download an attachment',
	},
	{
		name: 'Get Messages',
		value: 'getMessages',
		description: 'Read messages by UID or by search',
		action: 'Get messages',
	},
	{
		name: 'Move Messages',
		value: 'move',
		description: 'Move messages to another folder',
		action: 'Move messages to a folder',
	},
	{
		name: 'Set Flags',
		value: 'addFlags',
		description: 'Add flags or keywords to messages (e.g. mark as read)',
		action: 'Set flags on messages',
	},
];

const listFoldersOperation: INodePropertyOptions = {
	name: 'List Folders',
	value: 'listFolders',
	description: 'List the folders of the mailbox',
	action: 'List folders',
};

export class ImapMailbox implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'IMAP Mailbox',
		name: 'imapMailbox',
		icon: { light: 'file:imapMailbox.svg', dark: 'file:imapMailbox.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Act on an IMAP mailbox: read, flag, move, copy, delete and store messages, list folders',
		defaults: { name: 'IMAP Mailbox' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// the credential name is fixed by the package (shared with the IMAP Sync Trigger); IMAP has no "API"
		credentials: [
			{
				name: 'crmMailImap',
				required: true,
				testedBy: 'crmMailImapTest',
				displayOptions: { show: { authentication: [MAIL_ACCOUNT] } },
			},
			{
				name: 'crmMailGmailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['gmailOAuth2'] } },
			},
			{
				name: 'crmMailMicrosoftOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['microsoftOAuth2'] } },
			},
			{
				name: 'crmMailOAuth2Api',
				required: true,
				testedBy: 'crmMailOAuth2Test',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			// "Match Bounces to Sent Emails": verifies what Send Templated Email signed
			{
				name: 'emailTracking',
				required: true,
				testedBy: 'emailTrackingTest',
				displayOptions: { show: { matchSentEmails: [true] } },
			},
		],
		properties: [
			authenticationProperty('IMAP Account'),
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2] } },
				options: [
					{ name: 'Folder', value: 'folder' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [1] } },
				options: [...messageOperations, listFoldersOperation].sort((x, y) =>
					x.name.localeCompare(y.name),
				),
				default: 'getMessages',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2], resource: ['message'] } },
				options: messageOperations,
				default: 'getMessages',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [2], resource: ['folder'] } },
				options: [listFoldersOperation],
				default: 'listFolders',
			},
			...listFolders.description,
			...getMessages.description,
			...flags.description,
			...moveCopy.description,
			...deleteMessages.description,
			...append.description,
			...downloadAttachment.description,
		],
	};

	methods = {
		loadOptions: { getFolders },
		listSearch: { searchFolders },
		credentialTest: { crmMailImapTest, crmMailOAuth2Test, emailTrackingTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
