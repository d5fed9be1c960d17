import type { BannerOverview } from '@lawful/contract';
import { useMemo } from 'react';
import { TableWrap } from '../ui/bits.tsx';
import { DASH, type Series, WeeklyChart } from '../ui/weekly-chart.tsx';

/**
 * What visitors did with the cookie banner, per week. Closing it (× or Esc) rejects all optional cookies, so the chart
 * counts it with "reject all"; the table keeps the two apart, and shows the one-embed allowances too.
 */
export const BannerOutcomes = ({ d }: { d: BannerOverview }) => {
  const weeks = useMemo(() => d.weeks.map((w) => w.week), [d]);
  const series = useMemo<Series[]>(
    () => [
      { label: 'Accept all', color: '#0b5cad', values: d.weeks.map((w) => w.acceptAll) },
      {
        label: 'Reject all (or closed)',
        color: '#b42318',
        values: d.weeks.map((w) => w.rejectAll + w.close),
        dash: [...DASH.dashed],
      },
      { label: 'Own choices', color: '#9a6700', values: d.weeks.map((w) => w.custom), dash: [...DASH.dashDot] },
      { label: 'GPC signal', color: '#8a4baf', values: d.weeks.map((w) => w.gpc), dash: [...DASH.dotted] },
    ],
    [d],
  );
  const total = d.weeks.reduce((n, w) => n + w.acceptAll + w.rejectAll + w.close + w.custom + w.allowEmbed + w.gpc, 0);
  return (
    <section aria-labelledby="banner-outcomes">
      <h2 id="banner-outcomes">Cookie banner choices per week</h2>
      {total === 0 ? (
        <p className="muted">No banner choices in these weeks.</p>
      ) : (
        <WeeklyChart
          weeks={weeks}
          series={series}
          label={`Cookie banner choices per week by the button used, last ${weeks.length} weeks`}
        />
      )}
      <details>
        <summary>Show the numbers</summary>
        <TableWrap label="Banner choices per week">
          <table>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Accept all</th>
                <th scope="col">Reject all</th>
                <th scope="col">Closed</th>
                <th scope="col">Own choices</th>
                <th scope="col">One embed</th>
                <th scope="col">GPC</th>
              </tr>
            </thead>
            <tbody>
              {d.weeks.map((w) => (
                <tr key={w.week}>
                  <th scope="row">{w.week}</th>
                  <td>{w.acceptAll}</td>
                  <td>{w.rejectAll}</td>
                  <td>{w.close}</td>
                  <td>{w.custom}</td>
                  <td>{w.allowEmbed}</td>
                  <td>{w.gpc}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </section>
  );
};
