import { useState } from 'react';
import { lawful } from '../api.ts';
import { TableWrap, when } from '../ui/bits.tsx';
import { ErrorList, errorOf, type ShownError } from './config-errors.tsx';
import { DataMapGraph } from './datamap-graph.tsx';

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

type Check = Awaited<ReturnType<typeof lawful.datamap.check>>;
type Found = Awaited<ReturnType<typeof lawful.datamap.discover>>;
type Connection = Awaited<ReturnType<typeof lawful.datamap.connections>>['data'][number];

/** Checks the stored map against the live databases: missing tables or columns, changed types, unmapped personal data. */
export const CheckFindings = () => {
  const [result, setResult] = useState<Check | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await lawful.datamap.check());
    } catch (x) {
      setError(errorOf(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="check" className="panel">
      <h2 id="check">Check against the live systems</h2>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? 'Checking…' : 'Run the check'}
      </button>
      {error && <ErrorList error={error} />}
      <div aria-live="polite">
        {result && (
          <p className={result.ok ? 'ok' : 'bad'}>
            {result.ok ? 'The map matches' : 'The map does not match'} the live systems (version {result.version}):{' '}
            {count(result.issues.filter((i) => i.severity === 'error').length, 'error')},{' '}
            {count(result.issues.filter((i) => i.severity === 'warning').length, 'warning')}.
          </p>
        )}
      </div>
      {result && (
        <>
          <ul className="plain">
            {result.systems.map((s) => (
              <li key={s.system}>
                <code>{s.system}</code>: {s.status}
                {s.error ? ` — ${s.error}` : ''}
              </li>
            ))}
          </ul>
          {result.issues.length > 0 && (
            <TableWrap label="Findings">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Severity</th>
                    <th scope="col">Where</th>
                    <th scope="col">Finding</th>
                  </tr>
                </thead>
                <tbody>
                  {result.issues.map((i) => (
                    <tr key={`${i.system}:${i.path}:${i.message}`}>
                      <td className={i.severity === 'error' ? 'bad' : ''}>{i.severity}</td>
                      <td>
                        <code>
                          {i.system}:{i.path}
                        </code>
                      </td>
                      <td>
                        {i.message}
                        {i.hint && <span className="block muted">{i.hint}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </section>
  );
};

/** Discovery on one connection, its findings, and storing the proposal as the next map version. */
export const Discovery = ({ connection, onStored }: { connection: Connection; onStored: () => void }) => {
  const [found, setFound] = useState<Found | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const run = async () => {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      setFound(await lawful.datamap.discover({ connection: connection.name }));
    } catch (x) {
      setError(errorOf(x));
    } finally {
      setBusy(false);
    }
  };
  const store = async () => {
    if (!found?.map) return;
    setError(null);
    try {
      // Other systems in the current map stay; a system of the same id is replaced by the proposal.
      const current = await lawful.datamap.current();
      const proposed = found.map.systems;
      const s = await lawful.datamap.put({
        ...found.map,
        revision: (current?.map.revision ?? 0) + 1,
        systems: [...(current?.map.systems ?? []).filter((x) => !proposed.some((y) => y.id === x.id)), ...proposed],
      });
      setStatus(`Stored as version ${s.version}.`);
      onStored();
    } catch (x) {
      setError(errorOf(x));
    }
  };
  const system = found?.map?.systems[0];
  return (
    <div className="panel">
      <h3>
        <code>{connection.name}</code>{' '}
        <span className="muted">
          · {connection.engine} · saved {when(connection.updatedAt)} UTC
        </span>
      </h3>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? 'Discovering…' : 'Run discovery'}
        <span className="sr-only"> on {connection.name}</span>
      </button>
      {error && <ErrorList error={error} />}
      {found && (
        <>
          <p aria-live="polite">
            {found.stats.tables} tables and {found.stats.columns} columns read, {found.stats.sampledTables} sampled in{' '}
            {found.stats.durationMs} ms: {found.detections.length} personal-looking columns in{' '}
            {system?.collections.length ?? 0} proposed collections.
          </p>
          {system && <DataMapGraph system={system} />}
          <TableWrap label={`Detected on ${connection.name}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Looks like</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {found.detections.map((d) => (
                  <tr key={`${d.table}.${d.column}`}>
                    <th scope="row">
                      <code>
                        {d.table}.{d.column}
                      </code>
                    </th>
                    <td>
                      {d.category}
                      {d.identity ? ` (identifies by ${d.identity})` : ''}
                    </td>
                    <td>{d.confidence}</td>
                    <td>{d.reasons.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {found.notFollowed.length > 0 && (
            <>
              <h4>Foreign keys left for you to decide</h4>
              <ul>
                {found.notFollowed.map((n) => (
                  <li key={`${n.table}.${n.columns.join(',')}`}>
                    <code>
                      {n.table}.{n.columns.join(',')} → {n.refTable}
                    </code>
                    : {n.why}
                  </li>
                ))}
              </ul>
            </>
          )}
          {found.issues.length > 0 && (
            <ErrorList
              error={{
                text: 'The proposal is not a valid map yet.',
                issues: found.issues.map((m) => ({ field: '', message: m })),
              }}
            />
          )}
          <details>
            <summary>Full report</summary>
            <pre className="report">{found.report}</pre>
          </details>
          {found.map && (
            <div className="row">
              <button type="button" className="primary" onClick={store}>
                Store this proposal as the data map
              </button>
            </div>
          )}
          <p className="ok" aria-live="polite">
            {status}
          </p>
        </>
      )}
    </div>
  );
};
