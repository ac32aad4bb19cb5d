// The check behind the Email Tracking credential test (used by both nodes that take the credential).
import { parseBaseUrl } from './urls';

export const MIN_SECRET_LENGTH = 32;

export function checkTrackingCredential(data: Record<string, unknown>): {
	status: 'OK' | 'Error';
	message: string;
} {
	const secret = String(data.secret ?? '');
	if (secret.length < MIN_SECRET_LENGTH) {
		return {
			status: 'Error',
			message: `The secret must be at least ${MIN_SECRET_LENGTH} characters long (it has ${secret.length}). Generate one with: openssl rand -hex 32`,
		};
	}
	const base = parseBaseUrl(String(data.baseUrl ?? ''));
	if ('error' in base)
		return {
			status: 'Error',
			message: `${base.error}, e.g. https://n8n.example.com/webhook/email-tracking`,
		};
	if (/\/(open|click|unsubscribe)$/.test(base.url))
		return {
			status: 'Error',
			message:
				'Remove /open, /click or /unsubscribe from the end of the Tracking Base URL: the trigger adds them',
		};
	return { status: 'OK', message: 'The secret is strong enough and the base URL is well formed' };
}
