import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api.ts';

export type Load<T> = { data: T | null; error: string | null; loading: boolean; reload: () => void };

/** Runs `fn` on mount and whenever `deps` change; keeps the last data while reloading. */
export const useLoad = <T>(fn: () => Promise<T>, deps: readonly unknown[]): Load<T> => {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on.
  useEffect(() => {
    let live = true;
    setLoading(true);
    fn().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(describeError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
};
