// Classification table: who fetched the pixel or the link, and why we think so.
import {
	classifyRequest,
	type ClassificationKind,
	type RequestFacts,
} from '../../../nodes/shared/tracking/classify';

const CHROME =
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const IPHONE_MAIL =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const base: RequestFacts = {
	event: 'open',
	method: 'GET',
	userAgent: CHROME,
	ip: '203.0.113.5',
	secondsSinceSent: 600,
};

const table: Array<[string, Partial<RequestFacts>, ClassificationKind, RegExp]> = [
	['desktop browser open', {}, 'human', /no bot signal/],
	['iPhone Mail click', { event: 'click', userAgent: IPHONE_MAIL }, 'human', /no bot signal/],
	[
		'Gmail image proxy',
		{
			userAgent:
				'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
			ip: '66.249.84.1',
		},
		'imageProxy',
		/Gmail/,
	],
	[
		'Yahoo image proxy',
		{ userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' },
		'imageProxy',
		/Yahoo/,
	],
	['Apple MPP: bare UA', { userAgent: 'Mozilla/5.0' }, 'applePrivacyProxy', /bare/],
	[
		'Apple MPP: Apple network',
		{ ip: '17.58.10.3', userAgent: IPHONE_MAIL },
		'applePrivacyProxy',
		/17\.0\.0\.0\/8/,
	],
	['Apple MPP: IPv4-mapped address', { ip: '::ffff:17.1.2.3' }, 'applePrivacyProxy', /Apple/],
	['bare UA on a click is a bot', { event: 'click', userAgent: 'Mozilla/5.0' }, 'bot', /bare/],
	[
		'Mimecast',
		{ event: 'click', userAgent: 'Mimecast URL Protect' },
		'securityScanner',
		/Mimecast/,
	],
	['Barracuda', { userAgent: 'Barracuda Sentinel (EE)' }, 'securityScanner', /Barracuda/],
	[
		'Proofpoint',
		{ event: 'click', userAgent: 'Proofpoint URL Defense' },
		'securityScanner',
		/Proofpoint/,
	],
	[
		'click 1 s after sending',
		{ event: 'click', secondsSinceSent: 1 },
		'securityScanner',
		/clicked 1 s after sending/,
	],
	['open 0 s after sending', { secondsSinceSent: 0 }, 'securityScanner', /opened 0 s/],
	['curl', { userAgent: 'curl/8.5.0' }, 'bot', /curl/],
	[
		'python-requests',
		{ event: 'click', userAgent: 'python-requests/2.31' },
		'bot',
		/python-requests/,
	],
	[
		'headless Chrome',
		{ event: 'click', userAgent: 'Mozilla/5.0 HeadlessChrome/120.0' },
		'bot',
		/headlesschrome/i,
	],
	[
		'Googlebot',
		{ userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
		'bot',
		/bot/i,
	],
	['no user agent', { userAgent: undefined }, 'bot', /no user agent/],
	['HEAD request', { method: 'HEAD' }, 'bot', /HEAD/],
	[
		'Apple IP on a click is not MPP',
		{ event: 'click', ip: '17.58.10.3' },
		'human',
		/no bot signal/,
	],
	['17.x look-alike is not Apple', { ip: '170.1.2.3' }, 'human', /no bot signal/],
];

describe('classifyRequest', () => {
	it.each(table)('%s', (_name, facts, kind, reason) => {
		const result = classifyRequest({ ...base, ...facts });
		expect(result.kind).toBe(kind);
		expect(result.reason).toMatch(reason);
	});
});
