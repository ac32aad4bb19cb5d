'use strict';
// A local OAuth2 provider for `npm start`, so OAuth2 mail credentials can be tried with no Google or Microsoft
// account: the authorization server the tests use (test/fakes/oauth2/server.ts: RFC 6749 code + refresh grants,
// RFC 7662 introspection for Dovecot, RFC 7009 revocation), bundled on the fly by esbuild
// (bundle-fake.js). Grants live in memory: they are gone on every start.
const { loadFake } = require('./bundle-fake');

const DEFAULT_PORT = 3082;
const DEFAULT_CLIENTS = [
	// the n8n credential's client (redirects to any http(s) callback, e.g. n8n's /rest/oauth2-credential/callback)
	{ clientId: 'sandbox-n8n', clientSecret: 'sandbox-n8n-secret' },
	// the mail server's client: Dovecot introspects tokens with it
	{ clientId: 'sandbox-dovecot', clientSecret: 'sandbox-dovecot-secret' },
];

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
	const { startOAuth2Fake } = loadFake('test/fakes/oauth2/server.ts', 'oauth2-server');
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
