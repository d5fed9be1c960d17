export type Decisions = { grant: number; refuse: number; withdraw: number };
export type Shares = { grant: number; refuse: number; withdraw: number } | null;

const KEYS = ['grant', 'refuse', 'withdraw'] as const;

/**
 * Each kind's share of the week's decisions in whole percent, rounded by largest remainder so the three always add up
 * to 100; null for a week without decisions (a rate of nothing is not 0 %).
 */
export const shares = (d: Decisions): Shares => {
  const total = d.grant + d.refuse + d.withdraw;
  if (total <= 0) return null;
  const exact = KEYS.map((k) => (d[k] * 100) / total);
  const floor = exact.map(Math.floor);
  let left = 100 - floor.reduce((a, b) => a + b, 0);
  const order = KEYS.map((_, i) => i).sort((a, b) => exact[b]! - floor[b]! - (exact[a]! - floor[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    floor[i]! += 1;
    left -= 1;
  }
  return { grant: floor[0]!, refuse: floor[1]!, withdraw: floor[2]! };
};

/** "5 (63%)": the count, and its share when there is one. */
export const countShare = (n: number, share: number | undefined) => (share === undefined ? `${n}` : `${n} (${share}%)`);
