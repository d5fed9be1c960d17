import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { bannerPreviewRoutes } from './console.preview.ts';

/** Where `npm run build` puts the console (apps/admin/dist). */
export const defaultAdminDist = fileURLToPath(new URL('../../../../admin/dist', import.meta.url));

/**
 * Check 64: the console runs only what this origin serves. No inline script or style, no other origin, never in a
 * frame; forms post only here; the API is same-origin so connect-src 'self' suffices.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Serves the built admin console at /admin/ (files under assets/ are content-hashed: cached for a year). */
export const consoleRoutes = (dist: string = defaultAdminDist) => {
  const app = new Hono<AppEnv>();
  const root = normalize(dist);
  app.get('/admin', (c) => c.redirect('/admin/', 301));
  // Before /admin/*: the banner preview is the one page with its own CSP (it must run the banner's inline styles).
  app.route('/', bannerPreviewRoutes());
  app.get('/admin/*', async (c) => {
    c.header('Content-Security-Policy', CONSOLE_CSP);
    c.header('X-Frame-Options', 'DENY');
    // A malformed escape (`%ED%A0%80`) threw URIError, a 500 (found by fuzzing): no such file.
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice('/admin/'.length)) || 'index.html';
    } catch {
      return c.text('not found', 404);
    }
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || rel.endsWith('/')) {
      if (!existsSync(join(root, 'index.html'))) {
        return c.text('The admin console is not built. Run: npm run build -w @lawful/admin', 404);
      }
      if (rel.startsWith('assets/')) return c.text('not found', 404);
    }
    const target = file.startsWith(root + sep) && existsSync(file) ? file : join(root, 'index.html');
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    c.header('Content-Type', type);
    c.header(
      'Cache-Control',
      target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return c.body(new Uint8Array(await readFile(target)));
  });
  return app;
};
