import { useCallback, useState } from 'react';

/**
 * Keyset pages: the API hands out a cursor for the next page only, so the way back is the cursors already used.
 * `reset` starts again from the first page (call it when the filters change).
 */
export const usePager = () => {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const next = useCallback((c: string) => setCursors((s) => [...s, c]), []);
  const back = useCallback(() => setCursors((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setCursors([undefined]), []);
  return { cursor: cursors.at(-1), page: cursors.length, next, back, reset };
};
