import { useCallback, useEffect, useReducer, useRef } from "react";

// status: "idle" (more pages may follow), "loading", "done" (the last page
// has arrived) or "error" (the last request failed; retrying repeats it
// with the same cursor).
export const initialCursorState = {
  items: [],
  next: null,
  pagesLoaded: 0,
  status: "idle",
  error: null,
};

/**
 * Folds page requests into one list. Items are keyed by `key`; an item that
 * an earlier page already contains is dropped, because a listing bumped
 * during a scroll can move onto a later page.
 */
export function cursorReducer(state, action) {
  switch (action.type) {
    case "reset":
      return initialCursorState;
    case "request":
      return { ...state, status: "loading", error: null };
    case "success": {
      const seen = new Set(state.items.map((item) => item.key));
      const fresh = action.items.filter((item) => {
        if (seen.has(item.key)) {
          return false;
        }
        seen.add(item.key);
        return true;
      });
      return {
        items: [...state.items, ...fresh],
        next: action.next ?? null,
        pagesLoaded: state.pagesLoaded + 1,
        status: action.next ? "idle" : "done",
        error: null,
      };
    }
    case "failure":
      return { ...state, status: "error", error: action.message };
    default:
      throw new Error(`Unknown cursor action type: ${action.type}`);
  }
}

/** True when another page may be requested now. */
export function canLoadMore(state) {
  if (state.status === "loading" || state.status === "done") {
    return false;
  }
  return state.pagesLoaded === 0 || state.next !== null;
}

/**
 * Loads cursor pages through `fetchPage(nextUrl, {signal})`, which returns
 * `{items, next}`. A change of `resetKey` (new search filters) drops the
 * list, aborts the request in flight and starts again from the first page.
 */
export function useCursorPages(fetchPage, resetKey) {
  const [state, dispatch] = useReducer(cursorReducer, initialCursorState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const controllerRef = useRef(null);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const loadMore = useCallback(async () => {
    const current = stateRef.current;
    if (!canLoadMore(current)) {
      return;
    }
    const controller = new AbortController();
    controllerRef.current = controller;
    // Mark the request before the first await, so that a second call in the
    // same tick sees "loading" and does not fetch the same cursor twice.
    stateRef.current = { ...current, status: "loading" };
    dispatch({ type: "request" });
    try {
      const page = await fetchRef.current(current.next, { signal: controller.signal });
      if (controllerRef.current === controller) {
        dispatch({ type: "success", items: page.items, next: page.next });
      }
    } catch (error) {
      if (controllerRef.current === controller && !controller.signal.aborted) {
        dispatch({
          type: "failure",
          message: error.userMessage ?? String(error.message ?? error),
        });
      }
    }
  }, []);

  useEffect(() => {
    controllerRef.current?.abort();
    controllerRef.current = null;
    stateRef.current = initialCursorState;
    dispatch({ type: "reset" });
    loadMore();
    return () => {
      controllerRef.current?.abort();
      controllerRef.current = null;
    };
  }, [resetKey, loadMore]);

  return { ...state, loadMore, hasMore: canLoadMore(state) };
}
