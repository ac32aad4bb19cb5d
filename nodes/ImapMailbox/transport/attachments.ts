// Finding one attachment in a message's BODYSTRUCTURE (no n8n imports).
import type { MessageStructureObject } from 'imapflow';

export interface AttachmentPart {
	part: string;
	filename: string;
	contentType: string;
	size: number;
}

function filenameOf(node: MessageStructureObject): string {
	return node.dispositionParameters?.filename ?? node.parameters?.name ?? '';
}

/** Leaf parts that are attachments: a file name, or disposition attachment, or a non-text body. */
export function attachmentParts(root: MessageStructureObject | undefined): AttachmentPart[] {
	const out: AttachmentPart[] = [];
	const walk = (node: MessageStructureObject | undefined) => {
		if (!node) return;
		if (node.childNodes?.length) {
			node.childNodes.forEach(walk);
			return;
		}
		const filename = filenameOf(node);
		const type = (node.type ?? '').toLowerCase();
		const isAttachment =
			Boolean(filename) ||
			(node.disposition ?? '').toLowerCase() === 'attachment' ||
			type === 'message/rfc822';
		if (isAttachment && node !== root) {
			out.push({
				part: node.part ?? '1',
				filename,
				contentType: type || 'application/octet-stream',
				size: node.size ?? 0,
			});
		}
	};
	walk(root);
	// a single-part message that is itself a file (e.g. a scanner's PDF)
	if (!out.length && root && !root.childNodes?.length && filenameOf(root)) {
		out.push({
			part: root.part ?? '1',
			filename: filenameOf(root),
			contentType: root.type,
			size: root.size ?? 0,
		});
	}
	return out;
}

/** The attachment by part number, else by file name (case-insensitive), else the first one. */
export function pickAttachment(
	parts: AttachmentPart[],
	by: { part?: string; filename?: string },
): AttachmentPart | undefined {
	if (by.part) return parts.find((p) => p.part === by.part);
	if (by.filename) {
		const wanted = by.filename.toLowerCase();
		return parts.find((p) => p.filename.toLowerCase() === wanted);
	}
	return parts[0];
}
