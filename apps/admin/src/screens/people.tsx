import { type FormEvent, useState } from 'react';
import { describeError, LawfulError, lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { usePager } from '../ui/pager.ts';
import { useRouteParam } from '../ui/router.ts';
import { useLoad } from '../ui/use-load.ts';
import { PersonPage } from './people-page.tsx';

export const KINDS = [
  ['email', 'E-mail'],
  ['phone', 'Phone'],
  ['user_id', 'User id'],
  ['device_id', 'Device id'],
] as const;
type Kind = (typeof KINDS)[number][0];
export const kindLabel = (k: string) => KINDS.find(([v]) => v === k)?.[1] ?? k;
const PAGE = 25;

/** People: a masked list and a reasoned lookup; `#/people/sub_…` is one person's page. */
export const People = ({ session }: { session: Session }) => {
  const id = useRouteParam();
  // Read-only users see masked data only: finding and revealing people is staff work (the API says the same).
  const staff = session.user.role !== 'read_only';
  return id ? <PersonPage id={id} key={id} canReveal={staff} /> : <PeopleList canFind={staff} />;
};

const Lookup = () => {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const find = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    setBusy(true);
    try {
      const s = await lawful.subjects.find({
        identity: { kind: String(f.get('kind')) as Kind, value: String(f.get('value') ?? '') },
        reason: String(f.get('reason') ?? ''),
      });
      window.location.hash = `#/people/${s.id}`;
    } catch (x) {
      setError(
        x instanceof LawfulError && x.status === 404
          ? 'No one holds this identifier. The lookup and your reason were recorded in the audit log.'
          : describeError(x),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="lookup" className="panel">
      <h2 id="lookup">Find a person</h2>
      <p className="muted" id="lookup-hint">
        A lookup by an identifier is recorded in the audit log with your reason and the person’s pseudonymous id — never
        the identifier. Give the ticket or request it is for; do not write the person’s name or address.
      </p>
      <form className="filters" onSubmit={find} aria-label="Find a person" aria-describedby="lookup-hint">
        <label>
          Kind
          <select name="kind" defaultValue="email">
            {KINDS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Identifier
          <input name="value" required maxLength={320} autoComplete="off" spellCheck={false} />
        </label>
        <label className="grow">
          Reason
          <input name="reason" required minLength={10} maxLength={500} placeholder="Ticket 4411: access request" />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Looking up…' : 'Look up'}
        </button>
      </form>
      {error && <Alert>{error}</Alert>}
    </section>
  );
};

type Filter = { q?: string; kind?: Kind; status?: 'active' | 'erased' };

const PeopleList = ({ canFind }: { canFind: boolean }) => {
  const [filter, setFilter] = useState<Filter>({});
  const pager = usePager();
  const list = useLoad(
    () => lawful.subjects.list({ ...filter, cursor: pager.cursor, limit: PAGE }),
    [filter, pager.cursor],
  );
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const q = String(f.get('q') ?? '').trim();
    const kind = String(f.get('kind') ?? '') as Kind | '';
    const status = String(f.get('status') ?? '') as Filter['status'] | '';
    setFilter({ ...(q ? { q } : {}), ...(kind ? { kind } : {}), ...(status ? { status } : {}) });
    pager.reset();
  };
  const items = list.data?.items ?? [];
  return (
    <>
      {canFind ? (
        <Lookup />
      ) : (
        <p className="muted">Finding a person by an identifier is for admins, privacy officers and agents.</p>
      )}
      <section aria-labelledby="people-list">
        <h2 id="people-list">Everyone</h2>
        <p className="muted">Pseudonymous ids and masked identifiers, newest first. Open a person to see more.</p>
        <form className="filters" onSubmit={apply} aria-label="Filter people">
          <label>
            Subject id or its start
            <input name="q" placeholder="sub_01J…" defaultValue={filter.q} spellCheck={false} />
          </label>
          <label>
            Holds
            <select name="kind" defaultValue={filter.kind ?? ''}>
              <option value="">any identifier</option>
              {KINDS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select name="status" defaultValue={filter.status ?? ''}>
              <option value="">any</option>
              <option value="active">active</option>
              <option value="erased">erased</option>
            </select>
          </label>
          <button type="submit">Filter</button>
        </form>
        {list.error && <Alert>{list.error}</Alert>}
        {!list.data ? (
          <Loading what="people" />
        ) : items.length === 0 ? (
          <p className="muted">No one matches.</p>
        ) : (
          <TableWrap label="People">
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Identifiers (masked)</th>
                  <th scope="col">Known since (UTC)</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">
                      <a href={`#/people/${s.id}`}>
                        <code>{s.id}</code>
                      </a>
                    </th>
                    <td>
                      {s.identities.length === 0
                        ? '—'
                        : s.identities.map((i) => (
                            <span key={i.id} className="ident">
                              <span className="muted">{kindLabel(i.kind)}</span> {i.masked ?? 'shredded'}
                            </span>
                          ))}
                    </td>
                    <td className="nowrap">{when(s.createdAt)}</td>
                    <td>{s.erasedAt ? `erased ${when(s.erasedAt)}` : 'active'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <div className="row">
          {pager.page > 1 && (
            <button type="button" onClick={pager.back}>
              Newer
            </button>
          )}
          {list.data?.nextCursor && (
            <button type="button" onClick={() => list.data?.nextCursor && pager.next(list.data.nextCursor)}>
              Older
            </button>
          )}
        </div>
      </section>
    </>
  );
};
