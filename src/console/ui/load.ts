import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Query } from '../api.js';
import { scopeQuery, useConsole } from '../state.js';
import type { Page } from '../types.js';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; the data shown stays until the new answer arrives. */
  reload(): void;
}

/**
 * Runs `load` when `key` changes (and on reload()); an answer to an older call that arrives
 * after a newer one is dropped. The data shown stays during a reload, not for another key.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const shownKey = useRef(key);
  useEffect(() => {
    const call = ++latest.current;
    // Another key: what was shown belongs to something else. A reload keeps it meanwhile.
    const other = shownKey.current !== key;
    shownKey.current = key;
    setState((s) => ({ data: other ? undefined : s.data, error: undefined, loading: true }));
    loader.current().then(
      (data) => {
        if (call === latest.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (call === latest.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  }, [key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * A list of the admin API (`GET path`, with `query`) for the company the header chose (a
 * platform user's choice, or all; a company user's own): loaded again when either changes.
 */
export function useList<T>(path: string, query: Query = {}): Loaded<Page<T>> {
  const full = { ...scopeQuery(useConsole()), ...query };
  return useLoad(() => api.get<Page<T>>(path, full), JSON.stringify(full));
}
