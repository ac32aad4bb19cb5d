// n8n's community-node lint, as `@n8n/node-cli` builds it for `configWithoutCloudSupport`
// (its dist/configs/eslint.js), composed here from the same plugins and versions: node-cli itself
// would pull a LangChain tree into our devDependencies. Rules turned off are listed in README.md.
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', '.n8n-runtime', '.sandbox', '.e2e', 'coverage']),
	{
		files: ['**/*.ts'],
		extends: [
			js.configs.recommended,
			tseslint.configs.recommended,
			communityNodes,
			importX.configs['flat/recommended'],
		],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
			// `_name` marks a deliberately unused binding (e.g. a field dropped from a rest spread)
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
			],
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
	},
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: {
			...n8nNodesBase.configs.community.rules,
			// `overrides` serves a devDependency only and is removed from the packed manifest (scripts/pack-manifest.js).
			'@n8n/community-nodes/no-overrides-field': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['./credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['./nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		// Plain modules (engines, transports, the logic of a node; no n8n imports) throw errors of their own; only the
		// n8n glue (*.node.ts, actions/, methods/) reports failures to n8n, as NodeApiError / NodeOperationError.
		files: ['./nodes/**/*.ts'],
		ignores: ['./nodes/**/*.node.ts', './nodes/**/actions/**', './nodes/**/methods/**'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Mail credentials and the tracking secret are not HTTP APIs: their names say what they are, without "Api".
		files: ['./credentials/EmailTracking.credentials.ts'],
		rules: {
			'n8n-nodes-base/cred-class-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
		},
	},
	{
		files: [
			'./nodes/TemplatedEmail/TemplatedEmail.node.ts',
			'./nodes/ImapMailbox/ImapMailbox.node.ts',
			'./nodes/EmailTrackingTrigger/EmailTrackingTrigger.node.ts',
			'./nodes/ImapSyncTrigger/ImapSyncTrigger.node.ts',
		],
		rules: { 'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off' },
	},
	{
		// Its webhooks are called through links the package signs, not registered at a third party: nothing for
		// checkExists / create / delete to do.
		files: ['./nodes/EmailTrackingTrigger/EmailTrackingTrigger.node.ts'],
		rules: { '@n8n/community-nodes/webhook-lifecycle-complete': 'off' },
	},
	{
		// CRM Delay holds items for minutes or days: an AI agent's tool call must not wait on it. n8n's type
		// knows no `usableAsTool: false`; leaving it out is how a node stays off the tool list.
		files: ['./nodes/CrmDelay/CrmDelay.node.ts'],
		rules: { '@n8n/community-nodes/node-usable-as-tool': 'off' },
	},
	{
		// A folder entry of the IMAP Sync Trigger starts with its folder picker, as a user reads it, not alphabetically.
		files: ['./nodes/ImapSyncTrigger/description.ts'],
		rules: { 'n8n-nodes-base/node-param-fixed-collection-type-unsorted-items': 'off' },
	},
	{
		// Tests, benchmarks and scripts are not shipped; they may log and spawn processes, load the CommonJS scripts
		// of scripts/lib, hold the fixtures' passwords and throw plain errors.
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			'no-console': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'@typescript-eslint/no-require-imports': 'off',
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'@n8n/community-nodes/require-node-api-error': 'off',
			// tests read n8n's untyped item JSON (IDataObject all the way down)
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
);
