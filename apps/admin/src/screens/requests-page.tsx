import { useEffect, useRef, useState } from 'react';
import { lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { Actions, Certificate, Results } from './requests-actions.tsx';
import { dueText, stateLabel, typeLabel } from './requests-format.ts';

export type Detail = Awaited<ReturnType<typeof lawful.requests.get>>;

const identityStatus = (r: Detail) => {
  const verified = r.timeline.find((e) => e.toState === 'verified' || e.details.event === 'verify_identity');
  const method =
    typeof verified?.details.method === 'string' ? ` (${verified.details.method.replaceAll('_', ' ')})` : '';
  if (r.verifiedAt) return `Verified ${when(r.verifiedAt)} UTC${method}`;
  if (r.state === 'identity_pending')
    return `Waiting for the person to confirm by e-mail${r.clockPausedAt ? '; the clock is paused (UK)' : ''}`;
  return 'Not verified';
};

const detailsText = (d: Record<string, unknown>) =>
  Object.entries(d)
    .filter(([k, v]) => k !== 'event' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k.replaceAll('_', ' ')}: ${typeof v === 'string' ? v.replaceAll('_', ' ') : JSON.stringify(v)}`)
    .join('; ');

/** One request: what it asks, where it stands, what happened, the work per system and recipient, and what to do. */
export const RequestPage = ({ id, session }: { id: string; session: Session }) => {
  const detail = useLoad(() => lawful.requests.get(id), [id]);
  const [done, setDone] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const r = detail.data;
  const late = r && !r.closedAt && Date.parse(r.dueAt) < Date.now();
  return (
    <>
      <p>
        <a href="#/requests">← All requests</a>
      </p>
      <h2 ref={heading} tabIndex={-1} className="page-title">
        {r ? r.types.map(typeLabel).join(' + ') : 'Request'} <code>{id}</code>
      </h2>
      {detail.error && <Alert>{detail.error}</Alert>}
      {!r ? (
        !detail.error && <Loading what="the request" />
      ) : (
        <>
          <dl className="facts stack-narrow">
            <dt>Status</dt>
            <dd>
              <strong>{stateLabel(r.state)}</strong>
              {r.closedAt ? `, closed ${when(r.closedAt)} UTC` : ''}
            </dd>
            <dt>Due</dt>
            <dd className={late ? 'bad' : undefined}>
              {when(r.dueAt)} UTC{!r.closedAt && ` — ${dueText(r.dueAt)}`}
              {r.originalDueAt !== r.dueAt && ` (originally ${when(r.originalDueAt)} UTC)`}
            </dd>
            <dt>Received</dt>
            <dd>
              {when(r.receivedAt)} UTC by {r.channel.replaceAll('_', ' ')}, {r.jurisdiction.toUpperCase()} rules
            </dd>
            <dt>Identity</dt>
            <dd>{identityStatus(r)}</dd>
            <dt>Person</dt>
            <dd>{r.subjectId ? <a href={`#/people/${r.subjectId}`}>{r.subjectId}</a> : 'not yet known'}</dd>
            {r.extension && (
              <>
                <dt>Extended</dt>
                <dd>
                  by {r.extension.period} on {when(r.extension.decidedAt)} UTC: {r.extension.reason}
                </dd>
              </>
            )}
            {r.refusal && (
              <>
                <dt>Refused</dt>
                <dd>
                  {r.refusal.grounds.map((g) => g.replaceAll('_', ' ')).join(', ')}: {r.refusal.explanation}
                </dd>
              </>
            )}
            {r.duplicateOf && (
              <>
                <dt>Repeats</dt>
                <dd>
                  <a href={`#/requests/${r.duplicateOf}`}>{r.duplicateOf}</a>
                </dd>
              </>
            )}
          </dl>
          <div aria-live="polite">{done && <p className="ok">{done}</p>}</div>
          <Actions
            request={r}
            role={session.user.role}
            onChanged={(what) => {
              setDone(what);
              detail.reload();
            }}
          />
          <section aria-labelledby="tasks">
            <h2 id="tasks">Work per system and recipient</h2>
            {r.tasks.length === 0 ? (
              <p className="muted">No tasks yet: they are created when the work starts.</p>
            ) : (
              <TableWrap label="Tasks">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Where</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Status</th>
                      <th scope="col">Records</th>
                      <th scope="col">Done (UTC)</th>
                      <th scope="col">Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.tasks.map((t) => (
                      <tr key={t.id}>
                        <th scope="row">{t.name}</th>
                        <td>{t.kind}</td>
                        <td className={t.state === 'failed' ? 'bad' : t.state === 'done' ? 'ok' : undefined}>
                          {stateLabel(t.state)}
                          {t.attempts > 1 ? ` (${t.attempts} attempts)` : ''}
                        </td>
                        <td>{t.recordsAffected ?? '—'}</td>
                        <td className="nowrap">{when(t.completedAt)}</td>
                        <td>
                          {t.note ?? ''}
                          {t.checklist && (
                            <ul className="compact">
                              {t.checklist.map((c) => (
                                <li key={c.item}>
                                  {c.done ? '☑' : '☐'} {c.item}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </section>
          <Results request={r} role={session.user.role} />
          <section aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <ol className="timeline">
              {r.timeline.map((e) => (
                <li key={e.seq}>
                  <strong>{when(e.at)} UTC</strong> —{' '}
                  {e.kind === 'transition'
                    ? `${stateLabel(String(e.details.event ?? 'moved'))}: ${stateLabel(e.fromState ?? '')} → ${stateLabel(e.toState ?? '')}`
                    : stateLabel(e.kind)}{' '}
                  <span className="muted">by {e.actor}</span>
                  {detailsText(e.details) && <span className="block muted wrap">{detailsText(e.details)}</span>}
                </li>
              ))}
            </ol>
          </section>
          {r.closedAt && <Certificate request={r} />}
        </>
      )}
    </>
  );
};
