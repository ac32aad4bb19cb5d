// "Connect my account" as an admin does it: the n8n editor in headless Chromium opens the credential, the
// button opens the provider's consent page in a popup, the admin signs in and allows, the popup lands on n8n's
// OAuth2 callback and closes, and the credential shows the account as connected.
import * as path from 'node:path';
import type { CredentialRef, OAuthWorld } from './oauth-flow';

const { openEditor } = require('../../scripts/lib/n8n-editor');

export interface ConnectResult {
	/** The text of the banner n8n shows once the account is connected. */
	banner: string;
	/** The consent page's title (the provider's page really opened). */
	consentTitle: string;
	/** Where the popup was last, before it closed (n8n's callback). */
	callbackUrl: string;
}

// n8n 2.8: a "Connect my account" button below the fields; 2.41: a "Connect" button in a "Connect your account
// to use this credential" banner above them
const CONNECT_BUTTON =
	'[data-test-id="oauth-connect-button"], [data-test-id="oauth-not-connected-banner"] button';
const CONNECTED_BANNER = '[data-test-id="oauth-connect-success-banner"]';

export async function connectInEditor(
	world: OAuthWorld,
	credential: CredentialRef,
	o: { screenshotsDir: string; log?: (m: string) => void },
): Promise<ConnectResult> {
	const log = o.log ?? (() => {});
	const editor = await openEditor({
		baseUrl: world.n8n.baseUrl,
		login: world.n8n.login,
		screenshotsDir: o.screenshotsDir,
	});
	const page = editor.page;
	try {
		await editor.signIn();
		// the credentials list opens the credential's modal for this address
		await page.goto(`${world.n8n.baseUrl}/home/credentials/${credential.id}`);
		const button = page.locator(CONNECT_BUTTON).first();
		await button.waitFor({ state: 'visible', timeout: 30000 });
		await editor.screenshot('oauth-credential-before-connect');
		log('clicking "Connect my account"');
		const [popup] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
		await popup.waitForSelector('#user', { timeout: 30000 });
		const consentTitle = await popup.title();
		let callbackUrl = '';
		popup.on('framenavigated', (frame: { url(): string; parentFrame(): unknown }) => {
			if (!frame.parentFrame()) callbackUrl = frame.url();
		});
		await popup.fill('#user', world.mailbox);
		await popup.screenshot({ path: path.join(o.screenshotsDir, 'oauth-consent-page.png') });
		await Promise.all([popup.waitForEvent('close', { timeout: 30000 }), popup.click('#allow')]);
		log(`the popup closed at ${callbackUrl}`);
		const banner = page.locator(CONNECTED_BANNER).first();
		await banner.waitFor({ state: 'visible', timeout: 30000 });
		await editor.screenshot('oauth-credential-connected');
		return { banner: (await banner.innerText()).trim(), consentTitle, callbackUrl };
	} catch (error) {
		const shot = await editor.screenshot('oauth-connect-failure').catch(() => '(none)');
		(error as Error).message +=
			` (screenshot: ${shot}; page errors: ${editor.pageErrors.join(' | ') || 'none'})`;
		throw error;
	} finally {
		await editor.close();
	}
}
