import { type FormEvent, useState } from 'react';
import { describeError, lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { NoticeEditor } from './notices-editor.tsx';
import { NoticeVersions } from './notices-versions.tsx';
import './config.css';

export type NoticeVersion = Awaited<ReturnType<typeof lawful.notices.get>>;
export type Purpose = Awaited<ReturnType<typeof lawful.purposes.list>>['items'][number];
export const OFFICERS = new Set(['admin', 'privacy_officer']);

/** Notices: what people are told before they decide. Write per locale, preview, publish, compare versions. */
export const Notices = ({ session }: { session: Session }) => {
  const list = useLoad(() => lawful.notices.list(), []);
  const purposes = useLoad(() => lawful.purposes.list(), []);
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const canWrite = OFFICERS.has(session.user.role);
  const changed = () => {
    list.reload();
    setTick((t) => t + 1);
  };
  return (
    <>
      <section aria-labelledby="notices-list">
        <h2 id="notices-list">Notices</h2>
        {list.error && <Alert>{list.error}</Alert>}
        {!list.data ? (
          <Loading what="notices" />
        ) : list.data.items.length === 0 ? (
          <p className="muted">No notices yet.{canWrite && ' Write the first one below.'}</p>
        ) : (
          <TableWrap label="Notices">
            <table>
              <thead>
                <tr>
                  <th scope="col">Notice</th>
                  <th scope="col">Latest version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Effective (UTC)</th>
                  <th scope="col">Locales</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((n) => (
                  <tr key={n.noticeId}>
                    <th scope="row">
                      <code>{n.noticeKey}</code>
                    </th>
                    <td>{n.version}</td>
                    <td>{n.status === 'draft' ? <span className="tag">draft</span> : 'published'}</td>
                    <td className="nowrap">{when(n.effectiveAt)}</td>
                    <td>{Object.keys(n.texts).join(', ')}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === n.noticeKey}
                        onClick={() => setOpen(open === n.noticeKey ? null : n.noticeKey)}
                      >
                        {open === n.noticeKey ? 'Close' : 'Open'}
                        <span className="sr-only"> {n.noticeKey}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      {open && (
        <NoticePanel
          key={open}
          tick={tick}
          noticeKey={open}
          purposes={purposes.data?.items ?? []}
          canWrite={canWrite}
          onChange={changed}
        />
      )}
      {canWrite && !open && (
        <NewNotice
          purposes={purposes.data?.items ?? []}
          onCreated={(k) => {
            changed();
            setOpen(k);
          }}
        />
      )}
    </>
  );
};

const NoticePanel = (p: {
  noticeKey: string;
  tick: number;
  purposes: Purpose[];
  canWrite: boolean;
  onChange: () => void;
}) => {
  const versions = useLoad(() => lawful.notices.versions(p.noticeKey), [p.noticeKey, p.tick]);
  const [flash, setFlash] = useState('');
  if (versions.error) return <Alert>{versions.error}</Alert>;
  if (!versions.data) return <Loading what="versions" />;
  const items = versions.data.items;
  const latest = items[0];
  return (
    <>
      <p className="ok" role="status">
        {flash}
      </p>
      {p.canWrite && latest && (
        <NoticeEditor
          key={`${latest.id}:${latest.status}`}
          noticeKey={p.noticeKey}
          latest={latest}
          purposes={p.purposes}
          onChange={(m) => {
            setFlash(m);
            p.onChange();
          }}
        />
      )}
      <NoticeVersions key={`${latest?.id}:${items.length}`} noticeKey={p.noticeKey} items={items} />
    </>
  );
};

const NewNotice = ({ purposes, onCreated }: { purposes: Purpose[]; onCreated: (key: string) => void }) => {
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const key = String(f.get('key') ?? '').trim();
    const locale = String(f.get('locale') ?? 'en').trim();
    setError(null);
    try {
      await lawful.notices.create({
        key,
        name: String(f.get('name') ?? ''),
        draft: {
          texts: { [locale]: { title: String(f.get('title') ?? ''), markdown: String(f.get('markdown') ?? '') } },
          purposes: f.getAll('purposes').map(String),
        },
      });
      onCreated(key);
    } catch (x) {
      setError(describeError(x));
    }
  };
  return (
    <section aria-labelledby="new-notice" className="panel">
      <h2 id="new-notice">New notice</h2>
      {error && <Alert>{error}</Alert>}
      <form className="stack" onSubmit={create} aria-label="New notice">
        <div className="filters">
          <label>
            Key
            <input name="key" required pattern="[a-z0-9][a-z0-9\-]{0,63}" placeholder="newsletter" />
          </label>
          <label>
            Name
            <input name="name" required maxLength={200} placeholder="Newsletter sign-up" />
          </label>
          <label>
            Locale
            <input name="locale" required defaultValue="en" pattern="[a-z]{2}(-[A-Z]{2})?" size={6} />
          </label>
        </div>
        <PurposeChoice purposes={purposes} selected={[]} />
        <label>
          Title
          <input name="title" required maxLength={200} />
        </label>
        <label>
          Text (Markdown)
          <textarea name="markdown" required rows={6} />
        </label>
        <div>
          <button type="submit" className="primary">
            Create draft
          </button>
        </div>
      </form>
    </section>
  );
};

/** Purposes a notice asks about, as checkboxes named `purposes`. */
export const PurposeChoice = (p: {
  purposes: Purpose[];
  selected: string[];
  onToggle?: (key: string, on: boolean) => void;
}) => (
  <fieldset className="choices">
    <legend>Purposes it asks about</legend>
    {p.purposes.length === 0 && <p className="muted">No purposes defined yet (Purposes & ROPA).</p>}
    {p.purposes.map((x) => (
      <label key={x.key} className="check">
        <input
          type="checkbox"
          name="purposes"
          value={x.key}
          {...(p.onToggle
            ? { checked: p.selected.includes(x.key), onChange: (e) => p.onToggle?.(x.key, e.currentTarget.checked) }
            : { defaultChecked: p.selected.includes(x.key) })}
        />
        {(x.locales.en ?? Object.values(x.locales)[0])?.name ?? x.key} <code>{x.key}</code>
      </label>
    ))}
  </fieldset>
);
