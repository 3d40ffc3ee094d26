import { useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";

import { fetchListing } from "../api/listings";
import { Spinner } from "../components/Spinner";

/**
 * Loads listing `id` and returns `[state, setState]`, where `state` is
 * `{status: "loading" | "ready" | "error", listing, error}`. `onLoad` runs
 * with the listing before the state becomes ready. A change of `id`
 * aborts the earlier request.
 */
export function useListing(id, onLoad) {
  const [state, setState] = useState({ status: "loading", listing: null, error: null });
  const onLoadRef = useRef(onLoad);
  onLoadRef.current = onLoad;

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading", listing: null, error: null });
    fetchListing(id, { signal: controller.signal })
      .then((listing) => {
        onLoadRef.current?.(listing);
        setState({ status: "ready", listing, error: null });
      })
      .catch((error) => {
        if (!controller.signal.aborted) {
          setState({ status: "error", listing: null, error: error.userMessage });
        }
      });
    return () => controller.abort();
  }, [id]);

  return [state, setState];
}

/** Renders the spinner or the error of a listing that is not ready. */
export function ListingNotReady({ state }) {
  if (state.status === "loading") {
    return <Spinner label="Loading the listing" />;
  }
  return (
    <div className="error-box" role="alert">
      <p>{state.error}</p>
      <Link to="/">Back to the feed</Link>
    </div>
  );
}
