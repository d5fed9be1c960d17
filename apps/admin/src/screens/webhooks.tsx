import { type FormEvent, useState } from 'react';
import { lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';
import { Deliveries } from './webhooks-deliveries.tsx';
import './config.css';
import { EVENTS } from './webhook-events.ts';

type Webhook = Awaited<ReturnType<typeof lawful.webhooks.list>>['items'][number];

/** Webhooks: the endpoints that learn about withdrawals, erasures and requests, and what was delivered to them. */
export const Webhooks = ({ session }: { session: Session }) => {
  const role = session.user.role;
  if (role !== 'admin' && role !== 'privacy_officer') {
    return <p>Webhooks are managed by admins and privacy officers of {session.tenant.name}.</p>;
  }
  return <Endpoints admin={role === 'admin'} />;
};

const Endpoints = ({ admin }: { admin: boolean }) => {
  const list = useLoad(() => lawful.webhooks.list(), []);
  const [open, setOpen] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string; rotated: boolean } | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (x) {
      setError(errorOf(x));
    }
  };
  const rotate = (w: Webhook) => {
    if (!window.confirm(`Replace the signing secret of ${w.url}? The old one stops working at once.`)) return;
    return act(async () => {
      const r = await lawful.webhooks.rotateSecret(w.id);
      setSecret({ url: r.url, secret: r.secret, rotated: true });
    });
  };
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await act(async () => {
      const r = await lawful.webhooks.create({
        url: String(f.get('url') ?? ''),
        description: String(f.get('description') ?? ''),
        eventTypes: f.getAll('events').map(String) as (typeof EVENTS)[number][],
      });
      setSecret({ url: r.url, secret: r.secret, rotated: false });
      form.reset();
    });
  };
  return (
    <>
      <section aria-labelledby="endpoints">
        <h2 id="endpoints">Endpoints</h2>
        {secret && (
          <div className="panel notice" role="status">
            <p>
              {secret.rotated ? 'New signing secret' : 'Signing secret'} for <strong>{secret.url}</strong>. Copy it now:
              it is not shown again.
            </p>
            <code className="secret">{secret.secret}</code>
          </div>
        )}
        {error && <ErrorList error={error} />}
        {list.error && <Alert>{list.error}</Alert>}
        {!list.data ? (
          <Loading what="endpoints" />
        ) : list.data.items.length === 0 ? (
          <p className="muted">No endpoint yet.</p>
        ) : (
          <TableWrap label="Webhook endpoints">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Secret rotated (UTC)</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" className="wrap">
                      {w.url}
                      {w.description && <span className="block muted small">{w.description}</span>}
                    </th>
                    <td>{w.eventTypes.length === 0 ? 'all' : w.eventTypes.join(', ')}</td>
                    <td>{w.enabled ? 'enabled' : <span className="bad">disabled</span>}</td>
                    <td className="nowrap">{when(w.secretRotatedAt)}</td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          aria-expanded={open === w.id}
                          onClick={() => setOpen(open === w.id ? null : w.id)}
                        >
                          Deliveries<span className="sr-only"> to {w.url}</span>
                        </button>
                        {admin && (
                          <>
                            <button
                              type="button"
                              className={w.enabled ? 'danger' : ''}
                              onClick={() => act(() => lawful.webhooks.update(w.id, { enabled: !w.enabled }))}
                            >
                              {w.enabled ? 'Disable' : 'Enable'}
                              <span className="sr-only"> {w.url}</span>
                            </button>
                            <button type="button" onClick={() => rotate(w)}>
                              Rotate secret<span className="sr-only"> of {w.url}</span>
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      {open && <Deliveries key={open} webhookId={open} />}
      {admin && (
        <section aria-labelledby="new-endpoint" className="panel">
          <h2 id="new-endpoint">New endpoint</h2>
          <form className="stack" onSubmit={create} aria-label="New endpoint">
            <div className="filters">
              <label>
                Endpoint URL (https)
                <input name="url" type="url" required placeholder="https://crm.example.com/hooks/lawful" />
              </label>
              <label>
                Description
                <input name="description" maxLength={500} />
              </label>
            </div>
            <fieldset className="choices events">
              <legend>Events (none ticked: every event)</legend>
              {EVENTS.map((e) => (
                <label key={e} className="check">
                  <input type="checkbox" name="events" value={e} /> {e}
                </label>
              ))}
            </fieldset>
            <div>
              <button type="submit" className="primary">
                Create endpoint
              </button>
            </div>
          </form>
        </section>
      )}
    </>
  );
};
