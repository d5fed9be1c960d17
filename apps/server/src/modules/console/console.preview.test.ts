import { describe, expect, it } from 'vitest';
import { consoleRoutes } from './console.routes.ts';

const SITE = 'sit_01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('the banner preview page the console frames (check 64)', () => {
  it('runs only the site’s banner script under a fresh nonce, sends nothing anywhere, and may be framed only here', async () => {
    const app = consoleRoutes('/nonexistent');
    const a = await app.request(`/admin/banner-preview?site=${SITE}&lang=fr`);
    expect(a.status).toBe(200);
    const csp = a.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    expect(a.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const html = await a.text();
    expect(html).toContain(`<script nonce="${nonce}" src="/v1/banner/${SITE}.js"></script>`);
    expect(html).toContain('<html lang="fr">');
    const b = await app.request(`/admin/banner-preview?site=${SITE}`);
    expect(b.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('refuses anything but a site id and a language code (nothing from the query reaches the page unchecked)', async () => {
    const app = consoleRoutes('/nonexistent');
    for (const q of [
      'site=sit_x',
      `site=${SITE}"><script>alert(1)</script>`,
      `site=${SITE}&lang=en"`,
      `site=${SITE}&lang=english`,
      '',
    ]) {
      const r = await app.request(`/admin/banner-preview?${q}`);
      expect(r.status, q).toBe(400);
      expect(await r.text()).not.toContain('<script');
    }
  });
});
