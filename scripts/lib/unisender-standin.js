'use strict';
// A local stand-in for the Unisender API, so the Unisender examples of `npm start` work with no outside account.
// It is the fake server the tests use (test/fakes/unisender/server.ts, which follows Unisender's public API:
// POST /{en|ru|ua}/api/{method}, api_key in the form body, errors as HTTP 200 with `error` and `code`),
// bundled on the fly by esbuild (bundle-fake.js). State lives in memory: it is reset on every start.
const { loadFake } = require('./bundle-fake');

const DEFAULT_PORT = 3081;
const DEFAULT_API_KEY = 'sandbox-unisender-key';
// The examples default to list 1 (deal-stage-to-unisender: `unisenderListIds || '1'`, opened-to-unisender:
// `unisenderListId || '1'`); both lists send a confirmation letter, as a real Unisender list does.
const DEFAULT_LISTS = ['CRM clients', 'Offer openers'];

/**
 * Starts the stand-in on 127.0.0.1:port (0 = any free port). Returns { baseUrl, apiKey, lists, fake, stop() }.
 * Throws when the port is taken.
 */
async function startUnisenderStandIn({
	port = DEFAULT_PORT,
	apiKey = DEFAULT_API_KEY,
	lists = DEFAULT_LISTS,
} = {}) {
	const { FakeUnisender } = loadFake('test/fakes/unisender/server.ts', 'unisender-server');
	const fake = new FakeUnisender({ apiKeys: [apiKey] });
	const created = lists.map((title) => fake.addList(title));
	try {
		await fake.start(port);
	} catch (error) {
		throw new Error(
			error && error.code === 'EADDRINUSE'
				? `port ${port} is already in use (set UNISENDER_STANDIN_PORT to another port)`
				: `could not start: ${error.message}`,
		);
	}
	return { baseUrl: fake.baseUrl, apiKey, lists: created, fake, stop: () => fake.stop() };
}

/** The placeholder values {{unisender.apiKey}} and {{unisender.baseUrl}} for a stand-in on `port`. */
function standInVars(port = DEFAULT_PORT, apiKey = DEFAULT_API_KEY) {
	return { apiKey, baseUrl: `http://127.0.0.1:${port}` };
}

function describe(standIn) {
	return [
		`Unisender: a LOCAL STAND-IN at ${standIn.baseUrl} (not Unisender), following Unisender's public API`,
		`  (test/fakes/unisender/server.ts; contacts and lists live in memory until Ctrl-C).`,
		`  Lists: ${standIn.lists.map((l) => `${l.id} "${l.title}"`).join(', ')}; API key ${standIn.apiKey}`,
		`  For real use put your Unisender API key and https://api.unisender.com into the "Sandbox Unisender"`,
		`  credential (npm start keeps a credential that no longer points at the stand-in).`,
	].join('\n');
}

module.exports = {
	startUnisenderStandIn,
	standInVars,
	describe,
	DEFAULT_PORT,
	DEFAULT_API_KEY,
	DEFAULT_LISTS,
};
