import { useCallback, useState } from "react";

import { markNotInterested, unmarkNotInterested } from "../api/shop";

/**
 * Tracks the feed listings that the user marked "not interested". A marked
 * listing leaves the list at once; when the request fails it comes back
 * with the error. The last one marked can be shown again ("Undo").
 */
export function useNotInterested() {
  const [hiddenIds, setHiddenIds] = useState(() => new Set());
  const [last, setLast] = useState(null);
  const [error, setError] = useState(null);

  const setHidden = useCallback((id, hidden) => {
    setHiddenIds((current) => {
      const next = new Set(current);
      if (hidden) {
        next.add(id);
      } else {
        next.delete(id);
      }
      return next;
    });
  }, []);

  const hide = useCallback(
    async (listing) => {
      setError(null);
      setHidden(listing.id, true);
      setLast(listing);
      try {
        await markNotInterested(listing.id);
      } catch (failure) {
        setHidden(listing.id, false);
        setLast(null);
        setError(failure.userMessage ?? "Hiding the listing failed. Try again.");
      }
    },
    [setHidden],
  );

  const undo = useCallback(async () => {
    if (!last) {
      return;
    }
    setError(null);
    try {
      await unmarkNotInterested(last.id);
      setHidden(last.id, false);
      setLast(null);
    } catch (failure) {
      setError(failure.userMessage ?? "Showing the listing again failed. Try again.");
    }
  }, [last, setHidden]);

  return { hiddenIds, last, error, hide, undo };
}

/** Renders the "not interested" button of a feed card. */
export function NotInterestedButton({ listing, onHide }) {
  return (
    <button
      type="button"
      className="card-action"
      onClick={() => onHide(listing)}
      aria-label={`Not interested in ${listing.title}`}
    >
      Not interested
    </button>
  );
}

/** Says which listing left the feed and offers to bring it back. */
export function NotInterestedNotice({ state }) {
  const { last, error, undo } = state;
  return (
    <>
      <div className="feed-notice" role="status">
        {last && (
          <p>
            “{last.title}” is hidden from your feed.{" "}
            <button type="button" className="link-button inline" onClick={undo}>
              Undo
            </button>
          </p>
        )}
      </div>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
