import type { RequestsOverview } from '@lawful/contract';
import { useMemo } from 'react';
import { TableWrap } from '../ui/bits.tsx';
import { DASH, type Series, WeeklyChart } from '../ui/weekly-chart.tsx';
import { dueText, stateLabel, typeLabel } from './requests-format.ts';

const BUCKET = { overdue: 'Overdue', this_week: 'Due this week', later: 'Due later' } as const;

/** Deadlines first: what is late (in red, with its link), what falls due this week, what comes later. */
export const Deadlines = ({ d }: { d: RequestsOverview }) => {
  const { open } = d;
  return (
    <section aria-labelledby="deadlines">
      <h2 id="deadlines">Open requests by deadline</h2>
      <ul className="cards" aria-label="Open requests by deadline">
        <li className={open.overdue ? 'overdue' : undefined}>
          <span className="num">{open.overdue}</span> overdue
        </li>
        <li>
          <span className="num">{open.thisWeek}</span> due this week
        </li>
        <li>
          <span className="num">{open.later}</span> due later
        </li>
      </ul>
      {open.soonest.length === 0 ? (
        <p className="muted">No open requests.</p>
      ) : (
        <TableWrap label="Nearest deadlines">
          <table>
            <caption className="sr-only">The open requests with the nearest deadlines, soonest first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">When</th>
                <th scope="col">Deadline</th>
              </tr>
            </thead>
            <tbody>
              {open.soonest.map((r) => (
                <tr key={r.id} className={r.due === 'overdue' ? 'late' : undefined}>
                  <th scope="row">
                    <a href={`#/requests/${r.id}`}>
                      <code>{r.id}</code>
                    </a>
                  </th>
                  <td>{r.types.map(typeLabel).join(', ')}</td>
                  <td>{stateLabel(r.state)}</td>
                  <td className={r.due === 'overdue' ? 'bad nowrap' : 'nowrap'}>{BUCKET[r.due]}</td>
                  <td className={r.due === 'overdue' ? 'bad' : undefined}>{dueText(r.dueAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <p>
        <a href="#/requests">All requests</a>
      </p>
    </section>
  );
};

/** Requests received and closed per week: is the team keeping up? */
export const RequestFlow = ({ d }: { d: RequestsOverview }) => {
  const weeks = useMemo(() => d.weeks.map((w) => w.week), [d]);
  const series = useMemo<Series[]>(
    () => [
      { label: 'Received', color: '#0b5cad', values: d.weeks.map((w) => w.received) },
      { label: 'Closed', color: '#1a7f37', values: d.weeks.map((w) => w.closed), dash: [...DASH.dashed] },
    ],
    [d],
  );
  return (
    <section aria-labelledby="flow">
      <h2 id="flow">Requests received and closed per week</h2>
      <WeeklyChart
        weeks={weeks}
        series={series}
        label={`Requests received and closed per week, last ${weeks.length} weeks`}
      />
      <details>
        <summary>Show the numbers</summary>
        <TableWrap label="Requests per week">
          <table>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Received</th>
                <th scope="col">Closed</th>
              </tr>
            </thead>
            <tbody>
              {d.weeks.map((w) => (
                <tr key={w.week}>
                  <th scope="row">{w.week}</th>
                  <td>{w.received}</td>
                  <td>{w.closed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </section>
  );
};
