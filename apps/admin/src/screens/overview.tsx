import { lawful } from '../api.ts';
import { Alert, Loading, TableWrap } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';
import { BannerOutcomes } from './overview-banner.tsx';
import { ConsentRates } from './overview-consent.tsx';
import { Deadlines, RequestFlow } from './overview-requests.tsx';

const WEEKS = 12;

/** The first screen: deadlines first (they are what can go wrong today), then the weekly trends. Counts only. */
export const Overview = () => {
  const o = useLoad(
    () =>
      Promise.all([
        lawful.overview.consent({ weeks: WEEKS }),
        lawful.overview.requests({ weeks: WEEKS }),
        lawful.overview.banner({ weeks: WEEKS }),
      ]),
    [],
  );
  if (o.error) return <Alert>{o.error}</Alert>;
  if (!o.data) return <Loading what="the overview" />;
  const [d, requests, banner] = o.data;
  const sum = (k: 'granted' | 'refused' | 'withdrawn' | 'pending') => d.byPurpose.reduce((n, p) => n + p[k], 0);
  return (
    <>
      <Deadlines d={requests} />
      <RequestFlow d={requests} />
      <h2>Consent</h2>
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
      <ConsentRates all={d} weeks={WEEKS} />
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
      <BannerOutcomes d={banner} />
      <p className="muted">
        Weeks start on Monday in the organisation’s time zone ({d.timeZone}); the current week is the last one.
      </p>
    </>
  );
};
