// The small HTML pages of the unsubscribe flow and the error page, in the language and with the texts,
// company name and logo of the request's look (pageTexts.ts). Plain, self-contained, no scripts; the only
// external resource is the admin's https logo. Every dynamic value is escaped, admin texts included:
// `{address}` / `{company}` are filled in after escaping, with escaped values.
import { DEFAULT_LOOK, type ErrorReason, type PageLook } from './pageTexts';

function escapeHtml(value: string): string {
	return value.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
	);
}

/** Escapes a text, then fills in its placeholders with escaped values. */
function fill(text: string, values: Record<string, string>): string {
	return escapeHtml(text).replace(/\{(\w+)\}/g, (whole, name: string) =>
		name in values ? values[name] : whole,
	);
}

function header(look: PageLook): string {
	const logo = look.logoUrl
		? `<img src="${escapeHtml(look.logoUrl)}" alt="${escapeHtml(look.companyName)}" referrerpolicy="no-referrer" style="max-height:3rem;max-width:12rem">`
		: '';
	const name = look.companyName ? `<div class="company">${escapeHtml(look.companyName)}</div>` : '';
	return logo || name ? `<header>${logo}${name}</header>` : '';
}

function page(look: PageLook, title: string, body: string): string {
	return `<!DOCTYPE html><html lang="${escapeHtml(look.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}header{margin-bottom:2rem}.company{font-weight:600;color:#555}button{font-size:1rem;padding:.6rem 1.4rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff;cursor:pointer}</style></head><body>${header(look)}${body}</body></html>`;
}

/** Masks the local part so a forwarded link does not show the full address: `a***@example.com`. */
export function maskAddress(address: string): string {
	const at = address.lastIndexOf('@');
	if (at < 1) return address ? `${address[0]}***` : '';
	return `${address[0]}***${address.slice(at)}`;
}

/** GET: asks for confirmation; the button POSTs the RFC 8058 body to the same URL (token included). */
export function confirmPage(
	recipient: string,
	token: string,
	look: PageLook = DEFAULT_LOOK,
): string {
	const t = look.texts;
	const values = {
		address: `<strong>${escapeHtml(maskAddress(recipient))}</strong>`,
		company: escapeHtml(look.companyName),
	};
	return page(
		look,
		t.confirmHeading,
		`<h1>${fill(t.confirmHeading, values)}</h1><p>${fill(t.confirmText, values)}</p>` +
			`<form method="post" action="?t=${escapeHtml(encodeURIComponent(token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="source" value="page"><button type="submit">${fill(t.confirmButton, values)}</button></form>`,
	);
}

export function unsubscribedPage(look: PageLook = DEFAULT_LOOK): string {
	const t = look.texts;
	const values = { company: escapeHtml(look.companyName) };
	return page(
		look,
		t.doneHeading,
		`<h1>${fill(t.doneHeading, values)}</h1><p>${fill(t.doneText, values)}</p>`,
	);
}

export function errorPage(reason: ErrorReason, look: PageLook = DEFAULT_LOOK): string {
	const t = look.texts;
	const values = { company: escapeHtml(look.companyName) };
	return page(
		look,
		t.invalidHeading,
		`<h1>${fill(t.invalidHeading, values)}</h1><p>${fill(t.reasons[reason], values)}</p>`,
	);
}
