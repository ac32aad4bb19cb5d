// Loads node and credential types the way n8n does, for tests: this package's own (from the TypeScript
// sources listed in package.json `n8n`), and any n8n-nodes-base node or credential on demand (the anchors
// our benchmarks compare against, the Manual Trigger, ...).
import path from 'node:path';
import type {
	ICredentialType,
	IDataObject,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

// Node and credential classes are found by path at run time, as n8n's loader finds them.

// CRM_MAIL_ROOT: set by scripts/bench.js, whose bundles run from another folder.
export const ROOT = process.env.CRM_MAIL_ROOT ?? path.resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-crm-mail';
const pkg = require(path.join(ROOT, 'package.json')) as {
	n8n: { nodes: string[]; credentials: string[] };
};
const basePkgDir = path.dirname(require.resolve('n8n-nodes-base/package.json'));
const basePkg = require(path.join(basePkgDir, 'package.json')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** `dist/nodes/Foo/Foo.node.js` -> the class exported from `nodes/Foo/Foo.node.ts` */
function loadFromSource<T>(distPath: string): T {
	const source = path.join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	const className = path.basename(source).replace(/\.(node|credentials)\.ts$/, '');
	const Class = require(source)[className];
	if (!Class) throw new Error(`${source} does not export a class named ${className}`);
	return new Class() as T;
}

function loadFromBase<T>(
	list: string[],
	suffix: 'node' | 'credentials',
	name: string,
): T | undefined {
	const file = list.find(
		(p) => path.basename(p, `.${suffix}.js`).toLowerCase() === name.toLowerCase(),
	);
	if (!file) return undefined;
	const className = path.basename(file, `.${suffix}.js`);
	const Class = require(path.join(basePkgDir, file))[className];
	return Class ? (new Class() as T) : undefined;
}

let ownNodes: Map<string, INodeType | IVersionedNodeType> | undefined;
let ownCredentials: Map<string, ICredentialType> | undefined;

/** This package's node types, keyed by full type name (`n8n-nodes-crm-mail.<name>`). */
export function packageNodes(): Map<string, INodeType | IVersionedNodeType> {
	if (!ownNodes) {
		ownNodes = new Map();
		for (const p of pkg.n8n.nodes) {
			const node = loadFromSource<INodeType | IVersionedNodeType>(p);
			ownNodes.set(`${PACKAGE_NAME}.${node.description.name}`, node);
		}
	}
	return ownNodes;
}

/** This package's credential types, keyed by credential name. */
export function packageCredentials(): Map<string, ICredentialType> {
	if (!ownCredentials) {
		ownCredentials = new Map();
		for (const p of pkg.n8n.credentials) {
			const cred = loadFromSource<ICredentialType>(p);
			ownCredentials.set(cred.name, cred);
		}
	}
	return ownCredentials;
}

const ownNodeCache = new Map<string, INodeType | IVersionedNodeType>();

/**
 * One node of this package, loaded alone (file `nodes/Foo/Foo.node.ts` for type `n8n-nodes-crm-mail.foo`), so a
 * test or benchmark pays only for the node it runs, not for every node's libraries.
 */
function packageNode(type: string): INodeType | IVersionedNodeType | undefined {
	if (ownNodes) return ownNodes.get(type);
	const [prefix, name] = type.split('.');
	if (prefix !== PACKAGE_NAME) return undefined;
	if (!ownNodeCache.has(name)) {
		const file = pkg.n8n.nodes.find(
			(p) => path.basename(p, '.node.js').toLowerCase() === name.toLowerCase(),
		);
		const node = file ? loadFromSource<INodeType | IVersionedNodeType>(file) : undefined;
		if (node?.description.name === name) ownNodeCache.set(name, node);
	}
	return ownNodeCache.get(name);
}

const baseNodeCache = new Map<string, INodeType | IVersionedNodeType>();
const baseCredentialCache = new Map<string, ICredentialType>();

export function credentialType(name: string): ICredentialType {
	const own = packageCredentials().get(name);
	if (own) return own;
	if (!baseCredentialCache.has(name)) {
		const cred = loadFromBase<ICredentialType>(basePkg.n8n.credentials, 'credentials', name);
		if (!cred) throw new Error(`Unknown credential type ${name}`);
		baseCredentialCache.set(name, cred);
	}
	return baseCredentialCache.get(name)!;
}

/** Node types for a Workflow: this package's, n8n-nodes-base's on demand, plus any extra given by a test. */
export class TestNodeTypes implements INodeTypes {
	constructor(private readonly extra: Record<string, INodeType | IVersionedNodeType> = {}) {}

	getByName(type: string): INodeType | IVersionedNodeType {
		const found = this.extra[type] ?? packageNode(type) ?? this.loadBase(type);
		if (!found) throw new Error(`Unknown node type ${type}`);
		return found;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}

	private loadBase(type: string) {
		const [prefix, name] = type.split('.');
		if (prefix !== 'n8n-nodes-base') return undefined;
		if (!baseNodeCache.has(name)) {
			const node = loadFromBase<INodeType | IVersionedNodeType>(basePkg.n8n.nodes, 'node', name);
			if (node) baseNodeCache.set(name, node);
		}
		return baseNodeCache.get(name);
	}
}
