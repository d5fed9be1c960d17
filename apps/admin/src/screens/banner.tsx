import { type FormEvent, useState } from 'react';
import { lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { SiteEditor } from './banner-editor.tsx';
import { BannerPreview, Snippet } from './banner-preview.tsx';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';
import './config.css';

export type Site = Awaited<ReturnType<typeof lawful.sites.get>>;
const OFFICERS = new Set(['admin', 'privacy_officer']);

/** Cookie banner: the sites that embed it, what they store, the texts, a live preview and the tag to paste. */
export const Banner = ({ session }: { session: Session }) => {
  const sites = useLoad(() => lawful.sites.list(), []);
  const [open, setOpen] = useState<string | null>(null);
  const canWrite = OFFICERS.has(session.user.role);
  const site = sites.data?.items.find((s) => s.id === open);
  return (
    <>
      <section aria-labelledby="sites">
        <h2 id="sites">Sites</h2>
        {sites.error && <Alert>{sites.error}</Alert>}
        {!sites.data ? (
          <Loading what="sites" />
        ) : sites.data.items.length === 0 ? (
          <p className="muted">No site embeds the banner yet.</p>
        ) : (
          <TableWrap label="Sites">
            <table>
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Origins</th>
                  <th scope="col">Notice</th>
                  <th scope="col">Version</th>
                  <th scope="col">Changed (UTC)</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sites.data.items.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.definition.name}</th>
                    <td className="wrap">{s.definition.allowedOrigins.join(', ')}</td>
                    <td>
                      <code>{s.definition.noticeKey}</code>
                    </td>
                    <td>{s.version}</td>
                    <td className="nowrap">{when(s.updatedAt)}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === s.id}
                        onClick={() => setOpen(open === s.id ? null : s.id)}
                      >
                        {open === s.id ? 'Close' : 'Open'}
                        <span className="sr-only"> {s.definition.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      {site ? (
        <SitePanel key={site.id} site={site} canWrite={canWrite} onSaved={sites.reload} />
      ) : (
        canWrite && (
          <NewSite
            onCreated={(id) => {
              sites.reload();
              setOpen(id);
            }}
          />
        )
      )}
    </>
  );
};

const SitePanel = ({ site, canWrite, onSaved }: { site: Site; canWrite: boolean; onSaved: () => void }) => {
  const [current, setCurrent] = useState(site);
  return (
    <>
      <div className="split">
        <BannerPreview site={current} />
        <Snippet site={current} />
      </div>
      {canWrite && (
        <SiteEditor
          site={current}
          onSaved={(s) => {
            setCurrent(s);
            onSaved();
          }}
        />
      )}
    </>
  );
};

/** A new site starts with the one category every site has; the rest is added in the editor. */
const NewSite = ({ onCreated }: { onCreated: (id: string) => void }) => {
  const notices = useLoad(() => lawful.notices.list(), []);
  const [error, setError] = useState<ShownError | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const s = await lawful.sites.create({
        name: String(f.get('name') ?? ''),
        allowedOrigins: String(f.get('origins') ?? '')
          .split(/[\s,]+/)
          .filter(Boolean),
        noticeKey: String(f.get('notice') ?? ''),
        categories: [{ key: 'necessary', services: [] }],
        // No consent category yet, so none for a Global Privacy Control signal to deny (added with the category).
        gpcCategories: [],
      });
      onCreated(s.id);
    } catch (x) {
      setError(errorOf(x));
    }
  };
  return (
    <section aria-labelledby="new-site" className="panel">
      <h2 id="new-site">New site</h2>
      {error && <ErrorList error={error} />}
      {notices.error && <Alert>{notices.error}</Alert>}
      <form className="filters" onSubmit={create} aria-label="New site">
        <label>
          Site name
          <input name="name" required maxLength={200} placeholder="Acme shop" />
        </label>
        <label>
          Origins (one per line or comma)
          <input name="origins" required placeholder="https://shop.example.com" />
        </label>
        <label>
          Notice shown
          <select name="notice" required>
            {(notices.data?.items ?? []).map((n) => (
              <option key={n.noticeKey} value={n.noticeKey}>
                {n.noticeKey}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create site
        </button>
      </form>
      <p className="muted">The banner shows the latest published version of the notice.</p>
    </section>
  );
};
