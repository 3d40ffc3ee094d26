import { useState } from "react";
import { Link } from "react-router-dom";

import { counterOffer, runOfferAction } from "../api/shop";
import { formatDateTime, formatPrice } from "../format";
import { validateOfferAmount } from "./offer";
import { OFFER_STATUS_TEXT } from "./offerStatus";

const ACTION_LABELS = {
  accept: "Accept",
  decline: "Decline",
  counter: "Counter",
  withdraw: "Withdraw",
};

/**
 * Returns the actions the offers API allows this side now. The seller
 * accepts, declines or counters a pending offer, and the buyer does the
 * same with a countered one. The buyer may withdraw until checkout.
 */
export function offerActions(offer, role) {
  if (role === "selling") {
    return offer.status === "pending" ? ["accept", "decline", "counter"] : [];
  }
  const actions = offer.status === "countered" ? ["accept", "decline", "counter"] : [];
  if (["pending", "countered", "accepted"].includes(offer.status)) {
    actions.push("withdraw");
  }
  return actions;
}

/** Renders an offer the user made (`role` "buying") or received ("selling"). */
export function OfferCard({ offer, role, onChange }) {
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const [countering, setCountering] = useState(false);
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState(null);
  const actions = offerActions(offer, role);
  const amountId = `counter-amount-${offer.id}`;

  async function run(action, send = () => runOfferAction(offer.id, action)) {
    setPending(action);
    setError(null);
    try {
      onChange(await send());
      setCountering(false);
    } catch (failure) {
      const fieldMessage = failure.fieldErrors?.amount?.join(" ");
      if (action === "counter" && fieldMessage) {
        setAmountError(fieldMessage);
      } else {
        setError(failure.userMessage ?? "The action failed. Try again.");
      }
    } finally {
      setPending(null);
    }
  }

  function sendCounter(event) {
    event.preventDefault();
    const message = validateOfferAmount(amount, offer.listing);
    setAmountError(message);
    if (message === null) {
      run("counter", () => counterOffer(offer.id, amount.trim()));
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
          The seller&apos;s counter-offer: <strong>{formatPrice(offer.counter_amount, offer.currency)}</strong>
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
              onClick={() => (action === "counter" ? setCountering(true) : run(action))}
              disabled={pending !== null || (action === "counter" && countering)}
              aria-label={`${ACTION_LABELS[action]} the offer on ${offer.listing.title}`}
            >
              {pending === action ? "Working…" : ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      {countering && (
        <form className="offer-form" onSubmit={sendCounter} noValidate>
          <label htmlFor={amountId}>Counter-offer ({offer.currency})</label>
          <div className="search-row">
            <input
              id={amountId}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              aria-invalid={amountError ? "true" : "false"}
              aria-describedby={amountError ? `${amountId}-error` : undefined}
            />
            <button type="submit" disabled={pending !== null}>
              {pending === "counter" ? "Sending…" : "Send"}
            </button>
            <button type="button" onClick={() => setCountering(false)} disabled={pending !== null}>
              Cancel
            </button>
          </div>
          {amountError && (
            <p className="field-error" id={`${amountId}-error`}>
              {amountError}
            </p>
          )}
        </form>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
