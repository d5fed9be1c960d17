/** ISO 8601 periods as people say them: P2Y → "2 years", P1Y6M → "1 year 6 months". */
export const period = (iso: string) => {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso);
  if (!m) return iso;
  const parts = (['year', 'month', 'week', 'day'] as const).flatMap((unit, i) => {
    const n = Number(m[i + 1] ?? 0);
    return n ? [`${n} ${unit}${n === 1 ? '' : 's'}`] : [];
  });
  return parts.length ? parts.join(' ') : iso;
};
