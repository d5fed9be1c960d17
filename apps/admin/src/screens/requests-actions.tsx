import { type FormEvent, type ReactNode, useState } from 'react';
import { describeError, lawful } from '../api.ts';
import { Alert, Loading, saveFile, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import type { Detail } from './requests-page.tsx';

const STAFF = new Set(['admin', 'privacy_officer', 'agent']);
const OFFICERS = new Set(['admin', 'privacy_officer']);
const OPEN = new Set(['received', 'identity_pending', 'verified', 'awaiting_approval', 'in_progress']);
const GROUNDS = [
  ['art17_3_a_freedom_of_expression', 'Art. 17(3)(a): freedom of expression and information', true],
  ['art17_3_b_legal_obligation_or_public_task', 'Art. 17(3)(b): legal obligation or public task', true],
  ['art17_3_c_public_health', 'Art. 17(3)(c): public health', true],
  ['art17_3_d_archiving_research_statistics', 'Art. 17(3)(d): archiving, research or statistics', true],
  ['art17_3_e_legal_claims', 'Art. 17(3)(e): legal claims', true],
  ['manifestly_unfounded', 'Art. 12(5): manifestly unfounded', false],
  ['manifestly_excessive', 'Art. 12(5): manifestly excessive', false],
  ['identity_not_verified', 'Art. 12(6): identity could not be verified', false],
] as const;
type Ground = (typeof GROUNDS)[number][0];
class NotReady extends Error {}
const wantsPackage = (r: Detail) => r.types.some((t) => t === 'access' || t === 'portability');

/** One action as a disclosure: its form only when asked for, so the page stays calm. */
const Action = ({ title, children }: { title: string; children: ReactNode }) => (
  <details className="panel action">
    <summary>{title}</summary>
    {children}
  </details>
);

/** Extend, refuse (with the legal ground) or complete, as the role and state allow. */
export const Actions = ({
  request: r,
  role,
  onChanged,
}: {
  request: Detail;
  role: string;
  /** Told what was done; the page says it (this section goes once the request is closed). */
  onChanged: (done: string) => void;
}) => {
  const [error, setError] = useState<string | null>(null);
  if (!OPEN.has(r.state) || !STAFF.has(role)) return null;
  const run = (what: string, f: (form: FormData) => Promise<unknown>) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    try {
      await f(new FormData(e.currentTarget));
      onChanged(what);
    } catch (x) {
      setError(x instanceof NotReady ? x.message : describeError(x));
    }
  };
  const extend = run('The deadline was extended and the person will be told why.', (f) => {
    const months = String(f.get('months') ?? '');
    return lawful.requests.extend(r.id, {
      reason: String(f.get('reason') ?? ''),
      ...(months ? { months: Number(months) } : {}),
    });
  });
  const reject = run('The request was refused; the person will be told why and how to complain.', (f) =>
    lawful.requests.reject(r.id, {
      grounds: f.getAll('grounds').map(String) as Ground[],
      explanation: String(f.get('explanation') ?? ''),
    }),
  );
  const complete = run('The request was completed; the person will be told.', async (f) => {
    let download: { url: string; expiresAt: string } | undefined;
    if (wantsPackage(r)) {
      const ready = (await lawful.requests.exports(r.id)).data.find((p) => p.state === 'ready');
      if (!ready) throw new NotReady('The package is not ready yet: completing sends the person its download link.');
      download = await lawful.requests.exportLink(ready.id);
    }
    const note = String(f.get('note') ?? '').trim();
    return lawful.requests.complete(r.id, {
      partial: f.get('partial') === 'on',
      ...(download ? { download } : {}),
      ...(note ? { note } : {}),
    });
  });
  const erasure = r.types.includes('erasure');
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      {error && <Alert>{error}</Alert>}
      {!r.extension && (
        <Action title="Extend the deadline">
          <form className="stack" onSubmit={extend} aria-label="Extend the deadline">
            <label>
              By
              <select name="months" defaultValue="">
                <option value="">the most the rules allow</option>
                <option value="1">1 month</option>
                <option value="2">2 months</option>
              </select>
            </label>
            <label>
              Reason the person will read (Art. 12(3))
              <textarea name="reason" required minLength={10} maxLength={2000} rows={3} />
            </label>
            <button type="submit" className="primary">
              Extend
            </button>
          </form>
        </Action>
      )}
      {OFFICERS.has(role) && (
        <Action title="Refuse the request">
          <form className="stack" onSubmit={reject} aria-label="Refuse the request">
            <fieldset>
              <legend>Legal ground</legend>
              {GROUNDS.filter(([, , onlyErasure]) => erasure || !onlyErasure).map(([value, label]) => (
                <label key={value} className="check">
                  <input type="checkbox" name="grounds" value={value} /> {label}
                </label>
              ))}
            </fieldset>
            <label>
              Explanation the person will read (Art. 12(4))
              <textarea name="explanation" required minLength={10} maxLength={2000} rows={3} />
            </label>
            <button type="submit" className="danger">
              Refuse
            </button>
          </form>
        </Action>
      )}
      {r.state === 'in_progress' && (
        <Action title="Complete the request">
          <form className="stack" onSubmit={complete} aria-label="Complete the request">
            {wantsPackage(r) && (
              <p className="muted">The person gets a secret link to their package, valid until it expires.</p>
            )}
            <label className="check">
              <input type="checkbox" name="partial" /> Some tasks could not be done (partial)
            </label>
            <label>
              Note (optional)
              <textarea name="note" maxLength={2000} rows={2} />
            </label>
            <button type="submit" className="primary">
              Complete
            </button>
          </form>
        </Action>
      )}
    </section>
  );
};

/** The access or portability packages of the request, and a download link for a ready one. */
export const Results = ({ request: r, role }: { request: Detail; role: string }) => {
  const packages = useLoad(
    async () => (wantsPackage(r) && STAFF.has(role) ? (await lawful.requests.exports(r.id)).data : []),
    [r.id, r.state],
  );
  const [links, setLinks] = useState<Record<string, { url: string; expiresAt: string }>>({});
  const [error, setError] = useState<string | null>(null);
  if (!wantsPackage(r) || !STAFF.has(role)) return null;
  const link = async (id: string) => {
    setError(null);
    try {
      const l = await lawful.requests.exportLink(id);
      setLinks((m) => ({ ...m, [id]: l }));
    } catch (x) {
      setError(describeError(x));
    }
  };
  return (
    <section aria-labelledby="results">
      <h2 id="results">Results</h2>
      {(packages.error || error) && <Alert>{packages.error ?? error}</Alert>}
      {!packages.data ? (
        <Loading what="packages" />
      ) : packages.data.length === 0 ? (
        <p className="muted">No package yet: it is built once the systems have answered.</p>
      ) : (
        <TableWrap label="Packages">
          <table>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Status</th>
                <th scope="col">Expires (UTC)</th>
                <th scope="col">Downloads</th>
                <th scope="col">Download</th>
              </tr>
            </thead>
            <tbody>
              {packages.data.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    {p.kind} <code>{p.id}</code>
                  </th>
                  <td>{p.state}</td>
                  <td className="nowrap">{when(p.expiresAt)}</td>
                  <td>{p.downloads}</td>
                  <td>
                    {links[p.id] ? (
                      <a href={links[p.id]!.url} download>
                        Download {p.kind} package
                      </a>
                    ) : p.state === 'ready' && OFFICERS.has(role) ? (
                      <button type="button" onClick={() => link(p.id)}>
                        Get a download link<span className="sr-only"> for {p.id}</span>
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
};

/** The signed completion certificate: what was done where, verifiable offline with the tenant's public key. */
export const Certificate = ({ request: r }: { request: Detail }) => {
  const cert = useLoad(() => lawful.requests.certificate(r.id).catch(() => null), [r.id, r.state]);
  return (
    <section aria-labelledby="certificate">
      <h2 id="certificate">Completion certificate</h2>
      {!cert.data ? (
        cert.loading ? (
          <Loading what="the certificate" />
        ) : (
          <p className="muted">No certificate: one is issued when work was done (not for refusals or cancellations).</p>
        )
      ) : (
        <>
          <p>
            Signed with key <code>{cert.data.kid}</code> (EdDSA); anyone can check it with the keys at{' '}
            <code className="wrap">{cert.data.jwksUrl}</code>.
          </p>
          <div className="row">
            <button
              type="button"
              onClick={() =>
                cert.data &&
                saveFile(new Blob([cert.data.certificate], { type: 'application/jose' }), `certificate-${r.id}.jws`)
              }
            >
              Download the certificate
            </button>
          </div>
          <details>
            <summary>What it certifies</summary>
            <pre className="wrap">{JSON.stringify(cert.data.record, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
};
