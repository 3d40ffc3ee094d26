import { useState } from "react";
import { Link } from "react-router-dom";

import { runOfferAction } from "../api/shop";
import { formatDateTime, formatPrice } from "../format";
import { OFFER_STATUS_TEXT } from "./offerStatus";

const ACTION_LABELS = {
  accept: "Accept",
  decline: "Decline",
  withdraw: "Withdraw",
};

/**
 * Returns the actions the offers API allows this side now. The seller
 * accepts or declines a pending offer and the buyer a countered one. The
 * buyer may withdraw until checkout.
 */
export function offerActions(offer, role) {
  if (role === "selling") {
    return offer.status === "pending" ? ["accept", "decline"] : [];
  }
  const actions = offer.status === "countered" ? ["accept", "decline"] : [];
  if (["pending", "countered", "accepted"].includes(offer.status)) {
    actions.push("withdraw");
  }
  return actions;
}

/** Renders an offer the user made (`role` "buying") or received ("selling"). */
export function OfferCard({ offer, role, onChange }) {
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const actions = offerActions(offer, role);

  async function run(action) {
    setPending(action);
    setError(null);
    try {
      onChange(await runOfferAction(offer.id, action));
    } catch (failure) {
      setError(failure.userMessage ?? "The action failed. Try again.");
    } finally {
      setPending(null);
    }
  }

  return (
    <li className="order-card">
      <h3>
        <Link to={`/listings/${offer.listing.id}`}>{offer.listing.title}</Link>
      </h3>
      <p>
        {role === "buying" ? "You offered" : `${offer.buyer} offers`}{" "}
        <strong>{formatPrice(offer.amount, offer.currency)}</strong> (asking{" "}
        {formatPrice(offer.listing.price, offer.listing.currency)})
      </p>
      {offer.counter_amount && (
        <p>
          Counter-offer: <strong>{formatPrice(offer.counter_amount, offer.currency)}</strong>
        </p>
      )}
      <p className="meta">
        Status: {OFFER_STATUS_TEXT[offer.status] ?? offer.status} · {formatDateTime(offer.updated_at)}
      </p>
      {offer.status === "accepted" && (
        <p className="notice">
          Agreed at {formatPrice(offer.accepted_amount, offer.currency)}; held until{" "}
          {formatDateTime(offer.hold_expires_at)}.
          {role === "buying" && (
            <>
              {" "}
              <Link to={`/listings/${offer.listing.id}`}>Add it to your cart and check out</Link> before then.
            </>
          )}
        </p>
      )}
      {actions.length > 0 && (
        <div className="button-row">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              onClick={() => run(action)}
              disabled={pending !== null}
              aria-label={`${ACTION_LABELS[action]} the offer on ${offer.listing.title}`}
            >
              {pending === action ? "Working…" : ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
