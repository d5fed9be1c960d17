import type { RequestLocale } from './export.contract.ts';
import { exportMessages, type MessageKey } from './export.messages.ts';

/** Small HTML helpers for index.html. Everything that is not markup we wrote goes through `esc`. */

export const esc = (s: unknown): string =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Marks markup that is already safe, so `table` and `list` do not escape it twice. */
export type Html = { readonly html: string };
export const raw = (html: string): Html => ({ html });
const cell = (v: string | Html) => (typeof v === 'string' ? esc(v) : v.html);

export const createKit = (locale: RequestLocale) => {
  const m = exportMessages[locale];
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  const numbers = new Intl.NumberFormat(locale);
  const regions = new Intl.DisplayNames([locale], { type: 'region' });

  /** A message with `{name}` slots filled by escaped values (or trusted markup). */
  const t = (key: MessageKey, vars: Record<string, string | number | Html> = {}): Html =>
    raw(
      esc(m[key]).replace(/\{(\w+)\}/g, (all, name: string) => {
        const v = vars[name];
        if (v === undefined) return all;
        return typeof v === 'object' ? v.html : esc(v);
      }),
    );
  const s = (key: MessageKey) => m[key];
  const date = (iso: string | null | undefined) => (iso ? `${dates.format(new Date(iso))} UTC` : m.none);
  const num = (n: number) => numbers.format(n);
  const country = (code: string) => {
    try {
      return `${regions.of(code) ?? code} (${code})`;
    } catch {
      return code;
    }
  };

  const table = (caption: string | null, head: string[], rows: (string | Html)[][]): string =>
    `<div class="scroll"><table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head
      .map((h) => `<th scope="col">${esc(h)}</th>`)
      .join('')}</tr></thead><tbody>${rows
      .map(
        (r) =>
          `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${cell(c)}</th>` : `<td>${cell(c)}</td>`)).join('')}</tr>`,
      )
      .join('')}</tbody></table></div>`;

  const list = (items: (string | Html)[]) => `<ul>${items.map((i) => `<li>${cell(i)}</li>`).join('')}</ul>`;
  const p = (content: string | Html) => `<p>${cell(content)}</p>`;
  const section = (id: string, heading: string, body: string) =>
    `<section aria-labelledby="${id}"><h2 id="${id}">${esc(heading)}</h2>${body}</section>`;
  const link = (href: string) =>
    /^https?:\/\//i.test(href) ? raw(`<a href="${esc(href)}">${esc(href)}</a>`) : raw(esc(href));

  return { m, t, s, date, num, country, table, list, p, section, link };
};

export type Kit = ReturnType<typeof createKit>;

/** Inline, so the page works offline and loads nothing from anywhere. Contrast ≥ 7:1 for body text. */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fff;--muted:#4a4a4a;--line:#c8c8c8;--accent:#0b4f9c;--warn:#8a1c00}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#141414;--muted:#c2c2c2;--line:#555;--accent:#9cc7ff;--warn:#ffb199}}
*{box-sizing:border-box}body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem 4rem}h1{font-size:1.75rem;line-height:1.25}h2{margin-top:2.5rem;border-bottom:1px solid var(--line)}
a{color:var(--accent)}a:focus,summary:focus{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.4rem .6rem;text-align:left;vertical-align:top}thead th{background:color-mix(in srgb,var(--fg) 8%,transparent)}
.muted{color:var(--muted)}.warn{color:var(--warn);font-weight:600}code{word-break:break-all}
blockquote{white-space:pre-wrap;margin:.5rem 0;padding:.5rem 1rem;border-left:4px solid var(--line)}
@media print{.skip,nav{display:none}a{color:inherit}}
`;
