import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Loads a list through `fetchList({signal})` while `enabled`; returns
 * `{status, items, error, setItems, reload}`. status is "loading",
 * "ready" or "error" (with the request's `userMessage` in `error`).
 */
export function useLoaded(fetchList, enabled = true) {
  const [state, setState] = useState({ status: "loading", items: [], error: null });
  const fetchRef = useRef(fetchList);
  fetchRef.current = fetchList;

  const load = useCallback(async (signal) => {
    try {
      const items = await fetchRef.current({ signal });
      setState({ status: "ready", items, error: null });
    } catch (failure) {
      if (!signal?.aborted) {
        setState({ status: "error", items: [], error: failure.userMessage ?? String(failure.message) });
      }
    }
  }, []);

  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    const controller = new AbortController();
    setState({ status: "loading", items: [], error: null });
    load(controller.signal);
    return () => controller.abort();
  }, [enabled, load]);

  const setItems = useCallback(
    (update) => setState((current) => ({ ...current, items: update(current.items) })),
    [],
  );
  return { ...state, setItems, reload: load };
}
