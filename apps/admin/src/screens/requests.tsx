import { type FormEvent, useState } from 'react';
import { lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { usePager } from '../ui/pager.ts';
import { useRouteParam } from '../ui/router.ts';
import { useLoad } from '../ui/use-load.ts';
import { dueText, stateLabel, typeLabel } from './requests-format.ts';
import { RequestPage } from './requests-page.tsx';

const STATES = [
  'received',
  'identity_pending',
  'verified',
  'awaiting_approval',
  'in_progress',
  'completed',
  'partially_completed',
  'rejected',
  'cancelled',
] as const;
const TYPES = ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'] as const;
const PAGE = 25;

type Filter = {
  status?: (typeof STATES)[number];
  open?: 'true' | 'false';
  type?: (typeof TYPES)[number];
  overdue?: 'true';
  sort: 'due' | 'newest';
};

/** Requests: the queue, soonest deadline first; `#/requests/req_…` is one request's page. */
export const Requests = ({ session }: { session: Session }) => {
  const id = useRouteParam();
  return id ? <RequestPage id={id} key={id} session={session} /> : <Queue />;
};

const Queue = () => {
  const [filter, setFilter] = useState<Filter>({ open: 'true', sort: 'due' });
  const pager = usePager();
  const stats = useLoad(() => lawful.requests.stats(), []);
  const list = useLoad(
    () => lawful.requests.list({ ...filter, cursor: pager.cursor, limit: PAGE }),
    [filter, pager.cursor],
  );
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const status = String(f.get('status') ?? '');
    const type = String(f.get('type') ?? '');
    setFilter({
      sort: f.get('sort') === 'newest' ? 'newest' : 'due',
      ...(status === 'open' ? { open: 'true' } : status === 'closed' ? { open: 'false' } : {}),
      ...(STATES.includes(status as Filter['status'] & string) ? { status: status as Filter['status'] } : {}),
      ...(type ? { type: type as Filter['type'] } : {}),
      ...(f.get('overdue') === 'on' ? { overdue: 'true' } : {}),
    });
    pager.reset();
  };
  const s = stats.data;
  const items = list.data?.items ?? [];
  const statusValue = filter.status ?? (filter.open === 'true' ? 'open' : filter.open === 'false' ? 'closed' : '');
  return (
    <>
      {s && (
        <ul className="cards" aria-label="Request figures">
          <li>
            <span className="num">{s.open}</span> open
          </li>
          <li>
            <span className="num">{s.dueWithin7Days}</span> due within 7 days
          </li>
          <li className={s.overdue ? 'overdue' : undefined}>
            <span className="num">{s.overdue}</span> overdue
          </li>
          <li>
            <span className="num">{s.medianDaysToClose ?? '—'}</span> median days to close
          </li>
        </ul>
      )}
      <form className="filters" onSubmit={apply} aria-label="Filter requests">
        <label>
          Status
          <select name="status" defaultValue={statusValue}>
            <option value="">any</option>
            <option value="open">open (not closed)</option>
            <option value="closed">closed</option>
            {STATES.map((st) => (
              <option key={st} value={st}>
                {stateLabel(st)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select name="type" defaultValue={filter.type ?? ''}>
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select name="sort" defaultValue={filter.sort}>
            <option value="due">due date, soonest first</option>
            <option value="newest">received, newest first</option>
          </select>
        </label>
        <label className="check">
          <input name="overdue" type="checkbox" defaultChecked={filter.overdue === 'true'} /> Overdue only
        </label>
        <button type="submit">Filter</button>
      </form>
      {list.error && <Alert>{list.error}</Alert>}
      {!list.data ? (
        <Loading what="requests" />
      ) : items.length === 0 ? (
        <p className="muted">No requests match.</p>
      ) : (
        <TableWrap label="Requests">
          <table>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Received (UTC)</th>
                <th scope="col">Due (UTC)</th>
                <th scope="col">Assignee</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const late = !r.closedAt && Date.parse(r.dueAt) < Date.now();
                return (
                  <tr key={r.id} className={late ? 'late' : undefined}>
                    <th scope="row">
                      <a href={`#/requests/${r.id}`}>
                        <code>{r.id}</code>
                      </a>
                    </th>
                    <td>{r.types.map(typeLabel).join(' + ')}</td>
                    <td>{stateLabel(r.state)}</td>
                    <td className="nowrap">{when(r.receivedAt)}</td>
                    <td className="nowrap">
                      {when(r.dueAt)}
                      {!r.closedAt && <span className={late ? 'bad block' : 'muted block'}>{dueText(r.dueAt)}</span>}
                    </td>
                    <td>{r.assignee ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <div className="row">
        {pager.page > 1 && (
          <button type="button" onClick={pager.back}>
            Previous page
          </button>
        )}
        {list.data?.nextCursor && (
          <button type="button" onClick={() => list.data?.nextCursor && pager.next(list.data.nextCursor)}>
            Next page
          </button>
        )}
      </div>
    </>
  );
};
