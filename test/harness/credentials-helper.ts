// The credentials part of n8n's runtime, for tests: decrypted credential data given by the test, and
// `authenticate` applied exactly as n8n's CredentialsHelper does (function, or generic with expressions).
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IDataObject,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression } from 'n8n-workflow';
import { credentialType } from './node-registry';

export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly creds: CredentialsByType = {}) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		request: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialType(typeName);
		const auth = type.authenticate;
		if (!auth) return request;
		if (typeof auth === 'function') return await auth(credentials, request);
		const options = request as unknown as Record<string, IDataObject>;
		options.headers = options.headers ?? {};
		for (const [outer, values] of Object.entries(auth.properties)) {
			for (const [key, value] of Object.entries(values as IDataObject)) {
				const k = resolve(key, credentials, workflow, node);
				options[outer] = options[outer] ?? {};
				options[outer][k] = resolve(value, credentials, workflow, node);
			}
		}
		return request;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('getCredentials is not used by the workflow engine in tests');
	}

	async getDecrypted(
		_data: unknown,
		_node: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const found = this.creds[type];
		if (!found) throw new Error(`The test gave no credentials of type ${type}`);
		// Defaults of the credential's properties, as n8n fills them in.
		const defaults: ICredentialDataDecryptedObject = {};
		for (const p of credentialType(type).properties as INodeProperties[]) {
			if (p.default !== undefined) defaults[p.name] = p.default as never;
		}
		// a copy every time, as n8n decrypts the stored data on every read
		return JSON.parse(JSON.stringify({ ...defaults, ...found })) as ICredentialDataDecryptedObject;
	}

	async updateCredentials() {}

	/** n8n's refreshOAuth2Token saves the new token here; kept through JSON as n8n's encrypted store does. */
	async updateCredentialsOauthTokenData(
		_node: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.tokenUpdates++;
		this.creds[type] = {
			...this.creds[type],
			oauthTokenData: JSON.parse(JSON.stringify(data.oauthTokenData ?? null)),
		};
	}

	/** How often a node saved a refreshed OAuth2 token. */
	tokenUpdates = 0;

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialType(type).properties;
	}
}

function resolve(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
	workflow: Workflow,
	node: INode,
): string {
	if (!isExpression(value)) return value as string;
	const resolved = workflow.expression.getSimpleParameterValue(
		node,
		value as string,
		'internal',
		{ $credentials: credentials },
		undefined,
		'',
	);
	return resolved ? String(resolved) : '';
}
