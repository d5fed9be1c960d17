import { diffLines } from 'diff';
import { useMemo, useState } from 'react';
import { TableWrap, when } from '../ui/bits.tsx';
import type { NoticeVersion } from './notices.tsx';

/** The text a version stands for in one locale: title, Markdown, and the purposes (with pinned versions) it asks. */
const asText = (v: NoticeVersion, locale: string) => {
  const t = v.texts[locale];
  const purposes = v.purposes.map((p) => `- ${p.key}${p.version ? ` (version ${p.version})` : ''}`).join('\n');
  return t
    ? `# ${t.title}\n\n${t.markdown.trimEnd()}\n\nPurposes:\n${purposes}\n`
    : `(no ${locale} text)\n\nPurposes:\n${purposes}\n`;
};

export const NoticeVersions = ({ noticeKey, items }: { noticeKey: string; items: NoticeVersion[] }) => {
  const [a, setA] = useState(() => items[1]?.id ?? items[0]?.id ?? '');
  const [b, setB] = useState(() => items[0]?.id ?? '');
  const locales = useMemo(() => [...new Set(items.flatMap((v) => Object.keys(v.texts)))], [items]);
  const [locale, setLocale] = useState(() => locales[0] ?? 'en');
  const from = items.find((v) => v.id === a);
  const to = items.find((v) => v.id === b);
  const parts = useMemo(
    () => (from && to ? diffLines(asText(from, locale), asText(to, locale)) : []),
    [from, to, locale],
  );
  const changes = parts.filter((p) => p.added || p.removed).reduce((n, p) => n + (p.count ?? 1), 0);
  const label = (v: NoticeVersion) => `Version ${v.version} (${v.status})`;
  return (
    <>
      <section aria-labelledby="versions">
        <h2 id="versions">
          Versions of <code>{noticeKey}</code>
        </h2>
        <TableWrap label="Notice versions">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Published (UTC)</th>
                <th scope="col">Effective (UTC)</th>
                <th scope="col">SHA-256 of the text shown, per locale</th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr key={v.id}>
                  <th scope="row">{v.version}</th>
                  <td>{v.status}</td>
                  <td className="nowrap">{when(v.publishedAt)}</td>
                  <td className="nowrap">{when(v.effectiveAt)}</td>
                  <td>
                    {v.rendered ? (
                      <ul className="plain">
                        {Object.entries(v.rendered).map(([l, r]) => (
                          <li key={l}>
                            {l}: <code className="hash">{r.sha256}</code>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="muted">not published</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      {items.length > 1 && (
        <section aria-labelledby="diff" className="panel">
          <h2 id="diff">Compare two versions</h2>
          <div className="filters">
            <label>
              From
              <select value={a} onChange={(e) => setA(e.currentTarget.value)}>
                {items.map((v) => (
                  <option key={v.id} value={v.id}>
                    {label(v)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To
              <select value={b} onChange={(e) => setB(e.currentTarget.value)}>
                {items.map((v) => (
                  <option key={v.id} value={v.id}>
                    {label(v)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Locale
              <select value={locale} onChange={(e) => setLocale(e.currentTarget.value)}>
                {locales.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <p className="muted" aria-live="polite">
            {changes === 0 ? 'No differences.' : `${changes} line${changes === 1 ? '' : 's'} changed.`}
          </p>
          <TableWrap label="Differences">
            <pre className="diff">
              {parts.map((p, i) => (
                <span
                  // biome-ignore lint/suspicious/noArrayIndexKey: the diff is recomputed whole; parts have no identity.
                  key={i}
                  className={p.added ? 'add' : p.removed ? 'del' : 'same'}
                >
                  {p.value
                    .replace(/\n$/, '')
                    .split('\n')
                    .map((line, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: lines of one part, in order.
                      <span key={j} className="line">
                        {p.added ? <ins>+ {line}</ins> : p.removed ? <del>- {line}</del> : `  ${line}`}
                      </span>
                    ))}
                </span>
              ))}
            </pre>
          </TableWrap>
        </section>
      )}
    </>
  );
};
