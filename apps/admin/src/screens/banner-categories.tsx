import { type FormEvent, useState } from 'react';
import type { Definition } from './banner-editor.tsx';
import type { Purpose } from './notices.tsx';

type Category = Definition['categories'][number];
type Service = Category['services'][number];
const STANDARD = ['necessary', 'preferences', 'analytics', 'marketing'];
const DAY = 86_400;

const duration = (s: number) => (s === 0 ? 'session' : s % DAY === 0 ? `${s / DAY} days` : `${s} s`);
const en = (t: Record<string, string> | undefined) => t?.en ?? (t ? Object.values(t)[0] : undefined) ?? '';

/** Categories with their services and cookies: what the banner lists, asks about and deletes on withdrawal. */
export const Categories = (p: {
  categories: Category[];
  /** Categories a Global Privacy Control signal denies (sale, sharing, targeted ads; check 29). */
  gpc: string[];
  purposes: Purpose[];
  onChange: (c: Category[], gpc: string[]) => void;
}) => {
  const [newKey, setNewKey] = useState('');
  // Only purposes that may rest on consent can record a banner choice.
  const consentPurposes = p.purposes.filter((x) => x.allowedBases.includes('consent'));
  const put = (i: number, c: Category) =>
    p.onChange(
      p.categories.map((x, j) => (j === i ? c : x)),
      p.gpc,
    );
  const add = () => {
    const key = newKey.trim();
    if (!key || p.categories.some((c) => c.key === key)) return;
    // Marketing is what GPC opts out of by default; other categories are left for the officer to tick.
    p.onChange(
      [...p.categories, { key, purposeKey: consentPurposes[0]?.key, services: [] }],
      key === 'marketing' ? [...p.gpc, key] : p.gpc,
    );
    setNewKey('');
  };
  const missing = STANDARD.filter((k) => !p.categories.some((c) => c.key === k));
  return (
    <div className="stack">
      {p.categories.map((c, i) => (
        <fieldset key={c.key} className="category">
          <legend>
            <code>{c.key}</code> {c.key === 'necessary' ? '— strictly necessary, never asked' : '— asked for consent'}
          </legend>
          <div className="filters">
            {c.key !== 'necessary' && (
              <label>
                Recorded under purpose
                <select
                  value={c.purposeKey ?? ''}
                  onChange={(e) => put(i, { ...c, purposeKey: e.currentTarget.value || undefined })}
                >
                  <option value="">—</option>
                  {consentPurposes.map((x) => (
                    <option key={x.key} value={x.key}>
                      {x.key}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              Label (en)
              <input
                value={en(c.label)}
                onChange={(e) =>
                  put(i, { ...c, label: e.currentTarget.value ? { ...c.label, en: e.currentTarget.value } : undefined })
                }
              />
            </label>
            {c.key !== 'necessary' && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={p.gpc.includes(c.key)}
                  onChange={(e) =>
                    p.onChange(
                      p.categories,
                      e.currentTarget.checked ? [...p.gpc, c.key] : p.gpc.filter((k) => k !== c.key),
                    )
                  }
                />{' '}
                Denied by a Global Privacy Control signal
              </label>
            )}
            {c.key !== 'necessary' && (
              <button
                type="button"
                className="danger"
                onClick={() =>
                  p.onChange(
                    p.categories.filter((_, j) => j !== i),
                    p.gpc.filter((k) => k !== c.key),
                  )
                }
              >
                Remove category<span className="sr-only"> {c.key}</span>
              </button>
            )}
          </div>
          <Services category={c.key} services={c.services ?? []} onChange={(services) => put(i, { ...c, services })} />
        </fieldset>
      ))}
      <div className="filters">
        <label>
          New category
          <input
            list="standard-categories"
            value={newKey}
            onChange={(e) => setNewKey(e.currentTarget.value)}
            placeholder={missing[0] ?? 'social'}
          />
          <datalist id="standard-categories">
            {missing.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </label>
        <button type="button" onClick={add}>
          Add category
        </button>
      </div>
    </div>
  );
};

const Services = (p: { category: string; services: Service[]; onChange: (s: Service[]) => void }) => {
  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const vendor = String(f.get('vendor') ?? '').trim();
    const cookie = String(f.get('cookie') ?? '').trim();
    const days = Number(f.get('days') ?? 0);
    const service: Service = {
      id: String(f.get('id') ?? '').trim(),
      name: String(f.get('name') ?? '').trim(),
      vendor,
      cookies: cookie
        ? [
            {
              name: cookie,
              pattern: false,
              durationSeconds: Math.round(days * DAY),
              thirdParty: f.get('third') === 'on',
              purpose: { en: String(f.get('purpose') ?? '').trim() || String(f.get('name') ?? '') },
              vendor,
            },
          ]
        : [],
    };
    p.onChange([...p.services, service]);
    e.currentTarget.reset();
  };
  return (
    <>
      {p.services.length > 0 && (
        <ul className="services">
          {p.services.map((s, i) => (
            <li key={s.id}>
              <strong>{s.name}</strong> <span className="muted">by {s.vendor}</span>{' '}
              <button type="button" className="link" onClick={() => p.onChange(p.services.filter((_, j) => j !== i))}>
                Remove<span className="sr-only"> {s.name}</span>
              </button>
              <ul>
                {(s.cookies ?? []).map((k) => (
                  <li key={k.name}>
                    <code>{k.name}</code> · {duration(k.durationSeconds)} ·{' '}
                    {k.thirdParty ? 'third party' : 'first party'} · {en(k.purpose)}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <form className="filters" onSubmit={add} aria-label={`New service in ${p.category}`}>
        <label>
          Service id
          <input name="id" required pattern="[a-z0-9][a-z0-9_.\-]{0,63}" size={10} placeholder="matomo" />
        </label>
        <label>
          Service name
          <input name="name" required size={12} />
        </label>
        <label>
          Vendor
          <input name="vendor" required size={12} />
        </label>
        <label>
          Cookie name
          <input name="cookie" size={10} />
        </label>
        <label>
          Lifetime (days, 0 = session)
          <input name="days" type="number" min={0} step="any" defaultValue={0} size={6} />
        </label>
        <label>
          What it is for
          <input name="purpose" size={14} />
        </label>
        <label className="check">
          <input name="third" type="checkbox" /> Third-party
        </label>
        <button type="submit">
          Add service<span className="sr-only"> to {p.category}</span>
        </button>
      </form>
    </>
  );
};
