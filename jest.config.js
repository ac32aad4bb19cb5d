// Five projects: unit (pure modules), integration (real Dovecot / SMTP / fake HTTP servers),
// workflow (real workflows through n8n-core's WorkflowExecute), e2e (a real n8n process), queue (n8n in queue
// mode: PostgreSQL, Redis, main, workers, webhook processor).
const transform = {
	'^.+\\.ts$': [
		'ts-jest',
		{
			tsconfig: {
				// Type checking is done once by `npm run lint` (tsc -p tsconfig.test.json); tests only transpile.
				isolatedModules: true,
				esModuleInterop: true,
				target: 'es2022',
				module: 'commonjs',
				experimentalDecorators: true,
				emitDecoratorMetadata: true,
			},
		},
	],
};
const project = (name, extra = {}) => ({
	displayName: name,
	testEnvironment: 'node',
	transform,
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	setupFilesAfterEnv: ['<rootDir>/test/harness/jest-setup.ts'],
	// n8n's user folders and runtimes of the e2e runs hold package.json files of their own
	modulePathIgnorePatterns: ['<rootDir>/.e2e/', '<rootDir>/.n8n-runtime/', '<rootDir>/.sandbox/'],
	...extra,
});
module.exports = {
	projects: [
		project('unit'),
		project('integration', {
			globalSetup: '<rootDir>/test/harness/global-setup.ts',
			globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
		}),
		project('workflow', {
			globalSetup: '<rootDir>/test/harness/global-setup.ts',
			globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
		}),
		project('e2e', { globalSetup: '<rootDir>/test/harness/e2e-setup.ts' }),
		project('queue', { globalSetup: '<rootDir>/test/harness/e2e-setup.ts' }),
	],
	testTimeout: 120000,
};
