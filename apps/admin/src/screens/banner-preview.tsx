import { useState } from 'react';
import { lawful } from '../api.ts';
import { Alert, Loading } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { Site } from './banner.tsx';

const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'nl'];

/**
 * The banner as visitors get it: the server's page runs the site's real script (/v1/banner/{site}.js) in a frame
 * sandboxed to an opaque origin, with no network but that script, so nothing clicked here is recorded.
 */
export const BannerPreview = ({ site }: { site: Site }) => {
  const [lang, setLang] = useState(site.definition.defaultLocale ?? 'en');
  const [phone, setPhone] = useState(false);
  const locales = [...new Set([...LOCALES, ...Object.keys(site.definition.texts ?? {})])];
  const src = `/admin/banner-preview?site=${encodeURIComponent(site.id)}&lang=${lang}&v=${site.version}`;
  return (
    <section aria-labelledby="preview" className="panel">
      <h2 id="preview">Live preview</h2>
      <div className="filters">
        <label>
          Language
          <select value={lang} onChange={(e) => setLang(e.currentTarget.value)}>
            {locales.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={phone} onChange={(e) => setPhone(e.currentTarget.checked)} /> Phone width
        </label>
      </div>
      <div className="frame-box">
        <iframe
          key={src}
          title={`Banner preview of ${site.definition.name}`}
          src={src}
          sandbox="allow-scripts"
          className={phone ? 'frame phone' : 'frame'}
        />
      </div>
      <p className="muted small">Version {site.version} of the site. Choices made here are not recorded.</p>
    </section>
  );
};

const Copy = ({ text, what }: { text: string; what: string }) => {
  const [done, setDone] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(`${what} copied.`);
    } catch {
      setDone('Copying was refused by the browser: select the text and copy it.');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        Copy<span className="sr-only"> {what}</span>
      </button>
      <span className="muted small" aria-live="polite">
        {' '}
        {done}
      </span>
    </>
  );
};

/** The tag to paste first in <head>: the latest script, or the SRI-pinned version that never changes under a page. */
export const Snippet = ({ site }: { site: Site }) => {
  const s = useLoad(() => lawful.sites.snippet(site.id), [site.id, site.version]);
  return (
    <section aria-labelledby="snippet" className="panel">
      <h2 id="snippet">Embed snippet</h2>
      {s.error && <Alert>{s.error}</Alert>}
      {!s.data ? (
        !s.error && <Loading what="the snippet" />
      ) : (
        <>
          <h3>Latest (follows changes within a minute)</h3>
          <code className="secret" data-testid="snippet-latest">
            {s.data.tag}
          </code>
          <Copy text={s.data.tag} what="latest tag" />
          <h3 className="gap">Pinned with Subresource Integrity</h3>
          <p className="muted small">
            Banner {s.data.bannerVersion}, notice version <code>{s.data.noticeVersionId}</code>. The browser refuses the
            script if its bytes change; update the tag to show a new notice.
          </p>
          <code className="secret" data-testid="snippet-pinned">
            {s.data.pinned.tag}
          </code>
          <Copy text={s.data.pinned.tag} what="pinned tag" />
        </>
      )}
    </section>
  );
};
