import { useState } from 'react';
import { describeError, lawful, type Session } from '../api.ts';
import { Alert, Loading, saveFile, TableWrap, when } from '../ui/bits.tsx';
import { period } from '../ui/format.ts';
import { useLoad } from '../ui/use-load.ts';

type Purpose = Awaited<ReturnType<typeof lawful.purposes.list>>['items'][number];

const nameOf = (p: Purpose) => {
  const l = p.locales.en ?? Object.values(p.locales)[0];
  return l?.name ?? p.key;
};

const OFFICERS = new Set(['admin', 'privacy_officer']);

export const Purposes = ({ session }: { session: Session }) => {
  const list = useLoad(() => lawful.purposes.list(), []);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      {OFFICERS.has(session.user.role) && <RopaExport />}
      <section aria-labelledby="purposes-list">
        <h2 id="purposes-list">Purposes</h2>
        {list.error && <Alert>{list.error}</Alert>}
        {!list.data ? (
          <Loading what="purposes" />
        ) : list.data.items.length === 0 ? (
          <p className="muted">No purposes yet. Define them with the API (POST /v1/purposes).</p>
        ) : (
          <TableWrap label="Purposes">
            <table>
              <thead>
                <tr>
                  <th scope="col">Purpose</th>
                  <th scope="col">Key</th>
                  <th scope="col">Lawful bases</th>
                  <th scope="col">Retention</th>
                  <th scope="col">Version</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.key}>
                    <th scope="row">{nameOf(p)}</th>
                    <td>
                      <code>{p.key}</code>
                    </td>
                    <td>{p.allowedBases.join(', ').replaceAll('_', ' ')}</td>
                    <td>{period(p.retention.period)}</td>
                    <td>{p.version}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === p.key}
                        onClick={() => setOpen(open === p.key ? null : p.key)}
                      >
                        {open === p.key ? 'Hide' : 'Versions'}
                        <span className="sr-only"> of {nameOf(p)}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      {open && <Versions purposeKey={open} />}
    </>
  );
};

const Versions = ({ purposeKey }: { purposeKey: string }) => {
  const v = useLoad(() => lawful.purposes.versions(purposeKey), [purposeKey]);
  return (
    <section aria-labelledby="versions" className="panel">
      <h2 id="versions">
        Versions of <code>{purposeKey}</code>
      </h2>
      {v.error && <Alert>{v.error}</Alert>}
      {!v.data ? (
        <Loading what="versions" />
      ) : (
        <ol className="versions">
          {[...v.data.items].reverse().map((p) => (
            <li key={p.version}>
              <h3>
                Version {p.version}{' '}
                <span className="muted">
                  · {when(p.createdAt)} UTC · by {p.createdBy}
                </span>
              </h3>
              <p>{(p.locales.en ?? Object.values(p.locales)[0])?.description}</p>
              <dl className="facts">
                <dt>Bases</dt>
                <dd>{p.allowedBases.join(', ').replaceAll('_', ' ')}</dd>
                <dt>Data</dt>
                <dd>{p.dataCategories.join(', ')}</dd>
                <dt>Recipients</dt>
                <dd>{p.recipients.map((r) => `${r.name} (${r.country})`).join(', ') || 'none'}</dd>
                <dt>Retention</dt>
                <dd>{period(p.retention.period)}</dd>
              </dl>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
};

const RopaExport = () => {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const download = async (format: 'json' | 'csv' | 'xlsx') => {
    setError(null);
    setStatus(`Preparing ${format.toUpperCase()}…`);
    try {
      const f = await lawful.ropa.download(format);
      saveFile(f.blob, f.filename);
      setStatus(`Downloaded ${f.filename}.`);
    } catch (e) {
      setStatus('');
      setError(describeError(e));
    }
  };
  return (
    <section aria-labelledby="ropa" className="panel">
      <h2 id="ropa">Record of processing activities (Art. 30)</h2>
      <p className="muted">
        Every purpose, its data, recipients, transfers and retention, as the authority expects it.
      </p>
      <div className="row">
        <button type="button" onClick={() => download('xlsx')}>
          Export Excel
        </button>
        <button type="button" onClick={() => download('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => download('json')}>
          Export JSON
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {status}
      </p>
      {error && <Alert>{error}</Alert>}
    </section>
  );
};
