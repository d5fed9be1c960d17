import { useMemo } from 'react';
import { lawful } from '../api.ts';
import { Alert, Loading, TableWrap } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { type Series, WeeklyChart } from '../ui/weekly-chart.tsx';

const COLORS = { grant: '#1a7f37', refuse: '#57606a', withdraw: '#cf222e' };

export const Overview = () => {
  const o = useLoad(() => lawful.overview.consent({ weeks: 12 }), []);
  const series = useMemo<Series[]>(
    () =>
      o.data
        ? [
            { label: 'Granted', color: COLORS.grant, values: o.data.weeks.map((w) => w.grant) },
            { label: 'Refused', color: COLORS.refuse, values: o.data.weeks.map((w) => w.refuse) },
            { label: 'Withdrawn', color: COLORS.withdraw, values: o.data.weeks.map((w) => w.withdraw) },
          ]
        : [],
    [o.data],
  );
  const weeks = useMemo(() => o.data?.weeks.map((w) => w.week) ?? [], [o.data]);
  if (o.error) return <Alert>{o.error}</Alert>;
  if (!o.data) return <Loading what="the overview" />;
  const d = o.data;
  const sum = (k: 'granted' | 'refused' | 'withdrawn' | 'pending') => d.byPurpose.reduce((n, p) => n + p[k], 0);
  return (
    <>
      <ul className="cards" aria-label="Totals">
        <li>
          <span className="num">{d.purposes}</span> purposes
        </li>
        <li>
          <span className="num">{sum('granted')}</span> consents in force
        </li>
        <li>
          <span className="num">{sum('refused')}</span> refusals
        </li>
        <li>
          <span className="num">{sum('withdrawn')}</span> withdrawals
        </li>
      </ul>
      <section aria-labelledby="weekly">
        <h2 id="weekly">Consent decisions per week</h2>
        <WeeklyChart
          weeks={weeks}
          series={series}
          label="Consent granted, refused and withdrawn per week, last 12 weeks"
        />
        <details>
          <summary>Show the numbers</summary>
          <TableWrap label="Decisions per week">
            <table>
              <thead>
                <tr>
                  <th scope="col">Week of</th>
                  <th scope="col">Granted</th>
                  <th scope="col">Refused</th>
                  <th scope="col">Withdrawn</th>
                </tr>
              </thead>
              <tbody>
                {d.weeks.map((w) => (
                  <tr key={w.week}>
                    <th scope="row">{w.week}</th>
                    <td>{w.grant}</td>
                    <td>{w.refuse}</td>
                    <td>{w.withdraw}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </details>
      </section>
      <section aria-labelledby="per-purpose">
        <h2 id="per-purpose">Where consent stands, per purpose</h2>
        {d.byPurpose.length === 0 ? (
          <p className="muted">No consent recorded yet.</p>
        ) : (
          <TableWrap label="Consent per purpose">
            <table>
              <thead>
                <tr>
                  <th scope="col">Purpose</th>
                  <th scope="col">Granted</th>
                  <th scope="col">Refused</th>
                  <th scope="col">Withdrawn</th>
                  <th scope="col">Awaiting confirmation</th>
                </tr>
              </thead>
              <tbody>
                {d.byPurpose.map((p) => (
                  <tr key={p.purpose}>
                    <th scope="row">
                      <code>{p.purpose}</code>
                    </th>
                    <td>{p.granted}</td>
                    <td>{p.refused}</td>
                    <td>{p.withdrawn}</td>
                    <td>{p.pending}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
};
