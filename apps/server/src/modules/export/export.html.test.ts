import { describe, expect, it } from 'vitest';
import type { ExportField, RequestLocale } from './export.contract.ts';
import { metaFixture, NOTICE_TEXT, section } from './export.fixtures.ts';
import { esc } from './export.html-kit.ts';
import { exportMessages } from './export.messages.ts';
import { openPackage } from './export.test-helpers.ts';
import { en } from './messages/en.messages.ts';

const fields: ExportField[] = [{ name: 'note', category: 'contact', portable: 'provided' }];
const build = (locale: RequestLocale = 'en', rows: Record<string, unknown>[] = [{ note: 'x' }]) =>
  openPackage({
    ...metaFixture({ locale }),
    sections: [section('crm', 'contacts<img src=x onerror=alert(1)>', fields, rows)],
  });

describe('index.html', () => {
  it('explains Art. 15(1)(a)–(h) and 15(2) with recipients named, retention, rights and completeness', async () => {
    const html = (await build()).text('index.html');
    for (const heading of [
      en.hPurposes,
      en.hCategories,
      en.hRecipients,
      en.hRetention,
      en.hRights,
      en.hSources,
      en.hAutomated,
      en.hTransfers,
      en.hSearch,
      en.hConsents,
    ]) {
      expect(html).toContain(`>${esc(heading)}</h2>`);
    }
    expect(html).toContain('Yes, Acme &lt;Shop&gt; GmbH processes personal data about you.');
    for (const name of ['DHL Paket GmbH', 'Hetzner Online GmbH', 'Mailchimp (Intuit Inc.)'])
      expect(html).toContain(name);
    expect(html).toContain('EU standard contractual clauses (Art. 46)');
    expect(html).toContain('United States (US)');
    expect(html).toContain('10 years after the last order');
    expect(html).toContain('Berliner Beauftragte für Datenschutz und Informationsfreiheit');
    expect(html).toContain('<a href="https://www.datenschutz-berlin.de">');
    expect(html).toContain('A score from your order history');
    expect(html).toContain('legacy-erp');
    expect(html).toContain('Connection timed out after 30 s');
    expect(html).toContain('We could not search 1 system(s)');
    expect(html).toContain(esc(NOTICE_TEXT));
    expect(html).toContain('matches the text shown');
    expect(html).toContain('<td>in progress</td>');
  });

  it('escapes everything that came from data or configuration', async () => {
    const html = (await build()).text('index.html');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('contacts&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;');
  });

  it('is self-contained: no scripts, no external resources, a CSP that forbids them', async () => {
    const html = (await build()).text('index.html');
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|audio|video|source|base)\b/i);
    expect(html).not.toMatch(/<[^>]*\s(src|srcset|background)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
  });

  it('is accessible in structure: language, one h1, labelled sections, table headers with scope, skip link', async () => {
    const html = (await build()).text('index.html');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    const sections = html.match(/<section aria-labelledby="(\w+)">/g) ?? [];
    expect(sections.length).toBeGreaterThan(8);
    for (const s of sections) expect(html).toContain(`<h2 id="${/"(\w+)"/.exec(s)![1]}">`);
    expect(html).not.toMatch(/<th>/);
    expect(html).toContain('<a class="skip" href="#main">');
  });

  it('flags a notice whose stored hash does not match its text', async () => {
    const meta = metaFixture();
    meta.lawfulRecords.consents[0]!.notice.sha256 = '0'.repeat(64);
    const pkg = await openPackage({ ...meta, sections: [] });
    expect(pkg.text('index.html')).toContain('does NOT match the text shown');
    expect(pkg.text('index.html')).toContain('We found no personal data about you');
  });

  it.each(['de', 'fr', 'es', 'it', 'nl'] as const)('is written in %s', async (locale) => {
    const m = exportMessages[locale];
    const html = (await build(locale)).text('index.html');
    expect(html).toContain(`<html lang="${locale}">`);
    expect(html).toContain(`>${esc(m.hRights)}</h2>`);
    expect(html).toContain(esc(m.right_erasure));
    expect(html).not.toContain(esc(en.hRights));
    // Every message is there and translated (a few are the same word in both languages, e.g. "System").
    const keys = Object.keys(en) as (keyof typeof en)[];
    expect(Object.keys(m).sort()).toEqual([...keys].sort());
    const same = keys.filter((k) => m[k] === en[k]);
    expect(same.length, same.join(', ')).toBeLessThanOrEqual(5);
  });

  it('formats dates for the reader', async () => {
    expect((await build('de')).text('index.html')).toContain('29. November 2026');
    expect((await build('fr')).text('index.html')).toContain('29 novembre 2026');
  });
});
