const TYPES: Record<string, string> = {
  access: 'Access',
  portability: 'Portability',
  erasure: 'Erasure',
  rectification: 'Rectification',
  restriction: 'Restriction',
  objection: 'Objection',
};
export const typeLabel = (t: string) => TYPES[t] ?? t;
export const stateLabel = (s: string) => s.replaceAll('_', ' ');

const DAY = 86_400_000;

/** How far off the deadline is, in whole days, as people say it. */
export const dueIn = (dueAt: string, now = Date.now()) => Math.floor((Date.parse(dueAt) - now) / DAY);

export const dueText = (dueAt: string, now = Date.now()) => {
  if (Date.parse(dueAt) < now) {
    const late = Math.max(1, Math.floor((now - Date.parse(dueAt)) / DAY));
    return `overdue by ${late} day${late === 1 ? '' : 's'}`;
  }
  const d = dueIn(dueAt, now);
  return d === 0 ? 'due today' : `due in ${d} day${d === 1 ? '' : 's'}`;
};
