import { useState } from 'react';
import { lawful } from '../api.ts';
import { useLoad } from '../ui/use-load.ts';
import type { Site } from './banner.tsx';
import { Categories } from './banner-categories.tsx';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';

export type Definition = Site['definition'];
type TextKey = 'title' | 'description' | 'acceptAll' | 'rejectAll' | 'choose' | 'save';
const TEXTS: { key: TextKey; label: string; long?: boolean }[] = [
  { key: 'title', label: 'Title' },
  { key: 'description', label: 'Description', long: true },
  { key: 'acceptAll', label: '“Accept all” button' },
  { key: 'rejectAll', label: '“Reject all” button' },
  { key: 'choose', label: '“Choose” button' },
  { key: 'save', label: '“Save choices” button' },
];

/** Edits a copy of the site's definition; saving makes a new version (a changed service list asks visitors again). */
export const SiteEditor = ({ site, onSaved }: { site: Site; onSaved: (s: Site) => void }) => {
  const [d, setD] = useState<Definition>(() => structuredClone(site.definition));
  const [locale, setLocale] = useState(d.defaultLocale ?? 'en');
  const [error, setError] = useState<ShownError | null>(null);
  const [status, setStatus] = useState('');
  const notices = useLoad(() => lawful.notices.list(), []);
  const purposes = useLoad(() => lawful.purposes.list(), []);
  const set = <K extends keyof Definition>(k: K, v: Definition[K]) => setD({ ...d, [k]: v });
  const text = (k: TextKey) => d.texts?.[locale]?.[k] ?? '';
  const setText = (k: TextKey, v: string) => {
    const cur = { ...(d.texts?.[locale] ?? {}) };
    if (v) cur[k] = v;
    else delete cur[k];
    const texts = { ...(d.texts ?? {}), [locale]: cur };
    if (Object.keys(cur).length === 0) delete texts[locale];
    set('texts', texts);
  };
  const save = async () => {
    setError(null);
    setStatus('Saving…');
    try {
      const s = await lawful.sites.update(site.id, {
        ...d,
        allowedOrigins: d.allowedOrigins.map((o) => o.trim()).filter(Boolean),
      });
      setStatus(`Saved as version ${s.version}.`);
      onSaved(s);
    } catch (x) {
      setStatus('');
      setError(errorOf(x));
    }
  };
  return (
    <section aria-labelledby="site-editor" className="panel">
      <h2 id="site-editor">Edit {site.definition.name}</h2>
      <div className="filters">
        <label>
          Site name
          <input value={d.name} maxLength={200} onChange={(e) => set('name', e.currentTarget.value)} />
        </label>
        <label>
          Notice shown
          <select value={d.noticeKey} onChange={(e) => set('noticeKey', e.currentTarget.value)}>
            {[...new Set([d.noticeKey, ...(notices.data?.items.map((n) => n.noticeKey) ?? [])])].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Full notice at (URL)
          <input
            type="url"
            value={d.noticeUrl ?? ''}
            onChange={(e) => set('noticeUrl', e.currentTarget.value || undefined)}
          />
        </label>
        <label>
          Jurisdiction
          <select
            value={d.jurisdiction}
            onChange={(e) => set('jurisdiction', e.currentTarget.value as Definition['jurisdiction'])}
          >
            <option value="eu">EU</option>
            <option value="fr">France (CNIL)</option>
            <option value="uk">United Kingdom</option>
            <option value="us">United States</option>
          </select>
        </label>
      </div>
      <label>
        Origins allowed to record choices (one per line)
        <textarea
          rows={2}
          value={d.allowedOrigins.join('\n')}
          onChange={(e) => set('allowedOrigins', e.currentTarget.value.split('\n'))}
        />
      </label>

      <h3 className="gap">Categories, services and cookies</h3>
      <Categories
        categories={d.categories}
        gpc={d.gpcCategories ?? []}
        purposes={purposes.data?.items ?? []}
        onChange={(categories, gpcCategories) => setD({ ...d, categories, gpcCategories })}
      />

      <fieldset className="choices">
        <legend>Texts (empty: the standard wording of that language)</legend>
        <label>
          Language
          <input
            value={locale}
            size={4}
            pattern="[a-z]{2,3}"
            onChange={(e) => setLocale(e.currentTarget.value.toLowerCase())}
          />
        </label>
        {TEXTS.map((t) =>
          t.long ? (
            <label key={t.key}>
              {t.label} ({locale})
              <textarea rows={3} value={text(t.key)} onChange={(e) => setText(t.key, e.currentTarget.value)} />
            </label>
          ) : (
            <label key={t.key}>
              {t.label} ({locale})
              <input value={text(t.key)} onChange={(e) => setText(t.key, e.currentTarget.value)} />
            </label>
          ),
        )}
      </fieldset>
      {error && <ErrorList error={error} />}
      <div className="row">
        <button type="button" className="primary" onClick={save}>
          Save site
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {status}
      </p>
    </section>
  );
};
