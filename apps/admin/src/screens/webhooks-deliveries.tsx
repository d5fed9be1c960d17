import { useState } from 'react';
import { lawful } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';

type Status = 'pending' | 'succeeded' | 'failed' | 'cancelled';
type Delivery = Awaited<ReturnType<typeof lawful.webhooks.deliveries>>['items'][number];

const lastTry = (d: Delivery) => {
  const a = d.attemptLog.at(-1);
  if (!a) return '—';
  const what = a.statusCode ? `HTTP ${a.statusCode}` : (a.errorClass ?? '').replace('_', ' ');
  return `${a.outcome === 'success' ? 'delivered' : 'failed'} (${what}, ${a.durationMs} ms${a.trigger === 'replay' ? ', replay' : ''})`;
};

/** An endpoint's delivery log, newest first; a finished delivery can be sent again (same webhook-id). */
export const Deliveries = ({ webhookId }: { webhookId: string }) => {
  const [status, setStatus] = useState<Status | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () =>
      lawful.webhooks.deliveries(webhookId, {
        limit: 20,
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    [webhookId, status, cursor],
  );
  const [error, setError] = useState<ShownError | null>(null);
  const [note, setNote] = useState('');
  const replay = async (d: Delivery) => {
    setError(null);
    try {
      await lawful.webhooks.replay(d.id);
      setNote(`Delivery ${d.id} queued again.`);
      page.reload();
    } catch (x) {
      setError(errorOf(x));
    }
  };
  return (
    <section aria-labelledby="deliveries" className="panel">
      <h2 id="deliveries">Deliveries</h2>
      <div className="filters">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setCursors([]);
              setStatus(e.currentTarget.value as Status | '');
            }}
          >
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
            <option value="cancelled">cancelled</option>
          </select>
        </label>
        <button type="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      {error && <ErrorList error={error} />}
      <p className="muted" aria-live="polite">
        {note}
      </p>
      {page.error && <Alert>{page.error}</Alert>}
      {!page.data ? (
        <Loading what="deliveries" />
      ) : page.data.items.length === 0 ? (
        <p className="muted">No deliveries{status ? ` with status ${status}` : ''}.</p>
      ) : (
        <TableWrap label="Delivery log">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Last attempt</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    {d.eventType}
                    <span className="block muted small">
                      <code>{d.id}</code>
                    </span>
                  </th>
                  <td>
                    <span className={`status ${d.status}`}>{d.status}</span>
                    {d.nextAttemptAt && d.status === 'pending' && (
                      <span className="block muted small">next {when(d.nextAttemptAt)}</span>
                    )}
                  </td>
                  <td>{d.attempts}</td>
                  <td className="nowrap">{when(d.createdAt)}</td>
                  <td>{lastTry(d)}</td>
                  <td>
                    {d.status !== 'pending' && (
                      <button type="button" onClick={() => replay(d)}>
                        {d.status === 'failed' ? 'Retry' : 'Replay'}
                        <span className="sr-only"> {d.id}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <div className="row">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
        )}
        {page.data?.nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>
            Older
          </button>
        )}
      </div>
    </section>
  );
};
