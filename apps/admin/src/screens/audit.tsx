import { type FormEvent, useState } from 'react';
import { describeError, lawful } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';

type Verification = Awaited<ReturnType<typeof lawful.audit.verify>>;
const PAGE = 50;

export const Audit = () => {
  const [filter, setFilter] = useState<{ action?: string; subject?: string; before?: number }>({});
  const page = useLoad(() => lawful.audit.list({ ...filter, limit: PAGE }), [filter]);
  const [check, setCheck] = useState<Verification | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const action = String(f.get('action') ?? '').trim();
    const subject = String(f.get('subject') ?? '').trim();
    setFilter({ ...(action ? { action } : {}), ...(subject ? { subject } : {}) });
  };
  const verify = async () => {
    setChecking(true);
    setCheckError(null);
    try {
      setCheck(await lawful.audit.verify());
    } catch (e) {
      setCheckError(describeError(e));
    } finally {
      setChecking(false);
    }
  };
  const items = page.data?.items ?? [];
  const last = items.at(-1);

  return (
    <>
      <section aria-labelledby="chain" className="panel">
        <h2 id="chain">Integrity</h2>
        <p className="muted">
          Each entry commits to the one before it; signed checkpoints anchor the chain. Verifying reads it all.
        </p>
        <button type="button" onClick={verify} disabled={checking}>
          {checking ? 'Verifying…' : 'Verify the chain'}
        </button>
        <div aria-live="polite">
          {check &&
            (check.ok ? (
              <p className="ok">
                Intact: {check.entries} entries and {check.checkpoints} signed checkpoints verified.
              </p>
            ) : (
              <p className="bad">
                Broken at entry {check.firstBad?.seq}: {check.firstBad?.reason.replace('_', ' ')}.
              </p>
            ))}
        </div>
        {checkError && <Alert>{checkError}</Alert>}
      </section>
      <section aria-labelledby="entries">
        <h2 id="entries">Entries</h2>
        <form className="filters" onSubmit={apply}>
          <label>
            Action
            <input name="action" placeholder="session.sign_in" defaultValue={filter.action} />
          </label>
          <label>
            Subject id
            <input name="subject" placeholder="sub_…" defaultValue={filter.subject} />
          </label>
          <button type="submit">Filter</button>
        </form>
        {page.error && <Alert>{page.error}</Alert>}
        {!page.data ? (
          <Loading what="entries" />
        ) : items.length === 0 ? (
          <p className="muted">No entries match.</p>
        ) : (
          <TableWrap label="Audit entries">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td className="nowrap">{when(e.at)}</td>
                    <th scope="row">
                      <code>{e.action}</code>
                    </th>
                    <td>
                      <code>{e.actor}</code>
                    </td>
                    <td>
                      <code>{e.target ?? e.subjectId ?? '—'}</code>
                    </td>
                    <td>
                      <code className="wrap">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <div className="row">
          {filter.before !== undefined && (
            <button type="button" onClick={() => setFilter({ ...filter, before: undefined })}>
              Newest
            </button>
          )}
          {items.length === PAGE && last && (
            <button type="button" onClick={() => setFilter({ ...filter, before: last.seq })}>
              Older entries
            </button>
          )}
        </div>
      </section>
    </>
  );
};
