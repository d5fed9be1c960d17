import { type FormEvent, useState } from 'react';
import { lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';
import { DataMapGraph } from './datamap-graph.tsx';
import { CheckFindings, Discovery } from './datamap-runs.tsx';
import './config.css';

type Stored = NonNullable<Awaited<ReturnType<typeof lawful.datamap.current>>>;
const OFFICERS = new Set(['admin', 'privacy_officer']);

/** Data map: where personal data lives in the platform's own databases, drawn; discovery and the live check. */
export const DataMapScreen = ({ session }: { session: Session }) => {
  const [tick, setTick] = useState(0);
  const current = useLoad(() => lawful.datamap.current(), [tick]);
  const officer = OFFICERS.has(session.user.role);
  const reload = () => setTick((t) => t + 1);
  return (
    <>
      <section aria-labelledby="map">
        <h2 id="map">The map</h2>
        {current.error && <Alert>{current.error}</Alert>}
        {current.loading && !current.data ? (
          <Loading what="the data map" />
        ) : !current.data ? (
          !current.error && (
            <p className="muted">
              No data map yet. {officer ? 'Run discovery on a connection below and store its proposal,' : 'An officer'}{' '}
              or upload one with <code>lawful datamap set</code>.
            </p>
          )
        ) : (
          <MapView stored={current.data} />
        )}
      </section>
      {officer && current.data && <CheckFindings />}
      {officer && <Connections admin={session.user.role === 'admin'} onStored={reload} />}
    </>
  );
};

const MapView = ({ stored }: { stored: Stored }) => (
  <>
    <p className="muted">
      Version {stored.version} (revision {stored.map.revision}), stored {when(stored.createdAt)} UTC by{' '}
      {stored.createdBy}.
    </p>
    {stored.map.systems.map((s) => (
      <div key={s.id} className="panel">
        <h3>
          System <code>{s.id}</code>{' '}
          <span className="muted">
            · {s.engine} · connection {s.connection}
          </span>
        </h3>
        <DataMapGraph system={s} />
        <details>
          <summary>The same as a table</summary>
          <TableWrap label={`Collections of ${s.id}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Collection</th>
                  <th scope="col">Table</th>
                  <th scope="col">Personal fields</th>
                  <th scope="col">References</th>
                </tr>
              </thead>
              <tbody>
                {s.collections.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th>
                    <td>
                      <code>{c.table}</code>
                    </td>
                    <td>
                      {c.fields
                        .map((f) => `${f.column} (${f.category}${f.identity ? `, ${f.identity.kind}` : ''})`)
                        .join(', ') || '—'}
                    </td>
                    <td>
                      {s.references
                        .filter((r) => r.from.collection === c.name)
                        .map((r) => `${r.from.column} → ${r.to.collection}.${r.to.column}`)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </details>
      </div>
    ))}
  </>
);

const Connections = ({ admin, onStored }: { admin: boolean; onStored: () => void }) => {
  const list = useLoad(() => lawful.datamap.connections(), []);
  const [error, setError] = useState<ShownError | null>(null);
  const add = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      await lawful.datamap.setConnection(String(f.get('name') ?? '').trim(), {
        engine: f.get('engine') === 'mysql' ? 'mysql' : 'postgres',
        url: String(f.get('url') ?? ''),
      });
      form.reset();
      list.reload();
    } catch (x) {
      setError(errorOf(x));
    }
  };
  return (
    <section aria-labelledby="connections">
      <h2 id="connections">Connections and discovery</h2>
      <p className="muted">
        Connection URLs are sealed when saved and never shown again. Discovery reads the schema and a few sample rows,
        and proposes a map for you to review; nothing is stored until you say so.
      </p>
      {list.error && <Alert>{list.error}</Alert>}
      {list.data && list.data.data.length === 0 && <p className="muted">No connection yet.</p>}
      {list.data?.data.map((c) => (
        <Discovery key={c.name} connection={c} onStored={onStored} />
      ))}
      {admin && (
        <form className="filters" onSubmit={add} aria-label="New connection">
          <label>
            Connection name
            <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}" placeholder="shop" />
          </label>
          <label>
            Engine
            <select name="engine" defaultValue="postgres">
              <option value="postgres">PostgreSQL</option>
              <option value="mysql">MySQL / MariaDB</option>
            </select>
          </label>
          <label>
            URL (read-only user)
            <input name="url" type="password" required autoComplete="off" placeholder="postgres://…" />
          </label>
          <button type="submit" className="primary">
            Save connection
          </button>
        </form>
      )}
      {error && <ErrorList error={error} />}
    </section>
  );
};
