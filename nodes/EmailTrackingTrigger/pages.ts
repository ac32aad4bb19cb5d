// The small HTML pages of the unsubscribe flow and the error page. Plain, self-contained, no scripts,
// no external resources; every dynamic value is escaped.
function escapeHtml(value: string): string {
	return value.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
	);
}

function page(title: string, body: string): string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}button{font-size:1rem;padding:.6rem 1.4rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff;cursor:pointer}</style></head><body>${body}</body></html>`;
}

/** Masks the local part so a forwarded link does not show the full address: `a***@example.com`. */
export function maskAddress(address: string): string {
	const at = address.lastIndexOf('@');
	if (at < 1) return address ? `${address[0]}***` : '';
	return `${address[0]}***${address.slice(at)}`;
}

/** GET: asks for confirmation; the button POSTs the RFC 8058 body to the same URL (token included). */
export function confirmPage(recipient: string, token: string): string {
	return page(
		'Unsubscribe',
		`<h1>Unsubscribe</h1><p>Stop receiving these emails at <strong>${escapeHtml(maskAddress(recipient))}</strong>?</p>` +
			`<form method="post" action="?t=${escapeHtml(encodeURIComponent(token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="source" value="page"><button type="submit">Unsubscribe</button></form>`,
	);
}

export function unsubscribedPage(): string {
	return page(
		'Unsubscribed',
		'<h1>You are unsubscribed</h1><p>You will not receive these emails any more. You can close this page.</p>',
	);
}

export function errorPage(message: string): string {
	return page('Invalid link', `<h1>This link is not valid</h1><p>${escapeHtml(message)}</p>`);
}
