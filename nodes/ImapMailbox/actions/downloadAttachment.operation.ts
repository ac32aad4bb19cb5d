import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Readable } from 'node:stream';
import { attachmentParts, pickAttachment } from '../transport/attachments';
import { MailboxError, parseUids, type MailboxSession } from '../transport/session';
import { folderParameter, folderProperty } from './operationFields';

const show = { operation: ['downloadAttachment'] };

export const description: INodeProperties[] = [
	...folderProperty(
		'folder',
		'Folder',
		['downloadAttachment'],
		'The folder that holds the message.',
	),
	{
		displayName: 'Message UID',
		name: 'uid',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.uid }}',
		displayOptions: { show },
		description: 'UID of the message with the attachment',
	},
	{
		displayName: 'Attachment',
		name: 'selectBy',
		type: 'options',
		options: [
			{ name: 'First Attachment', value: 'first' },
			{ name: 'By File Name', value: 'filename' },
			{ name: 'By Part Number', value: 'part' },
		],
		default: 'first',
		displayOptions: { show },
		description: 'Which attachment to download',
	},
	{
		displayName: 'File Name',
		name: 'filename',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'invoice.pdf',
		displayOptions: { show: { ...show, selectBy: ['filename'] } },
		description:
			'File name of the attachment (not case-sensitive), as listed in the "attachments" field of the message',
	},
	{
		displayName: 'Part Number',
		name: 'part',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2',
		displayOptions: { show: { ...show, selectBy: ['part'] } },
		description: 'MIME part number of the attachment, e.g. "2" or "1.2"',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show },
		hint: 'The name of the output binary field to put the file in',
		description: 'Name of the binary property the attachment is written to',
	},
];

async function toBuffer(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream)
		chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
	return Buffer.concat(chunks);
}

export async function execute(
	this: IExecuteFunctions,
	session: MailboxSession,
	i: number,
): Promise<INodeExecutionData[]> {
	const folder = folderParameter(this, 'folder', i);
	const uids = parseUids(this.getNodeParameter('uid', i));
	if (uids.length !== 1)
		throw new MailboxError(
			'Give exactly one message UID',
			'This operation downloads one attachment of one message.',
		);
	const uid = uids[0];
	const selectBy = this.getNodeParameter('selectBy', i) as string;
	const by = {
		filename: selectBy === 'filename' ? String(this.getNodeParameter('filename', i)) : undefined,
		part: selectBy === 'part' ? String(this.getNodeParameter('part', i)).trim() : undefined,
	};
	const prop = this.getNodeParameter('binaryPropertyName', i) as string;
	const { meta, data } = await session.inFolder(
		folder,
		async (client) => {
			const msg = await client.fetchOne(
				String(uid),
				{ uid: true, bodyStructure: true },
				{ uid: true },
			);
			if (!msg) {
				throw new MailboxError(
					`No message with UID ${uid} in folder "${folder}"`,
					'The message may have been moved or deleted, or the UID belongs to another folder.',
				);
			}
			const parts = attachmentParts(msg.bodyStructure);
			const found = pickAttachment(parts, by);
			if (!found) {
				const names = parts.map((p) => `${p.filename || '(no name)'} [part ${p.part}]`).join(', ');
				throw new MailboxError(
					`Attachment ${by.filename ? `"${by.filename}"` : by.part ? `part ${by.part}` : ''} not found in UID ${uid}`.replace(
						'  ',
						' ',
					),
					names ? `The message has: ${names}.` : 'The message has no attachments.',
				);
			}
			const dl = await client.download(String(uid), found.part, { uid: true });
			if (!dl.content)
				throw new MailboxError(
					`Part ${found.part} of UID ${uid} could not be downloaded`,
					'The message may have been deleted meanwhile.',
				);
			return { meta: found, data: await toBuffer(dl.content) };
		},
		true,
	);
	const binary = await this.helpers.prepareBinaryData(
		data,
		meta.filename || `attachment-${meta.part}`,
		meta.contentType,
	);
	return [
		{
			json: {
				folder,
				uid,
				part: meta.part,
				fileName: meta.filename,
				contentType: meta.contentType,
				size: data.length,
			},
			binary: { [prop]: binary },
		},
	];
}
