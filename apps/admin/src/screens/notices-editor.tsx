import { useMemo, useState } from 'react';
import { describeError, LawfulError, lawful } from '../api.ts';
import { Alert } from '../ui/bits.tsx';
import { markdownHtml } from '../ui/markdown.ts';
import { type NoticeVersion, type Purpose, PurposeChoice } from './notices.tsx';

type Texts = Record<string, { title: string; markdown: string }>;

// What the server's 422 names (field) → what a person should do about it.
const FIX: Record<string, string> = {
  controller: 'Record who the controller is (PUT /v1/ropa/controller) — the notice names them.',
};

/**
 * Edits the latest draft, or starts a new version from the latest published one. The preview shows the Markdown as
 * the server renders it; at publishing the server adds the standard block from the record of processing.
 */
export const NoticeEditor = (p: {
  noticeKey: string;
  latest: NoticeVersion;
  purposes: Purpose[];
  onChange: (message: string) => void;
}) => {
  const draft = p.latest.status === 'draft' ? p.latest : null;
  // Once this editor has saved a new version, later saves edit that draft instead of adding another.
  const [draftId, setDraftId] = useState(draft?.id ?? null);
  const [texts, setTexts] = useState<Texts>(() => structuredClone(p.latest.texts));
  const [keys, setKeys] = useState<string[]>(() => p.latest.purposes.map((x) => x.key));
  const [effective, setEffective] = useState(() => (draft?.effectiveAt ?? '').slice(0, 16));
  const [locale, setLocale] = useState(() => Object.keys(p.latest.texts)[0] ?? 'en');
  const [newLocale, setNewLocale] = useState('');
  const [error, setError] = useState<{ text: string; field?: string } | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const t = texts[locale] ?? { title: '', markdown: '' };
  const html = useMemo(() => markdownHtml(t.markdown), [t.markdown]);
  const chosen = p.purposes.filter((x) => keys.includes(x.key));

  const edit = (k: 'title' | 'markdown', v: string) => setTexts({ ...texts, [locale]: { ...t, [k]: v } });
  const addLocale = () => {
    const l = newLocale.trim();
    if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(l)) {
      setError({ text: 'A locale is two lowercase letters, optionally a region: fr, fr-CA.', field: 'locale' });
      return;
    }
    setError(null);
    if (!texts[l]) setTexts({ ...texts, [l]: { title: t.title, markdown: t.markdown } });
    setLocale(l);
    setNewLocale('');
  };
  const body = () => ({
    texts,
    purposes: keys,
    ...(effective ? { effectiveAt: new Date(`${effective}Z`).toISOString() } : {}),
  });
  const save = async () => {
    const v = draftId
      ? await lawful.notices.updateDraft(draftId, body())
      : await lawful.notices.addVersion(p.noticeKey, body());
    setDraftId(v.id);
    return v;
  };
  const run = async (what: 'save' | 'publish') => {
    setBusy(true);
    setError(null);
    setStatus(what === 'save' ? 'Saving…' : 'Publishing…');
    try {
      const v = await save();
      if (what === 'publish') {
        const pub = await lawful.notices.publish(v.id);
        setStatus('');
        p.onChange(`Version ${pub.version} of ${p.noticeKey} published.`);
      } else {
        setStatus('');
        p.onChange(`Draft version ${v.version} of ${p.noticeKey} saved.`);
      }
    } catch (x) {
      // A refused publish leaves the draft saved; the error stays here, beside the text to fix.
      setStatus(draftId ? 'The draft is saved.' : '');
      const field = x instanceof LawfulError ? x.field : undefined;
      setError({ text: describeError(x), ...(field ? { field } : {}) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="editor" className="panel">
      <h2 id="editor">
        {draft ? `Draft version ${draft.version}` : `New version (from version ${p.latest.version})`} of{' '}
        <code>{p.noticeKey}</code>
      </h2>
      {error && (
        <Alert>
          <strong>{error.field === 'controller' ? 'Not published: the controller is missing. ' : ''}</strong>
          {error.text}
          {error.field && FIX[error.field] && <span className="block">{FIX[error.field]}</span>}
        </Alert>
      )}
      <div className="filters">
        <label>
          Locale
          <select value={locale} onChange={(e) => setLocale(e.currentTarget.value)}>
            {Object.keys(texts).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Add a locale
          <input value={newLocale} onChange={(e) => setNewLocale(e.currentTarget.value)} placeholder="fr" size={6} />
        </label>
        <button type="button" onClick={addLocale}>
          Add locale
        </button>
        <label>
          Effective from (UTC, optional)
          <input type="datetime-local" value={effective} onChange={(e) => setEffective(e.currentTarget.value)} />
        </label>
      </div>
      <PurposeChoice
        purposes={p.purposes}
        selected={keys}
        onToggle={(k, on) => setKeys(on ? [...keys, k] : keys.filter((x) => x !== k))}
      />
      <div className="split">
        <div className="stack">
          <label>
            Title ({locale})
            <input value={t.title} maxLength={200} onChange={(e) => edit('title', e.currentTarget.value)} />
          </label>
          <label>
            Text in Markdown ({locale})
            <textarea rows={14} value={t.markdown} onChange={(e) => edit('markdown', e.currentTarget.value)} />
          </label>
        </div>
        <section aria-label="Preview" className="preview">
          <p className="muted small">Preview</p>
          <h3 className="preview-title">{t.title}</h3>
          {/* Escaped like the server's rendering: raw HTML in the Markdown shows as text. */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: marked output with raw HTML escaped; the CSP runs no inline script. */}
          <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />
          <div className="standard">
            <p className="muted small">Added by Lawful when published, from the record of processing:</p>
            <ul>
              <li>who the controller is, and the data protection officer</li>
              {chosen.map((x) => (
                <li key={x.key}>
                  {(x.locales[locale] ?? x.locales.en ?? Object.values(x.locales)[0])?.name ?? x.key}: data used (
                  {x.dataCategories.join(', ')}), recipients, retention, source
                </li>
              ))}
              <li>the right to withdraw consent at any time, as easily as it was given</li>
            </ul>
          </div>
        </section>
      </div>
      <div className="row">
        <button type="button" onClick={() => run('save')} disabled={busy}>
          Save draft
        </button>
        <button type="button" className="primary" onClick={() => run('publish')} disabled={busy}>
          Publish
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {status}
      </p>
    </section>
  );
};
