import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from './console.routes.ts';

describe('the admin console is served at /admin/ (check 64)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lawful-admin-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'export {}');
    writeFileSync(join(dir, '..', 'secret.txt'), 'outside');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html and hashed assets with a self-only CSP that forbids framing', async () => {
    const app = consoleRoutes(dir);
    const index = await app.request('/admin/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    const js = await app.request('/admin/assets/index-abc.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await app.request('/admin')).status).toBe(301);
  });

  it('never leaves the folder, answers 404 for missing assets and explains a missing build', async () => {
    const app = consoleRoutes(dir);
    for (const p of ['/admin/..%2Fsecret.txt', '/admin/%2e%2e/secret.txt', '/admin/assets/..%2F..%2Fsecret.txt']) {
      const r = await app.request(p);
      expect(await r.text(), p).not.toContain('outside');
    }
    expect((await app.request('/admin/assets/nope.js')).status).toBe(404);
    const unbuilt = await consoleRoutes(join(dir, 'nowhere')).request('/admin/');
    expect(unbuilt.status).toBe(404);
    expect(await unbuilt.text()).toMatch(/npm run build -w @lawful\/admin/);
  });
});
