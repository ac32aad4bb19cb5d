// Who fetched a tracking URL. Mail privacy proxies and link scanners make "opened" and "clicked"
// unreliable (reference §2.6), so every event says what it probably was and why; the flow decides,
// and the trigger can drop bots. Rules, first match wins:
//   HEAD request                                  -> bot (prefetch / link check)
//   GoogleImageProxy / YahooMailProxy in the UA   -> imageProxy (a real open, fetched via the provider)
//   scanner name in the UA                        -> securityScanner
//   crawler / script / headless UA, or no UA      -> bot
//   open from Apple's 17.0.0.0/8, or an open with the bare UA `Mozilla/5.0`
//                                                 -> applePrivacyProxy (Mail Privacy Protection preload)
//   within 2 s of sending (Mautic's default)      -> securityScanner (no human opens that fast)
//   otherwise                                     -> human
// Proxies are checked before the bot patterns because generic bot detectors (isbot) flag them as bots.
export type ClassificationKind =
	'human' | 'applePrivacyProxy' | 'imageProxy' | 'securityScanner' | 'bot';

export interface Classification {
	kind: ClassificationKind;
	reason: string;
}

export interface RequestFacts {
	event: 'open' | 'click' | 'unsubscribe';
	method: string;
	userAgent?: string;
	ip?: string;
	secondsSinceSent?: number;
}

export const FAST_HIT_SECONDS = 2;

const IMAGE_PROXIES: Array<[RegExp, string]> = [
	[/GoogleImageProxy|ggpht\.com/i, 'Gmail image proxy'],
	[/YahooMailProxy/i, 'Yahoo Mail image proxy'],
];

const SCANNERS: Array<[RegExp, string]> = [
	[/barracuda/i, 'Barracuda'],
	[/mimecast/i, 'Mimecast'],
	[/proofpoint/i, 'Proofpoint'],
	[/safelinks|microsoft defender|office 365 atp/i, 'Microsoft SafeLinks'],
	[/messagelabs|symantec/i, 'Symantec MessageLabs'],
	[/trend ?micro/i, 'Trend Micro'],
	[/forcepoint|websense/i, 'Forcepoint'],
	[/sophos/i, 'Sophos'],
	[/fortiguard|fortinet/i, 'Fortinet'],
	[/ironport|cisco/i, 'Cisco'],
];

const BOTS =
	/bot\b|bot\/|crawler|spider|crawl|slurp|curl\/|wget|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|apache-httpclient|libwww|httpclient|axios|node-fetch|undici|^node$|got \(|headlesschrome|phantomjs|puppeteer|playwright|scrapy|facebookexternalhit|preview|monitor|validator|scan/i;

export function classifyRequest(facts: RequestFacts): Classification {
	const ua = (facts.userAgent ?? '').trim();
	if (facts.method.toUpperCase() === 'HEAD')
		return { kind: 'bot', reason: 'HEAD request (link check or prefetch)' };
	for (const [pattern, name] of IMAGE_PROXIES)
		if (pattern.test(ua)) return { kind: 'imageProxy', reason: `${name} (user agent)` };
	for (const [pattern, name] of SCANNERS)
		if (pattern.test(ua)) return { kind: 'securityScanner', reason: `${name} (user agent)` };
	if (!ua) return { kind: 'bot', reason: 'no user agent' };
	const bot = BOTS.exec(ua);
	if (bot) return { kind: 'bot', reason: `user agent matches "${bot[0]}"` };
	if (facts.event === 'open') {
		if (isAppleIp(facts.ip))
			return {
				kind: 'applePrivacyProxy',
				reason: 'Apple network 17.0.0.0/8 (Mail Privacy Protection)',
			};
		if (/^Mozilla\/5\.0$/.test(ua))
			return {
				kind: 'applePrivacyProxy',
				reason: 'bare "Mozilla/5.0" user agent (Mail Privacy Protection)',
			};
	} else if (/^Mozilla\/5\.0$/.test(ua)) {
		return { kind: 'bot', reason: 'bare "Mozilla/5.0" user agent on a link' };
	}
	if (
		facts.secondsSinceSent !== undefined &&
		facts.secondsSinceSent < FAST_HIT_SECONDS &&
		facts.event !== 'unsubscribe'
	) {
		return {
			kind: 'securityScanner',
			reason: `${facts.event === 'open' ? 'opened' : 'clicked'} ${Math.max(0, facts.secondsSinceSent)} s after sending`,
		};
	}
	return { kind: 'human', reason: 'no bot signal' };
}

export function isBotLike(kind: ClassificationKind): boolean {
	return kind === 'bot' || kind === 'securityScanner';
}

/** 17.0.0.0/8 belongs to Apple; IPv4-mapped IPv6 (`::ffff:17.x.x.x`) as Node reports it counts too. */
export function isAppleIp(ip: string | undefined): boolean {
	if (!ip) return false;
	const v4 = ip.replace(/^::ffff:/i, '');
	const parts = v4.split('.');
	return (
		parts.length === 4 &&
		parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) &&
		parts[0] === '17'
	);
}
