import { useEffect, useRef } from "react";

import { Spinner } from "./Spinner";

/**
 * Renders cursor pages and asks for the next one when the end of the list
 * scrolls into view. A "Load more" button does the same for keyboard users
 * and for browsers without IntersectionObserver.
 */
export function InfiniteList({ pages, renderItem, emptyMessage, label }) {
  const sentinelRef = useRef(null);
  const { items, status, error, hasMore, loadMore, pagesLoaded } = pages;

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || typeof IntersectionObserver !== "function") {
      return undefined;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          loadMore();
        }
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [loadMore, items.length]);

  const empty = status === "done" && items.length === 0;
  return (
    <section aria-label={label} aria-busy={status === "loading"}>
      {items.length > 0 && <ul className="cards">{items.map(renderItem)}</ul>}
      {empty && <p className="empty-state">{emptyMessage}</p>}
      {status === "loading" && <Spinner label={pagesLoaded === 0 ? "Loading" : "Loading more"} />}
      {status === "error" && (
        <div className="error-box" role="alert">
          <p>{error}</p>
          <button type="button" onClick={loadMore}>
            Try again
          </button>
        </div>
      )}
      {status === "idle" && hasMore && pagesLoaded > 0 && (
        <div className="more">
          <button type="button" onClick={loadMore}>
            Load more
          </button>
        </div>
      )}
      {status === "done" && items.length > 0 && <p className="end-note">You have reached the end.</p>}
      <div ref={sentinelRef} aria-hidden="true" className="sentinel" />
    </section>
  );
}
