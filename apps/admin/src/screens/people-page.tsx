import { type FormEvent, useEffect, useRef, useState } from 'react';
import { describeError, lawful } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { kindLabel } from './people.tsx';
import { BasesHistory, ConsentHistory } from './people-history.tsx';
import { dueText, stateLabel, typeLabel } from './requests-format.ts';

type Profile = Awaited<ReturnType<typeof lawful.subjects.profile>>;
type Revealed = Awaited<ReturnType<typeof lawful.subjects.reveal>>;

/** One person: what the console may show by default, and their identifiers only for a stated reason. */
export const PersonPage = ({ id, canReveal }: { id: string; canReveal: boolean }) => {
  const profile = useLoad(() => lawful.subjects.profile(id), [id]);
  const heading = useRef<HTMLHeadingElement>(null);
  // A new page for screen-reader users: move focus to its heading.
  useEffect(() => heading.current?.focus(), []);
  const p = profile.data;
  return (
    <>
      <p>
        <a href="#/people">← All people</a>
      </p>
      <h2 ref={heading} tabIndex={-1} className="page-title">
        Person <code>{id}</code>
      </h2>
      {profile.error && <Alert>{profile.error}</Alert>}
      {!p ? (
        !profile.error && <Loading what="the person" />
      ) : (
        <>
          <dl className="facts stack-narrow">
            <dt>Known since</dt>
            <dd>{when(p.createdAt)} UTC</dd>
            <dt>Status</dt>
            <dd>{p.erasedAt ? `Erased ${when(p.erasedAt)} UTC (identifiers crypto-shredded)` : 'Active'}</dd>
            <dt>Direct marketing</dt>
            <dd className={p.suppression.directMarketing ? 'bad' : undefined}>
              {p.suppression.directMarketing
                ? `Suppressed since ${when(p.suppression.since)} UTC: never contact for marketing (Art. 21(3))`
                : 'Not suppressed'}
            </dd>
          </dl>
          <Identities profile={p} canReveal={canReveal} />
          <Objections profile={p} />
          <BasesHistory subjectId={id} />
          <ConsentHistory subjectId={id} />
          <PersonRequests subjectId={id} />
        </>
      )}
    </>
  );
};

const Identities = ({ profile, canReveal }: { profile: Profile; canReveal: boolean }) => {
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<{ subject: Revealed; reason: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reason = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (asking) reason.current?.focus();
  }, [asking]);
  const reveal = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const why = String(new FormData(e.currentTarget).get('reason') ?? '');
    setError(null);
    try {
      setRevealed({ subject: await lawful.subjects.reveal(profile.id, why), reason: why });
      setAsking(false);
    } catch (x) {
      setError(describeError(x));
    }
  };
  const full = new Map(revealed?.subject.identities.map((i) => [i.id, i.value]) ?? []);
  return (
    <section aria-labelledby="identities">
      <h2 id="identities">Identities</h2>
      {profile.identities.length === 0 ? (
        <p className="muted">No identifiers are held.</p>
      ) : (
        <TableWrap label="Identifiers">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">{revealed ? 'Value' : 'Value (masked)'}</th>
                <th scope="col">Marketing suppression</th>
              </tr>
            </thead>
            <tbody>
              {profile.identities.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{kindLabel(i.kind)}</th>
                  <td>
                    <code className="wrap">{(revealed ? full.get(i.id) : i.masked) ?? 'shredded'}</code>
                  </td>
                  <td>{i.suppressed ? 'suppressed' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <div aria-live="polite">
        {revealed && (
          <p className="notice panel">
            Shown for: “{revealed.reason}”. The reveal and this reason are in the audit log.{' '}
            <button type="button" className="link" onClick={() => setRevealed(null)}>
              Mask again
            </button>
          </p>
        )}
      </div>
      {canReveal &&
        !revealed &&
        profile.identities.length > 0 &&
        !profile.erasedAt &&
        (!asking ? (
          <button type="button" onClick={() => setAsking(true)}>
            Reveal identifiers
          </button>
        ) : (
          <form className="filters panel" onSubmit={reveal} aria-label="Reveal identifiers">
            <label className="grow">
              Why do you need to see them?
              <input
                ref={reason}
                name="reason"
                required
                minLength={10}
                maxLength={500}
                placeholder="Request req_… : confirming the address with the person"
              />
            </label>
            <button type="submit" className="primary">
              Reveal
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </form>
        ))}
      {error && <Alert>{error}</Alert>}
    </section>
  );
};

const Objections = ({ profile }: { profile: Profile }) => {
  if (profile.objections.length === 0 && profile.restrictions.length === 0) return null;
  return (
    <section aria-labelledby="objections">
      <h2 id="objections">Objections and restrictions</h2>
      <ul>
        {profile.objections.map((o) => (
          <li key={o.id}>
            Objection to <code>{o.purpose}</code> ({o.kind.replaceAll('_', ' ')}): <strong>{o.status}</strong>, since{' '}
            {when(o.createdAt)} UTC
          </li>
        ))}
        {profile.restrictions.map((r) => (
          <li key={r.id}>
            Restriction{r.purpose ? ` of ${r.purpose}` : ''} ({r.ground.replaceAll('_', ' ')}) since {when(r.createdAt)}{' '}
            UTC{r.liftedAt ? `, lifted ${when(r.liftedAt)} UTC` : ', in force'}
          </li>
        ))}
      </ul>
    </section>
  );
};

const PersonRequests = ({ subjectId }: { subjectId: string }) => {
  const list = useLoad(() => lawful.requests.list({ subjectId, limit: 50 }), [subjectId]);
  return (
    <section aria-labelledby="person-requests">
      <h2 id="person-requests">Requests</h2>
      {list.error && <Alert>{list.error}</Alert>}
      {!list.data ? (
        <Loading what="requests" />
      ) : list.data.items.length === 0 ? (
        <p className="muted">No requests from this person.</p>
      ) : (
        <ul>
          {list.data.items.map((r) => (
            <li key={r.id}>
              <a href={`#/requests/${r.id}`}>{r.types.map(typeLabel).join(' + ')}</a> — {stateLabel(r.state)}, received{' '}
              {when(r.receivedAt)} UTC{r.closedAt ? '' : `, ${dueText(r.dueAt)}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
};
