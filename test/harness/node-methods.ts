// What the editor calls on a node besides running it: dropdowns (loadOptions), resource-locator lists
// (listSearch) and the credential "Test" button, each run as n8n runs it.
import { CredentialTestContext, ExecuteContext, LoadOptionsContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunction,
	ICredentialType,
	IDataObject,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import { createRunExecutionData } from 'n8n-workflow';
import type { CredentialsByType } from './credentials-helper';
import { packageCredentials } from './node-registry';
import { additionalDataFor, createWorkflow, credentialRefsFor } from './workflow';

interface EditorCallOptions {
	credentials?: CredentialsByType;
	parameters?: IDataObject;
	credentialRefs?: INode['credentials'];
}

/** The context the editor's calls run in: the node alone (its newest version) in a workflow. */
function editorContext(nodeType: INodeType, opts: EditorCallOptions): LoadOptionsContext {
	const { version } = nodeType.description;
	const node: INode = {
		id: 'editor-call',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: `n8n-nodes-crm-mail.${nodeType.description.name}`,
		typeVersion: Array.isArray(version) ? Math.max(...version) : version,
		position: [0, 0],
		parameters: (opts.parameters ?? {}) as INode['parameters'],
		credentials: opts.credentialRefs ?? credentialRefsFor(nodeType, opts.credentials),
	};
	const workflow = createWorkflow({ nodes: [node], connections: {} });
	return new LoadOptionsContext(workflow, node, additionalDataFor(opts.credentials), 'parameters');
}

/** Calls a node's loadOptions method as the editor does when a dropdown opens. */
export async function loadOptions(
	nodeType: INodeType,
	method: string,
	opts: EditorCallOptions = {},
): Promise<INodePropertyOptions[]> {
	const fn = nodeType.methods?.loadOptions?.[method];
	if (!fn) throw new Error(`${nodeType.description.name} has no loadOptions method ${method}`);
	return await fn.call(editorContext(nodeType, opts));
}

/** Calls a node's listSearch method as the editor does when a resource locator's list opens or is filtered. */
export async function listSearch(
	nodeType: INodeType,
	method: string,
	filter: string | undefined,
	opts: EditorCallOptions = {},
): Promise<INodeListSearchResult> {
	const fn = nodeType.methods?.listSearch?.[method];
	if (!fn) throw new Error(`${nodeType.description.name} has no listSearch method ${method}`);
	return await fn.call(editorContext(nodeType, opts), filter);
}

/**
 * Runs the credential test that n8n's "Test" button runs, chosen as n8n chooses it: the credential type's own
 * declarative `test` when it has one, else the node's `testedBy` function.
 */
export async function testCredential(
	nodeType: INodeType,
	credentialName: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const credentialType = packageCredentials().get(credentialName);
	if (credentialType?.test) return await testDeclaratively(nodeType, credentialType, data);
	const ref = nodeType.description.credentials?.find((c) => c.name === credentialName);
	if (!ref || typeof ref.testedBy !== 'string')
		throw new Error(`${nodeType.description.name} declares no test function for ${credentialName}`);
	const fn = nodeType.methods?.credentialTest?.[ref.testedBy] as
		ICredentialTestFunction | undefined;
	if (!fn) throw new Error(`${nodeType.description.name} has no credentialTest.${ref.testedBy}`);
	return await fn.call(new CredentialTestContext(), {
		id: 'test',
		name: 'test',
		type: credentialName,
		data,
	});
}

/**
 * A declarative test as n8n's credentials tester runs it: a node with one property routed to the test's
 * request, run by n8n-core's RoutingNode; a failed status is matched against the `responseCode` rules, a
 * successful body against the `responseSuccessBody` rules.
 */
async function testDeclaratively(
	nodeType: INodeType,
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const { request, rules = [] } = credentialType.test!;
	const name = credentialType.name;
	const node: INode = {
		id: 'credential-test',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { [name]: { id: name, name } },
	};
	const testNodeType = {
		description: {
			...nodeType.description,
			credentials: [{ name, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request }, default: '' },
			],
		},
	} as INodeType;
	const nodeTypes: INodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: () => testNodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = createWorkflow({ nodes: [node], connections: {} }, nodeTypes);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor({ [name]: data }),
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	let response: INodeExecutionData[][] | undefined;
	try {
		response = await new RoutingNode(context, testNodeType, {
			id: name,
			name,
			type: name,
			data,
		}).runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string } } })
			.cause;
		if (cause?.response) {
			for (const rule of rules)
				if (rule.type === 'responseCode' && rule.properties.value === cause.response.status)
					return { status: 'Error', message: rule.properties.message };
			return {
				status: 'Error',
				message: cause.response.statusText || `Received HTTP status code: ${cause.response.status}`,
			};
		}
		const code = (error as { cause?: { code?: string } }).cause?.code;
		return { status: 'Error', message: code ?? String((error as Error).message) };
	}
	const body = response?.[0]?.[0]?.json;
	for (const rule of rules)
		if (
			rule.type === 'responseSuccessBody' &&
			readPath(body, rule.properties.key) === rule.properties.value
		)
			return { status: 'Error', message: rule.properties.message };
	return { status: 'OK', message: 'Connection successful' };
}

function readPath(value: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(v, k) => (v && typeof v === 'object' ? (v as IDataObject)[k] : undefined),
			value,
		);
}
