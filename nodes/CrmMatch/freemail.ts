// Free-mail and ISP domains: an address there says nothing about the company, so no company is matched by
// its domain. A short list of the big providers (written here, not copied from any licensed list); users
// extend it with the node's "Extra Free-Mail Domains" option.
export const FREE_MAIL_DOMAINS = new Set(
	(
		'gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de ymail.com rocketmail.com outlook.com hotmail.com ' +
		'hotmail.co.uk hotmail.fr hotmail.de live.com live.co.uk msn.com icloud.com me.com mac.com aol.com gmx.com gmx.de gmx.net ' +
		'web.de mail.com protonmail.com proton.me pm.me tutanota.com tuta.io zoho.com zohomail.com yandex.ru yandex.com ya.ru ' +
		'mail.ru inbox.ru list.ru bk.ru internet.ru rambler.ru qq.com 163.com 126.com sina.com fastmail.com hey.com ' +
		'orange.fr free.fr laposte.net t-online.de libero.it virgilio.it seznam.cz wp.pl o2.pl interia.pl ukr.net i.ua ' +
		'naver.com daum.net rediffmail.com comcast.net verizon.net att.net sbcglobal.net btinternet.com sky.com'
	).split(/\s+/),
);

export function isFreeMail(domain: string, extra?: Set<string>): boolean {
	const d = domain.toLowerCase();
	return FREE_MAIL_DOMAINS.has(d) || !!extra?.has(d);
}
