import { useState } from 'react';
import { lawful } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';

type BasisRecord = Awaited<ReturnType<typeof lawful.bases.history>>['items'][number];

/** Lawful basis per purpose: the one in force and every earlier one (the history never changes). */
export const BasesHistory = ({ subjectId }: { subjectId: string }) => {
  const bases = useLoad(async () => {
    const { items } = await lawful.purposes.list();
    const per = await Promise.all(
      items.map(async (p) => ({ purpose: p.key, history: (await lawful.bases.history(subjectId, p.key)).items })),
    );
    return per.filter((p) => p.history.length > 0);
  }, [subjectId]);
  return (
    <section aria-labelledby="bases">
      <h2 id="bases">Lawful basis per purpose</h2>
      {bases.error && <Alert>{bases.error}</Alert>}
      {!bases.data ? (
        <Loading what="lawful bases" />
      ) : bases.data.length === 0 ? (
        <p className="muted">No basis has been recorded for this person.</p>
      ) : (
        <TableWrap label="Bases in force and their history">
          <table>
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                <th scope="col">Basis in force</th>
                <th scope="col">Since (UTC)</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {bases.data.map(({ purpose, history }) => {
                const now = history.at(-1) as BasisRecord;
                return (
                  <tr key={purpose}>
                    <th scope="row">
                      <code>{purpose}</code>
                    </th>
                    <td>{now.basis.replaceAll('_', ' ')}</td>
                    <td className="nowrap">{when(now.setAt)}</td>
                    <td>
                      <ol className="compact">
                        {history.map((b) => (
                          <li key={b.id}>
                            {when(b.setAt)}: {b.basis.replaceAll('_', ' ')} (source {b.source}, purpose v
                            {b.purposeVersion})
                          </li>
                        ))}
                      </ol>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
};

/** Consent state per purpose and every decision, each with the exact notice text the person saw. */
export const ConsentHistory = ({ subjectId }: { subjectId: string }) => {
  const consents = useLoad(() => lawful.subjects.consents(subjectId), [subjectId]);
  const c = consents.data;
  return (
    <section aria-labelledby="consents">
      <h2 id="consents">Consent</h2>
      {consents.error && <Alert>{consents.error}</Alert>}
      {!c ? (
        <Loading what="consent history" />
      ) : c.records.length === 0 ? (
        <p className="muted">No consent decisions recorded.</p>
      ) : (
        <>
          <ul className="chips" aria-label="Consent now">
            {c.state
              .filter((s) => s.state !== 'none')
              .map((s) => (
                <li key={s.purpose} className={`chip ${s.state}`}>
                  <code>{s.purpose}</code> {s.state.replaceAll('_', ' ')}
                </li>
              ))}
          </ul>
          <h3>History, newest first</h3>
          <ol className="timeline">
            {[...c.records].reverse().map((r) => (
              <li key={r.id}>
                <p>
                  <strong>{when(r.recordedAt)} UTC</strong> — <code>{r.purpose}</code>{' '}
                  <span className={`chip ${r.decision}`}>{r.decision}</span> by {r.method.replaceAll('_', ' ')}
                  {r.status === 'pending_confirmation' ? ' (awaiting confirmation)' : ''}
                </p>
                <NoticeText versionId={r.noticeVersionId} locale={r.locale} hash={r.noticeHash} />
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
};

const sha256 = async (text: string) => {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
};

/**
 * The notice version a decision was made on, loaded when opened. The text is hashed again here and compared with
 * the hash stored with the consent: what is shown is provably what the person saw.
 */
const NoticeText = ({ versionId, locale, hash }: { versionId: string; locale: string; hash: string }) => {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Notice text seen (<code>{versionId}</code>, {locale})
      </summary>
      {open && <NoticeBody versionId={versionId} locale={locale} hash={hash} />}
    </details>
  );
};

const NoticeBody = ({ versionId, locale, hash }: { versionId: string; locale: string; hash: string }) => {
  const v = useLoad(async () => {
    const version = await lawful.noticeVersions.get(versionId);
    const text = version.rendered?.[locale];
    return { version, text, computed: text ? await sha256(text.html) : null };
  }, [versionId, locale]);
  if (v.error) return <Alert>{v.error}</Alert>;
  if (!v.data) return <Loading what="the notice" />;
  const { version, text, computed } = v.data;
  if (!text) return <p className="bad">This version has no published {locale} text.</p>;
  return (
    <div className="notice-text">
      <p>
        Notice <code>{version.noticeKey}</code> version {version.version}, published {when(version.publishedAt)} UTC.
        SHA-256 <code className="wrap">{hash}</code>{' '}
        {computed === hash ? (
          <span className="ok">matches the text below</span>
        ) : (
          <span className="bad">does not match the text below</span>
        )}
      </p>
      <iframe title={`Notice ${version.noticeKey} version ${version.version}`} sandbox="" srcDoc={text.html} />
    </div>
  );
};
