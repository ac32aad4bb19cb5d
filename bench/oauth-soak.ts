// `npm run bench -- oauth-soak`: an OAuth2 mailbox in a real n8n (this package packed and installed as the
// Community Nodes screen does; CRM_MAIL_N8N_VERSION picks n8n, latest by default) against a local OAuth2
// provider whose access tokens live 60 s and a Dovecot that takes only its tokens. The account is connected
// with "Connect my account" in the editor (headless Chromium); then for 5 minutes mail arrives every 3 s into
// the INBOX an active IMAP Sync Trigger watches, its IMAP sessions are cut every 45 s, and Send Templated Email
// runs once a minute (the first after the first token expired; the second after the provider dropped every
// access token early). Finally the consent is revoked: the trigger and a send run must ask for a reconnect.
// The scenario is test/e2e/oauth-soak.ts, shared with the e2e test (which runs it for 1.5 minutes).
// Knobs: OAUTH_SOAK_MINUTES (5), OAUTH_SOAK_TOKEN_S (60).
// Last line: oauth-soak: minutes= token_lifetime_s= refreshes= delivered= emitted= smtp_sent= smtp_failed=
// (targets: minutes >= 5, refreshes >= 4, emitted = delivered, smtp_failed = 0).
import path from 'node:path';

const root = process.env.CRM_MAIL_ROOT ?? process.cwd();
const flow = require(
	path.join(root, 'test/e2e/oauth-flow.ts'),
) as typeof import('../test/e2e/oauth-flow');
const connect = require(
	path.join(root, 'test/e2e/oauth-connect.ts'),
) as typeof import('../test/e2e/oauth-connect');
const soakLib = require(
	path.join(root, 'test/e2e/oauth-soak.ts'),
) as typeof import('../test/e2e/oauth-soak');

const MINUTES = Number(process.env.OAUTH_SOAK_MINUTES ?? 5);
const TOKEN_S = Number(process.env.OAUTH_SOAK_TOKEN_S ?? 60);
const log = (m: string) => process.stderr.write(`[oauth-soak] ${m}\n`);

async function main() {
	const world = await flow.startOAuthWorld({
		name: 'bench-oauth-soak',
		accessTokenTtlSeconds: TOKEN_S,
		log,
	});
	// the editor's screenshots (and one of a failure) go to screenshots/oauth-soak/ (git-ignored)
	const shots = path.join(root, 'screenshots', 'oauth-soak');
	try {
		const credential = await flow.createOAuthCredential(world);
		const connected = await connect.connectInEditor(world, credential, {
			screenshotsDir: shots,
			log,
		});
		const stored = await flow.hasStoredTokens(world, credential);
		log(`connected in the editor: "${connected.banner.split('\n')[0]}", tokens stored: ${stored}`);
		const soak = await soakLib.runOAuthSoak(world, credential, {
			minutes: MINUTES,
			tokenLifetimeS: TOKEN_S,
			deliverEveryMs: 3000,
			reconnectEveryS: 45,
			sendEveryS: 60,
			log,
		});
		log(
			`soak: ${soak.kicks} cut sessions, ${soak.duplicates} duplicates, missing [${soak.missing.join(', ')}], ${soak.failedExecutions.length} failed trigger executions, ${soak.sentCopies} copies in Sent, first send at ${soak.firstSendAtS} s, sends: ${soak.sends.map((s) => `${s.n}:${s.status}`).join(' ')}`,
		);
		for (const e of soak.failedExecutions) log(`failed trigger execution ${e.id}: ${e.error}`);
		const revoked = await soakLib.revokeConsent(world, soak, log);
		log(
			`consent revoked: trigger reported after ${revoked.reportedAfterS} s: ${revoked.triggerError ?? '(nothing)'}; send run: ${revoked.send.status}: ${revoked.send.error ?? ''}`,
		);
		console.log(
			`oauth-soak: minutes=${soak.minutes} token_lifetime_s=${soak.tokenLifetimeS} refreshes=${soak.refreshes} delivered=${soak.delivered} emitted=${soak.emitted} smtp_sent=${soak.smtpSent} smtp_failed=${soak.smtpFailed}`,
		);
	} finally {
		await world.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
