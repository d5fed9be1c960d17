import type { ConsentOverview } from '@lawful/contract';
import { useId, useMemo, useState } from 'react';
import { lawful } from '../api.ts';
import { Alert, TableWrap } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { DASH, type Series, WeeklyChart } from '../ui/weekly-chart.tsx';
import { countShare, shares } from './overview-rates.ts';

type Week = ConsentOverview['weeks'][number];

/**
 * How people decide, as shares of each week's decisions (a busy week and a quiet one compare fairly), for all purposes
 * or the one picked. The counts stay in the table.
 */
export const ConsentRates = ({ all, weeks: n }: { all: ConsentOverview; weeks: number }) => {
  const [purpose, setPurpose] = useState('');
  const pickId = useId();
  const one = useLoad(
    () => (purpose ? lawful.overview.consent({ weeks: n, purpose }) : Promise.resolve(all)),
    [purpose, all],
  );
  const data = purpose ? one.data : all;
  const rows = useMemo(() => (data?.weeks ?? []).map((w: Week) => ({ ...w, share: shares(w) })), [data]);
  const weeks = useMemo(() => rows.map((w) => w.week), [rows]);
  const series = useMemo<Series[]>(
    () => [
      { label: 'Granted', color: '#1a7f37', values: rows.map((w) => w.share?.grant ?? null) },
      { label: 'Refused', color: '#57606a', values: rows.map((w) => w.share?.refuse ?? null), dash: [...DASH.dashed] },
      {
        label: 'Withdrawn',
        color: '#b42318',
        values: rows.map((w) => w.share?.withdraw ?? null),
        dash: [...DASH.dotted],
      },
    ],
    [rows],
  );
  const what = purpose ? `purpose ${purpose}` : 'all purposes';
  return (
    <section aria-labelledby="weekly">
      <h2 id="weekly">Consent decisions per week</h2>
      <p className="filters">
        <label htmlFor={pickId}>Purpose </label>
        <select id={pickId} value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)}>
          <option value="">All purposes</option>
          {all.byPurpose.map((p) => (
            <option key={p.purpose} value={p.purpose}>
              {p.purpose}
            </option>
          ))}
        </select>
      </p>
      {one.error ? <Alert>{one.error}</Alert> : null}
      <WeeklyChart
        weeks={weeks}
        series={series}
        percent
        label={`Share of consent decisions granted, refused and withdrawn per week, ${what}, last ${weeks.length} weeks`}
      />
      <details>
        <summary>Show the numbers</summary>
        <TableWrap label="Decisions per week">
          <table>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Decisions</th>
                <th scope="col">Granted</th>
                <th scope="col">Refused</th>
                <th scope="col">Withdrawn</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.week}>
                  <th scope="row">{w.week}</th>
                  <td>{w.grant + w.refuse + w.withdraw}</td>
                  <td>{countShare(w.grant, w.share?.grant)}</td>
                  <td>{countShare(w.refuse, w.share?.refuse)}</td>
                  <td>{countShare(w.withdraw, w.share?.withdraw)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </section>
  );
};
