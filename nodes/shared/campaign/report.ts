// The campaign report: log rows -> per-campaign figures. Pure (no I/O, no n8n), so any source of rows works.
// Units, as mail services count them:
//   sent, bounced, delivered    messages (distinct Message-ID + recipient; a row written twice counts once)
//   unique opens, clicks,       recipients (distinct addresses): an address that opened twice is one open
//   unsubscribes, complaints
// An open or click is "machine" when it was classified as a bot, a security scanner or Apple's privacy
// proxy (which fetches every image whether the mail is read or not); Gmail / Yahoo image proxies fetch when
// the recipient opens, so they count as human. A recipient with both counts as human.
// Rates are fractions (0.25 = 25 %), rounded to 4 places, null when their base is 0: delivery and bounce
// rates of sent; open, click, unsubscribe and complaint rates of delivered; click-to-open of unique opens.

export interface LogRow {
	campaign?: unknown;
	event?: unknown;
	recipient?: unknown;
	message_id?: unknown;
	url?: unknown;
	classification?: unknown;
	event_at?: unknown;
}

export interface LinkFigures {
	url: string;
	clicks: number;
	uniqueClicks: number;
}

export interface RecipientFigures {
	recipient: string;
	sent: number;
	bounced: boolean;
	opened: boolean;
	openedByHuman: boolean;
	clicks: number;
	links: string[];
	unsubscribed: boolean;
	complained: boolean;
	lastEventAt: string | null;
}

export interface CampaignFigures {
	campaign: string;
	sent: number;
	bounced: number;
	delivered: number;
	uniqueOpens: { total: number; human: number; machine: number };
	clicks: { total: number; unique: number; uniqueHuman: number; links: LinkFigures[] };
	unsubscribes: number;
	complaints: number;
	rates: {
		delivery: number | null;
		bounce: number | null;
		open: number | null;
		humanOpen: number | null;
		click: number | null;
		clickToOpen: number | null;
		unsubscribe: number | null;
		complaint: number | null;
	};
	firstEventAt: string | null;
	lastEventAt: string | null;
	recipients?: RecipientFigures[];
}

const MACHINE = new Set(['bot', 'securityScanner', 'applePrivacyProxy']);

export const isMachine = (classification: unknown) => MACHINE.has(String(classification ?? ''));

interface Tally {
	sent: Set<string>;
	bounced: Set<string>;
	opened: Set<string>;
	openedByHuman: Set<string>;
	clickers: Set<string>;
	humanClickers: Set<string>;
	unsubscribed: Set<string>;
	complained: Set<string>;
	clicks: number;
	links: Map<string, { clicks: number; by: Set<string> }>;
	people: Map<string, { sent: Set<string>; clicks: number; links: Set<string>; last: string }>;
	first: string | null;
	last: string | null;
}

const tally = (): Tally => ({
	sent: new Set(),
	bounced: new Set(),
	opened: new Set(),
	openedByHuman: new Set(),
	clickers: new Set(),
	humanClickers: new Set(),
	unsubscribed: new Set(),
	complained: new Set(),
	clicks: 0,
	links: new Map(),
	people: new Map(),
	first: null,
	last: null,
});

/** Figures per campaign, in the order the campaigns are asked for (else by name). */
export function campaignReport(
	rows: Iterable<LogRow>,
	options: { campaigns?: string[]; perRecipient?: boolean } = {},
): CampaignFigures[] {
	const byCampaign = new Map<string, Tally>();
	for (const c of options.campaigns ?? []) byCampaign.set(c, tally());
	const only = options.campaigns?.length ? new Set(options.campaigns) : undefined;
	for (const row of rows) {
		const campaign = String(row.campaign ?? '');
		if (!campaign || (only && !only.has(campaign))) continue;
		let t = byCampaign.get(campaign);
		if (!t) byCampaign.set(campaign, (t = tally()));
		count(t, row);
	}
	const names = options.campaigns?.length
		? options.campaigns
		: [...byCampaign.keys()].sort((a, b) => a.localeCompare(b));
	return names.map((name) => figures(name, byCampaign.get(name)!, options.perRecipient === true));
}

function count(t: Tally, row: LogRow): void {
	const recipient = String(row.recipient ?? '')
		.trim()
		.toLowerCase();
	if (!recipient) return;
	const message = `${String(row.message_id ?? '')}|${recipient}`;
	const at = typeof row.event_at === 'string' && row.event_at ? row.event_at : '';
	const human = !isMachine(row.classification);
	let person = t.people.get(recipient);
	if (!person)
		t.people.set(recipient, (person = { sent: new Set(), clicks: 0, links: new Set(), last: '' }));
	if (at) {
		if (at > person.last) person.last = at;
		if (!t.first || at < t.first) t.first = at;
		if (!t.last || at > t.last) t.last = at;
	}
	switch (row.event) {
		case 'sent':
			t.sent.add(message);
			person.sent.add(message);
			break;
		case 'bounced':
			t.bounced.add(message);
			break;
		case 'opened':
			t.opened.add(recipient);
			if (human) t.openedByHuman.add(recipient);
			break;
		case 'clicked': {
			// A click is also an open: the mail was read even when its images were blocked.
			t.opened.add(recipient);
			if (human) t.openedByHuman.add(recipient);
			t.clicks++;
			t.clickers.add(recipient);
			if (human) t.humanClickers.add(recipient);
			const url = String(row.url ?? '');
			let link = t.links.get(url);
			if (!link) t.links.set(url, (link = { clicks: 0, by: new Set() }));
			link.clicks++;
			link.by.add(recipient);
			person.clicks++;
			person.links.add(url);
			break;
		}
		case 'unsubscribed':
			t.unsubscribed.add(recipient);
			break;
		case 'complained':
			t.complained.add(recipient);
			break;
	}
}

const rate = (part: number, whole: number) =>
	whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null;

function figures(campaign: string, t: Tally, perRecipient: boolean): CampaignFigures {
	const sent = t.sent.size;
	// a bounce of a message the log has no "sent" row for (sent before logging began) still counts
	const bounced = t.bounced.size;
	const delivered = Math.max(0, sent - bounced);
	const opens = t.opened.size;
	const human = t.openedByHuman.size;
	const bouncedRecipients = new Set([...t.bounced].map((m) => m.slice(m.lastIndexOf('|') + 1)));
	const out: CampaignFigures = {
		campaign,
		sent,
		bounced,
		delivered,
		uniqueOpens: { total: opens, human, machine: opens - human },
		clicks: {
			total: t.clicks,
			unique: t.clickers.size,
			uniqueHuman: t.humanClickers.size,
			links: [...t.links.entries()]
				.map(([url, l]) => ({ url, clicks: l.clicks, uniqueClicks: l.by.size }))
				.sort((a, b) => b.clicks - a.clicks || a.url.localeCompare(b.url)),
		},
		unsubscribes: t.unsubscribed.size,
		complaints: t.complained.size,
		rates: {
			delivery: rate(delivered, sent),
			bounce: rate(bounced, sent),
			open: rate(opens, delivered),
			humanOpen: rate(human, delivered),
			click: rate(t.clickers.size, delivered),
			clickToOpen: rate(t.clickers.size, opens),
			unsubscribe: rate(t.unsubscribed.size, delivered),
			complaint: rate(t.complained.size, delivered),
		},
		firstEventAt: t.first,
		lastEventAt: t.last,
	};
	if (perRecipient)
		out.recipients = [...t.people.entries()]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([recipient, p]) => ({
				recipient,
				sent: p.sent.size,
				bounced: bouncedRecipients.has(recipient),
				opened: t.opened.has(recipient),
				openedByHuman: t.openedByHuman.has(recipient),
				clicks: p.clicks,
				links: [...p.links].sort(),
				unsubscribed: t.unsubscribed.has(recipient),
				complained: t.complained.has(recipient),
				lastEventAt: p.last || null,
			}));
	return out;
}
