// Click-tracking rewriting on real-world email HTML: what gets rewritten, what must stay exactly as it was.
import { rewriteLinks } from '../../../nodes/shared/tracking/links';
import { insertPixel } from '../../../nodes/shared/tracking/pixel';

const track = (url: string) =>
	`https://t.example/webhook/et/click?t=${Buffer.from(url).toString('base64url')}&x=1`;
const untrack = (href: string) =>
	Buffer.from(new URL(href.replace(/&amp;/g, '&')).searchParams.get('t')!, 'base64url').toString();
const UNSUB = 'https://t.example/webhook/et/unsubscribe?t=abc';
const skip = (url: string) => url.startsWith('https://t.example/webhook/et');

// A typical marketing template: MSO conditional comments with a VML bulletproof button, downlevel-revealed
// content, uppercase tags, Handlebars-escaped `=` (&#x3D;), `&amp;` in query strings, a plain comment.
const EMAIL = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta charset="utf-8"><!--[if mso]><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->
<link rel="stylesheet" href="https://fonts.example.com/css?family=Inter&amp;display=swap">
<style>a{color:#06c} .x{background:url(https://img.example.com/bg.png)}</style></head>
<BODY style="margin:0">
<TABLE WIDTH="100%"><TR><TD ALIGN="center">
<A HREF="https://shop.example.com/offer?id&#x3D;7&amp;utm_source=mail&amp;utm_medium=email" TARGET="_blank">Offer</A>
<!--[if mso]>
<v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="https://shop.example.com/buy?a=1&amp;b=2" style="height:40px;v-text-anchor:middle;width:200px;" arcsize="10%" fillcolor="#1f6feb"><center>Buy</center></v:roundrect>
<![endif]-->
<!--[if !mso]><!-- --><a href='https://shop.example.com/buy?a=1&amp;b=2' class="btn">Buy</a><!--<![endif]-->
<!-- old footer: <a href="https://old.example.com/">old</a> -->
<a href="mailto:sales@example.com?subject=Hi&amp;body=x">Mail us</a> <a href="tel:+15551234">Call</a> <a href="#top">Top</a>
<a href="/relative/path">Relative</a> <a href="javascript:alert(1)">JS</a> <a href="ftp://files.example.com/x">FTP</a>
<a href="https://docs.example.com/guide" data-no-track>Guide</a>
<a href="https://blog.example.com/post#notrack">Blog</a>
<a href="${UNSUB.replace(/&/g, '&amp;')}">Unsubscribe</a>
<a href=https://unquoted.example.com/x?q=1>Unquoted</a>
<area shape="rect" coords="0,0,10,10" href="HTTPS://MAP.EXAMPLE.COM/a" alt="map">
<img src="https://img.example.com/logo.png" alt="Logo &amp; co">
</TD></TR></TABLE>
</BODY>
</html>`;

describe('rewriteLinks', () => {
	const result = rewriteLinks(EMAIL, { track, skip });
	const hrefs = [...result.html.matchAll(/href=(["']?)([^"' >]+)\1/gi)].map((m) => m[2]);

	it('rewrites every http(s) link, with entities decoded in the signed target', () => {
		expect(result.tracked).toEqual([
			'https://shop.example.com/offer?id=7&utm_source=mail&utm_medium=email',
			'https://shop.example.com/buy?a=1&b=2',
			'https://shop.example.com/buy?a=1&b=2',
			'https://unquoted.example.com/x?q=1',
			'HTTPS://MAP.EXAMPLE.COM/a',
		]);
		const tracked = hrefs.filter((h) => h.startsWith('https://t.example/webhook/et/click'));
		expect(tracked.map(untrack)).toEqual(result.tracked);
	});

	it('rewrites the VML button inside the Outlook conditional comment (Outlook renders it)', () => {
		expect(result.html).toMatch(
			/<!--\[if mso\]>\n<v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="https:\/\/t\.example\/webhook\/et\/click\?t=[A-Za-z0-9_-]+&amp;x=1" style=/,
		);
	});

	it('keeps uppercase attribute names and quote styles, and escapes & in the new URL', () => {
		expect(result.html).toContain('<A HREF="https://t.example/webhook/et/click?t=');
		expect(result.html).toMatch(
			/<a href='https:\/\/t\.example\/webhook\/et\/click\?t=[A-Za-z0-9_-]+&amp;x=1' class="btn">/,
		);
		expect(result.html).toMatch(/<a href="https:\/\/t\.example\/[^"]+">Unquoted<\/a>/);
	});

	it('leaves mailto, tel, anchors, relative, javascript, ftp, opted-out, unsubscribe links, stylesheets and plain comments alone', () => {
		for (const kept of [
			'href="mailto:sales@example.com?subject=Hi&amp;body=x"',
			'href="tel:+15551234"',
			'href="#top"',
			'href="/relative/path"',
			'href="javascript:alert(1)"',
			'href="ftp://files.example.com/x"',
			'href="https://docs.example.com/guide" data-no-track',
			`href="${UNSUB}"`,
			'href="https://fonts.example.com/css?family=Inter&amp;display=swap"',
			'<!-- old footer: <a href="https://old.example.com/">old</a> -->',
			'src="https://img.example.com/logo.png" alt="Logo &amp; co"',
		]) {
			expect(result.html).toContain(kept);
		}
	});

	it('removes the #notrack marker and does not track that link', () => {
		expect(result.html).toContain('<a href="https://blog.example.com/post">Blog</a>');
	});

	it('changes nothing but the rewritten href attributes', () => {
		const strip = (html: string) => html.replace(/href=(["']?)[^"' >]*\1/gi, 'href');
		expect(strip(result.html)).toBe(
			strip(EMAIL).replace('https://blog.example.com/post#notrack', ''),
		);
		expect(rewriteLinks('<p>No links here &amp; nothing to do</p>', { track }).html).toBe(
			'<p>No links here &amp; nothing to do</p>',
		);
	});
});

describe('insertPixel', () => {
	const px = 'https://t.example/webhook/et/open?t=abc&x=1';
	it('goes right before the explicit </body>, whatever its case, not before one inside a comment', () => {
		const html = '<html><body><p>Hi</p><!-- </body> --></BODY></html>';
		const out = insertPixel(html, px);
		expect(out).toBe(
			'<html><body><p>Hi</p><!-- </body> --><img src="https://t.example/webhook/et/open?t=abc&amp;x=1" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;" /></BODY></html>',
		);
	});
	it('is appended to a fragment without </body>', () => {
		expect(insertPixel('<p>Hi</p>', px)).toMatch(
			/^<p>Hi<\/p><img src="https:\/\/t\.example\/webhook\/et\/open\?t=abc&amp;x=1"/,
		);
	});
});
