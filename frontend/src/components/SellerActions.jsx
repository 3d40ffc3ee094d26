import { useState } from "react";

import { runListingAction } from "../api/listings";
import { formatDateTime } from "../format";

// The actions that the listings API allows from each status. Reserving
// needs a buyer's username, so it is not offered here yet.
export const ACTIONS_BY_STATUS = {
  active: ["bump", "hide", "sell"],
  reserved: ["release", "sell"],
  hidden: ["unhide"],
  sold: [],
};

const ACTION_LABELS = {
  bump: "Bump to the top",
  release: "Cancel the reservation",
  sell: "Mark as sold",
  hide: "Hide",
  unhide: "Show again",
};

/** Renders the status actions that the seller of `listing` may run. */
export function SellerActions({ listing, onChange, now = () => new Date() }) {
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const actions = ACTIONS_BY_STATUS[listing.status] ?? [];
  const nextBump = listing.next_bump_at ? new Date(listing.next_bump_at) : null;
  const bumpWaits = nextBump !== null && nextBump > now();

  async function run(action) {
    if (action === "sell" && !window.confirm("Mark this listing as sold? This cannot be undone.")) {
      return;
    }
    setPending(action);
    setError(null);
    try {
      onChange(await runListingAction(listing.id, action));
    } catch (failure) {
      setError(failure.userMessage ?? "The action failed. Try again.");
    } finally {
      setPending(null);
    }
  }

  if (actions.length === 0) {
    return null;
  }
  return (
    <section className="seller-actions" aria-label="Manage your listing">
      <h2>Manage your listing</h2>
      <div className="button-row">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            onClick={() => run(action)}
            disabled={pending !== null || (action === "bump" && bumpWaits)}
          >
            {pending === action ? "Working…" : ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      {bumpWaits && actions.includes("bump") && (
        <p className="field-help">You can bump it again after {formatDateTime(listing.next_bump_at)}.</p>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
