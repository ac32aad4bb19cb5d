import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { toNodeItem } from '../shared/imap/nodeItem';
import { toNodeError } from '../shared/errors';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { ImapFlow } from 'imapflow';
import { closeImap, connectImap, explainImapError } from '../shared/imap/connection';
import { findSpecialUse } from '../shared/imap/folders';
import type { EmailItem } from '../shared/imap/message';
import { IMAP_CREDENTIAL_TYPE, imapMethods } from '../shared/imap/methods';
import { keepTokenFresh } from '../shared/oauth/keepFresh';
import { authenticationProperty, imapSettingsFor, MAIL_ACCOUNT } from '../shared/oauth/mailAccount';
import { AccessTokenSource } from '../shared/oauth/tokenSource';
import {
	emailTrackingTest,
	matchSentEmailsProperty,
	referenceSecretOf,
} from '../shared/bounces/matchSentEmails';
import { firstSyncFields, folderFields, optionFields } from './description';
import { explainFolderError } from './engine/folderErrors';
import { trackerFor } from './engine/deliveryTracker';
import { latestMessages } from './engine/testEvent';
import type { SyncRecord } from './engine/passContext';
import { markerDir } from './engine/runMarker';
import { SyncSession } from './engine/session';
import { pickedValue } from '../shared/pickers';
import {
	accountKey,
	type FirstSyncWindow,
	type FolderSettings,
	type FolderState,
	type SyncOptions,
} from './engine/folderState';

interface FolderParam {
	path: string;
	direction: 'auto' | 'incoming' | 'outgoing';
	load: FolderSettings['load'];
	afterAction: FolderSettings['afterAction'];
	moveTo?: string;
}

export class ImapSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'IMAP Sync Trigger',
		name: 'imapSyncTrigger',
		icon: { light: 'file:imapSyncTrigger.svg', dark: 'file:imapSyncTrigger.dark.svg' },
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{$parameter["folders"]["folder"] ? $parameter["folders"]["folder"].map(f => typeof f.path === "object" ? f.path.value : f.path).join(", ") : ""}}',
		description:
			'Starts the workflow once for every new email in one or more IMAP folders: pushed instantly, never twice, never skipped',
		defaults: { name: 'IMAP Sync Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: IMAP_CREDENTIAL_TYPE,
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
				displayName:
					'Each new message is emitted exactly once, also across restarts and reconnects. Items of flag changes, deletions and folder renumbering carry an "event" field.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...folderFields,
			...firstSyncFields,
			matchSentEmailsProperty('"Bounces and Complaints" (in Options) as events'),
			optionFields,
		],
	};

	methods = {
		...imapMethods,
		credentialTest: { ...imapMethods.credentialTest, emailTrackingTest },
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const settings = await imapSettingsFor(this);
		const o = this.getNodeParameter('options', {}) as IDataObject;
		const params = (
			((this.getNodeParameter('folders', {}) as IDataObject).folder ?? []) as FolderParam[]
		).map((p) => ({
			...p,
			path: pickedValue(p.path),
			...(p.moveTo !== undefined ? { moveTo: pickedValue(p.moveTo) } : {}),
		}));
		if (!params.length) {
			throw new NodeOperationError(this.getNode(), 'No folder to watch', {
				description: 'Add at least one folder under "Folders".',
			});
		}
		const firstSync: FirstSyncWindow = {
			mode: this.getNodeParameter('firstSync', 'days') as FirstSyncWindow['mode'],
			days: this.getNodeParameter('days', 30) as number,
			since: this.getNodeParameter('since', '') as string,
		};
		const options: SyncOptions = {
			batchSize: Math.max(1, Number(o.batchSize ?? 50)),
			sizeLimitBytes: Number(o.sizeLimitMb ?? 50) * 1024 * 1024,
			firstSync,
			rules: {
				blockedSenders: String(o.blockedSenders ?? '')
					.split(/[\s,;]+/)
					.filter(Boolean),
				autoReplies: o.ignoreAutoReplies !== false,
				bulkMail: o.ignoreBulkMail === true,
			},
			includeHeaders: o.includeHeaders === true,
			changeEvents: o.changeEvents === true,
			bounces: (o.bounces as SyncOptions['bounces']) ?? 'events',
			referenceSecret: await referenceSecretOf(this),
		};
		for (const p of params) {
			if (p.afterAction === 'move' && !p.moveTo) {
				throw new NodeOperationError(
					this.getNode(),
					`No target folder for "Move to Folder" on ${p.path}`,
					{
						description:
							'Pick the folder emitted messages are moved to, or choose another "After Emitting" action.',
					},
				);
			}
		}
		const prefix = String(o.binaryPrefix ?? 'attachment_');
		// the server's failures (connect, log in, a folder it refuses) as n8n's API errors, with what to check
		const imapFailure = (error: unknown) =>
			toNodeError(this.getNode(), error, undefined, (e) => ({
				...explainImapError(e, settings),
				service: true,
			}));
		const connect = async (): Promise<ImapFlow> => {
			try {
				return await connectImap(settings, {
					logger: this.logger,
					extra: { qresync: options.changeEvents },
				});
			} catch (error) {
				throw imapFailure(error);
			}
		};
		const resolveFolders = async (client: ImapFlow): Promise<FolderSettings[]> => {
			const sent = params.some((p) => p.direction === 'auto')
				? await findSpecialUse(client, '\\Sent').catch(() => undefined)
				: undefined;
			return params.map((p) => ({
				path: p.path,
				direction:
					p.direction === 'auto' ? (p.path === sent ? 'outgoing' : 'incoming') : p.direction,
				load: p.load ?? 'full',
				afterAction: p.afterAction ?? 'nothing',
				moveTo: p.moveTo,
			}));
		};
		const toItem = async (item: EmailItem, redelivered = false): Promise<INodeExecutionData> => {
			const out = await toNodeItem((...a) => this.helpers.prepareBinaryData(...a), item, prefix);
			return {
				...out,
				json: { event: 'message', ...out.json, ...(redelivered ? { redelivered } : {}) },
			};
		};

		if (this.getMode() === 'manual') {
			// "Fetch Test Event": the latest messages, without touching the sync state
			const manualTriggerFunction = async () => {
				const client = await connect();
				try {
					const folders = await resolveFolders(client);
					const items: INodeExecutionData[] = [];
					for (const f of folders) {
						for (const m of await latestMessages(client, f, Number(o.testCount ?? 5), options))
							items.push(await toItem(m));
					}
					if (!items.length) {
						throw new NodeOperationError(
							this.getNode(),
							`No messages in ${folders.map((f) => f.path).join(', ')}`,
							{
								description:
									'Send a test email to the mailbox (or pick a folder with mail), then fetch the test event again.',
							},
						);
					}
					this.emit([items]);
				} finally {
					await closeImap(client);
				}
			};
			return { manualTriggerFunction, closeFunction: async () => {} };
		}

		const staticData = this.getWorkflowStaticData('node');
		// sync positions belong to one mailbox: another account (or server) starts over
		const account = accountKey(settings);
		if (staticData.account !== account) {
			if (staticData.account !== undefined && staticData.folders) {
				this.logger.info(
					'IMAP Sync Trigger: the credential points at another mailbox; syncing it from scratch',
					{ node: this.getNode().name },
				);
				staticData.folders = {};
			}
			staticData.account = account;
		}
		const tracker = trackerFor(
			`${this.getWorkflow().id ?? 'workflow'}-${this.getNode().id}`,
			markerDir(),
			(m) => this.logger.warn(m),
		);
		let closing = false;
		let first: ImapFlow | undefined = await connect();
		let folders: FolderSettings[];
		try {
			folders = await resolveFolders(first);
		} catch (error) {
			await closeImap(first);
			throw imapFailure(error);
		}
		const session = new SyncSession({
			connect: async () => {
				const c = first ?? (await connect());
				first = undefined;
				return c;
			},
			folders,
			options,
			store: {
				get: (path) => (staticData.folders as Record<string, FolderState> | undefined)?.[path],
				// a new top-level object on every change, so n8n notices it and saves it with the next emit
				set: (path, state) => {
					staticData.folders = {
						...((staticData.folders as IDataObject) ?? {}),
						[path]: state as unknown as IDataObject,
					};
				},
			},
			deliver: async (records: SyncRecord[], commit: () => void) => {
				const items: INodeExecutionData[] = [];
				for (const r of records)
					items.push(
						r.kind === 'event'
							? { json: r.json as IDataObject }
							: await toItem(r.item, r.redelivered),
					);
				// deactivated while the binaries were prepared: nothing handed over, the state stays
				if (closing) throw new NodeOperationError(this.getNode(), 'The trigger was deactivated');
				commit();
				const done = this.helpers.createDeferredPromise<IRun>();
				this.emit([items], undefined, done);
				return { finished: done.promise };
			},
			tracker,
			maxRunning: Math.max(1, Number(o.maxExecutions ?? 1)),
			onFatal: (error) => this.emitError(imapFailure(error)),
			onFolderError: (path, error, during) => {
				const explained = explainFolderError(path, error, during);
				const failure = toNodeError(this.getNode(), error, undefined, () => ({
					...explained,
					service: true,
				}));
				this.logger.error(`IMAP Sync Trigger: ${explained.message}`, {
					workflowId: this.getWorkflow().id,
				});
				// shown as a failed execution (and run through the error workflow); the trigger stays active
				if (typeof this.saveFailedExecution === 'function') this.saveFailedExecution(failure);
			},
			mode: this.getNodeParameter('watchMode', 'push') === 'poll' ? 'poll' : 'idle',
			pollIntervalMs: Number(o.pollMinutes ?? 5) * 60000,
			maxAttempts: Number(o.maxReconnectAttempts ?? 10),
			log: (level, msg, meta) => this.logger[level](msg, meta),
		});
		await session.start();
		const stopRefreshing =
			settings.tokens instanceof AccessTokenSource
				? keepTokenFresh(settings.tokens, {
						onError: (error) => {
							const failure = imapFailure(error);
							this.logger.error(`IMAP Sync Trigger: ${failure.message}`, {
								workflowId: this.getWorkflow().id,
							});
							// shown as a failed execution; the trigger keeps trying and resumes once reconnected
							if (typeof this.saveFailedExecution === 'function') this.saveFailedExecution(failure);
						},
						onRecovered: () =>
							this.logger.info('IMAP Sync Trigger: the OAuth2 access token is refreshed again'),
					})
				: () => undefined;
		return {
			closeFunction: async () => {
				closing = true;
				stopRefreshing();
				await session.close();
			},
		};
	}
}
