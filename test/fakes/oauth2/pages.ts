// The HTML of the OAuth2 fake: the consent page (mailbox address, Allow / Deny) and the error page shown
// instead of a redirect when the client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
// Every value is escaped: client ids, scopes, states and users come from the request.

export function escapeHtml(value: string): string {
	return value.replace(
		/[&<>"'`]/g,
		(c) =>
			({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!,
	);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}.note{color:#666;font-size:.85rem}ul{padding-left:1.2rem}
label{display:block;margin:1rem 0 .3rem}input[type=email],input[type=text]{width:100%;padding:.4rem;font-size:1rem}
.buttons{margin-top:1.2rem;display:flex;gap:.6rem}button{padding:.5rem 1.2rem;font-size:1rem}
.error{color:#b00020}`;

function page(title: string, body: string): string {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>${body}
<p class="note">Local OAuth2 test provider (n8n-nodes-crm-mail, test/fakes/oauth2). Not a real account.</p>
</body></html>
`;
}

export interface ConsentPage {
	clientId: string;
	scope: string;
	user: string;
	/** The authorization request's parameters, sent back as hidden fields. */
	hidden: Array<[string, string]>;
	error?: string;
}

export function consentPage(p: ConsentPage): string {
	const scopes = p.scope.split(' ').filter(Boolean);
	const scopeList = scopes.length
		? `<ul id="scopes">${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`
		: '<p id="scopes">No particular scope (the default: mail).</p>';
	const hidden = p.hidden
		.map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
		.join('\n');
	return page(
		`Authorize ${p.clientId}`,
		`<h1>Allow <span id="client">${escapeHtml(p.clientId)}</span> to use your mailbox?</h1>
<p>It asks for:</p>
${scopeList}
<form method="post" action="/authorize">
${hidden}
${p.error ? `<p class="error" id="error">${escapeHtml(p.error)}</p>` : ''}
<label for="user">Mailbox address</label>
<input type="text" id="user" name="user" value="${escapeHtml(p.user)}" autocomplete="email" required>
<div class="buttons">
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>`,
	);
}

export function errorPage(message: string): string {
	return page(
		'Authorization error',
		`<h1>This authorization request cannot be completed</h1>
<p class="error" id="error">${escapeHtml(message)}</p>
<p>The application that sent you here is not registered with this provider or used a redirect URI it may not
use, so you are not sent back to it.</p>`,
	);
}
