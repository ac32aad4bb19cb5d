'use strict';
// A local stand-in for a Bitrix24 portal, so the Bitrix24 examples of `npm start` work with no outside account.
// It is the fake portal the tests use (test/fakes/bitrix24/server.ts, which follows Bitrix24's REST
// documentation: `/rest/<user>/<code>/<method>.json`, `batch`, crm.duplicate.findbycomm, crm.*, the request
// limit), bundled on the fly by esbuild (bundle-fake.js). Records live in memory: they are reset on every start.
//
// Bitrix24 also has OUTGOING webhooks (events such as ONCRMDEALUPDATE posted to a handler URL, form-encoded,
// signed with the webhook's application token); the fake does not send them, so `describe` prints the request
// Bitrix24 would send, to try the deal example by hand.
const { loadFake } = require('./bundle-fake');

const DEFAULT_PORT = 3083;
// the inbound webhook `/rest/1/<code>/` of the "Sandbox Bitrix24" credential
const DEFAULT_CODE = 'sandboxwebhook0001';
// the application token of the outgoing webhook the example "Bitrix24: deal moved to Preparing documents"
// checks (in Bitrix24 it is shown when the outgoing webhook is created)
const APPLICATION_TOKEN = 'sandbox-outgoing-webhook-token';

/** A contact and a deal in the stage the deal example reacts to, so the printed request works at once. */
function seed(fake) {
	const contact = fake.put('contact', {
		NAME: 'Anna',
		LAST_NAME: 'Customer',
		EMAIL: [{ ID: '1', VALUE: 'customer@client.local', VALUE_TYPE: 'WORK', TYPE_ID: 'EMAIL' }],
		SOURCE_ID: 'EMAIL',
		ASSIGNED_BY_ID: '1',
	});
	const deal = fake.put('deal', {
		TITLE: 'CRM rollout',
		STAGE_ID: 'PREPARATION',
		CATEGORY_ID: '0',
		OPPORTUNITY: '4800.00',
		CURRENCY_ID: 'EUR',
		CONTACT_ID: contact.ID,
		ASSIGNED_BY_ID: '1',
	});
	return { contact, deal };
}

/**
 * Starts the stand-in on 127.0.0.1:port (0 = any free port). Returns { webhookUrl, applicationToken, demo,
 * fake, stop() }. Throws when the port is taken.
 */
async function startBitrix24StandIn({ port = DEFAULT_PORT, code = DEFAULT_CODE } = {}) {
	const { FakeBitrix24 } = loadFake('test/fakes/bitrix24/server.ts', 'bitrix24-server');
	const fake = new FakeBitrix24();
	try {
		await fake.start(port);
	} catch (error) {
		throw new Error(
			error && error.code === 'EADDRINUSE'
				? `port ${port} is already in use (set BITRIX24_STANDIN_PORT to another port)`
				: `could not start: ${error.message}`,
		);
	}
	const webhookUrl = fake.addWebhook({ code });
	return {
		webhookUrl,
		applicationToken: APPLICATION_TOKEN,
		demo: seed(fake),
		fake,
		stop: () => fake.stop(),
	};
}

/** The placeholder values {{...bitrix24.webhookUrl}} / {{...bitrix24.applicationToken}} for a stand-in on `port`. */
function standInVars(port = DEFAULT_PORT, code = DEFAULT_CODE) {
	return {
		webhookUrl: `http://127.0.0.1:${port}/rest/1/${code}/`,
		applicationToken: APPLICATION_TOKEN,
	};
}

/**
 * The form body Bitrix24's outgoing webhook posts for `event` on the deal `dealId` (apidocs.bitrix24.com, "Event
 * on deal update onCrmDealUpdate"; PHP bracket keys, application/x-www-form-urlencoded).
 */
function dealEventForm({
	dealId,
	event = 'ONCRMDEALUPDATE',
	applicationToken = APPLICATION_TOKEN,
	domain = 'sandbox.bitrix24.local',
}) {
	return new URLSearchParams({
		event,
		event_handler_id: '7',
		'data[FIELDS][ID]': String(dealId),
		ts: String(Math.floor(Date.now() / 1000)),
		'auth[domain]': domain,
		'auth[client_endpoint]': `https://${domain}/rest/`,
		'auth[server_endpoint]': 'https://oauth.bitrix.info/rest/',
		'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
		'auth[application_token]': applicationToken,
	}).toString();
}

function describe(standIn, n8nUrl = 'http://localhost:5678') {
	return [
		`Bitrix24: a LOCAL STAND-IN portal at ${standIn.webhookUrl} (not Bitrix24), following Bitrix24's REST docs`,
		`  (test/fakes/bitrix24/server.ts; records live in memory until Ctrl-C). Demo: contact ${standIn.demo.contact.ID}`,
		`  customer@client.local, deal ${standIn.demo.deal.ID} "CRM rollout" in stage Preparing documents.`,
		`  Bitrix24's "deal updated" event, as its outgoing webhook posts it (publish the deal example first):`,
		`    curl -d '${dealEventForm({ dealId: standIn.demo.deal.ID })}' \\`,
		`      '${n8nUrl}/webhook/bitrix24-deal-updated?delayMinutes=0.1'`,
		`  For real use put your portal's inbound webhook URL into the "Sandbox Bitrix24" credential.`,
	].join('\n');
}

module.exports = {
	startBitrix24StandIn,
	standInVars,
	dealEventForm,
	describe,
	DEFAULT_PORT,
	APPLICATION_TOKEN,
};
