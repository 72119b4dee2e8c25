/**
 * useAsync: runs an API call when its inputs change and exposes { data, error, loading } so
 * every page can draw a loading state and an error message. Results of superseded calls are
 * dropped, so a slow old answer never overwrites a newer one.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

export interface AsyncState<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

export function useAsync<T>(fn: (() => Promise<T>) | null, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(fn !== null);
  const [tick, setTick] = useState(0);
  const call = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to refetch
  useEffect(() => {
    const id = ++call.current;
    if (!fn) {
      setLoading(false);
      return;
    }
    setLoading(true);
    setError(null);
    fn().then(
      (d) => {
        if (id !== call.current) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (id !== call.current) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
