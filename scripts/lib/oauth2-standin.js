'use strict';
// A local OAuth2 provider for `npm start`, so OAuth2 mail credentials can be tried with no Google or Microsoft
// account: the authorization server the tests use (test/fakes/oauth2/server.ts: RFC 6749 code + refresh grants,
// RFC 7662 introspection for Dovecot, RFC 7009 revocation), bundled on the fly by esbuild like
// unisender-standin.js does. Grants live in memory: they are gone on every start.
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(REPO, 'test', 'fakes', 'oauth2', 'server.ts');
const DEFAULT_PORT = 3082;
const DEFAULT_CLIENTS = [
	// the n8n credential's client (redirects to any http(s) callback, e.g. n8n's /rest/oauth2-credential/callback)
	{ clientId: 'sandbox-n8n', clientSecret: 'sandbox-n8n-secret' },
	// the mail server's client: Dovecot introspects tokens with it
	{ clientId: 'sandbox-dovecot', clientSecret: 'sandbox-dovecot-secret' },
];

/** Bundles the TypeScript fake into node_modules/.cache/ (packages stay external) and loads it. */
function loadOAuth2Fake() {
	const esbuild = require('esbuild');
	const outfile = path.join(REPO, 'node_modules', '.cache', 'crm-mail-standin', 'oauth2-server.js');
	fs.mkdirSync(path.dirname(outfile), { recursive: true });
	esbuild.buildSync({
		entryPoints: [SOURCE],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		packages: 'external',
		absWorkingDir: REPO,
		logLevel: 'warning',
	});
	// no esbuild service process left running next to npm start
	if (typeof esbuild.stop === 'function') esbuild.stop();
	delete require.cache[outfile];
	return require(outfile).startOAuth2Fake;
}

/**
 * Starts the provider on 127.0.0.1:port (0 = any free port). Returns the fake (url, authorizationUrl, tokenUrl,
 * introspectionUrl, revocationUrl, issueTokens, stats, close()) plus clients and stop().
 * Throws when the port is taken.
 */
async function startOAuth2Standin({
	port = DEFAULT_PORT,
	clients = DEFAULT_CLIENTS,
	accessTokenTtlSeconds = 3600,
	defaultUser,
} = {}) {
	const startOAuth2Fake = loadOAuth2Fake();
	try {
		const fake = await startOAuth2Fake({ port, clients, accessTokenTtlSeconds, defaultUser });
		return Object.assign(fake, { clients, stop: () => fake.close() });
	} catch (error) {
		throw new Error(
			error && error.code === 'EADDRINUSE'
				? `port ${port} is already in use (choose another port for the local OAuth2 provider)`
				: `could not start the local OAuth2 provider: ${error.message}`,
		);
	}
}

function describe(standIn) {
	const app = standIn.clients[0];
	return [
		`OAuth2: a LOCAL TEST PROVIDER at ${standIn.url} (not Google or Microsoft)`,
		`  (test/fakes/oauth2/server.ts; grants live in memory until Ctrl-C).`,
		`  Authorization URL ${standIn.authorizationUrl}, Access Token URL ${standIn.tokenUrl},`,
		`  Client ID ${app.clientId}, Client Secret ${app.clientSecret}; its consent page asks for the mailbox address.`,
	].join('\n');
}

module.exports = { startOAuth2Standin, describe, DEFAULT_PORT, DEFAULT_CLIENTS };
