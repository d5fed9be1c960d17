import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';

const SITE = /^sit_[0-9A-HJKMNP-TV-Z]{26}$/;
const LANG = /^[a-z]{2,3}$/;

/**
 * A blank page that runs a site's real banner script (`/v1/banner/{siteId}.js`, the bytes visitors get), for the
 * console's Cookie banner screen to frame. The console's own CSP forbids the banner's inline styles and all framing,
 * so the preview is a page of its own with a per-response nonce. The console frames it sandboxed without
 * `allow-same-origin` (an opaque origin), and the page itself allows no network but the script: nothing a person
 * clicks in a preview is recorded, stored or sent.
 */
export const PREVIEW_PATH = '/admin/banner-preview';

export const bannerPreviewRoutes = () => {
  const app = new Hono<AppEnv>();
  app.get(PREVIEW_PATH, (c) => {
    const site = c.req.query('site') ?? '';
    const lang = c.req.query('lang') ?? 'en';
    if (!SITE.test(site) || !LANG.test(lang)) return c.text('site must be a sit_… id and lang a language code', 400);
    const nonce = randomBytes(16).toString('base64');
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        'img-src data:',
        "connect-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
      ].join('; '),
    );
    c.header('X-Frame-Options', 'SAMEORIGIN');
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    // The banner reads and writes its consent cookie; in a sandboxed frame document.cookie throws, so the page gives
    // it an empty jar that forgets: every preview shows the first layer, as a new visitor sees it.
    return c.html(`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Banner preview</title>
<style nonce="${nonce}">body{margin:0;padding:1.5rem;font:16px/1.5 system-ui,sans-serif;color:#57606a;background:#f6f8fa}</style>
<script nonce="${nonce}">Object.defineProperty(document,'cookie',{configurable:true,get:function(){return ''},set:function(){}});</script>
</head>
<body>
<main><h1>Your website</h1><p>This page stands in for your site: the banner below is the script your visitors load.</p></main>
<script nonce="${nonce}" src="/v1/banner/${site}.js"></script>
</body>
</html>`);
  });
  return app;
};
