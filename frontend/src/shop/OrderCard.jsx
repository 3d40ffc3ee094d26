import { useState } from "react";
import { Link } from "react-router-dom";

import { runOrderAction } from "../api/shop";
import { formatDateTime, formatPrice } from "../format";
import { totalsByCurrency } from "./cart";
import { RatingForm, RATING_TAGS } from "./RatingForm";

const STATUS_TEXT = {
  arranged: "Arranged: meet to hand over and pay",
  completed: "Completed",
  cancelled: "Cancelled",
};
const TAG_LABELS = Object.fromEntries(RATING_TAGS);

/**
 * Renders one order for its buyer (`role` "buying") or its seller
 * ("selling"), with the actions the API allows in its status.
 */
export function OrderCard({ order, role, onChange }) {
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const me = role === "buying" ? order.buyer : order.seller;
  const otherParty = role === "buying" ? order.seller : order.buyer;
  const myRating = order.ratings.find((rating) => rating.rater === me);
  const theirRating = order.ratings.find((rating) => rating.rater === otherParty);
  const totals = totalsByCurrency(order.items.map((item) => ({ price: item.price, currency: item.currency })));

  async function run(action) {
    if (action === "cancel" && !window.confirm(`Cancel order ${order.id}? Its listings go back on sale.`)) {
      return;
    }
    setPending(action);
    setError(null);
    try {
      onChange(await runOrderAction(order.id, action));
    } catch (failure) {
      setError(failure.userMessage ?? "The action failed. Try again.");
    } finally {
      setPending(null);
    }
  }

  return (
    <li className="order-card">
      <h3>
        Order {order.id} {role === "buying" ? `from ${order.seller}` : `to ${order.buyer}`}
      </h3>
      <p className="meta">
        {STATUS_TEXT[order.status] ?? order.status} · placed {formatDateTime(order.created_at)}
      </p>
      <ul className="order-items">
        {order.items.map((item) => (
          <li key={`${item.listing}-${item.title}`}>
            {item.listing ? <Link to={`/listings/${item.listing}`}>{item.title}</Link> : item.title}{" "}
            <span className="price">{formatPrice(item.price, item.currency)}</span>
            {item.offer && <span className="meta"> (agreed offer)</span>}
          </li>
        ))}
      </ul>
      <p className="cart-total">
        Total:{" "}
        {totals.map((total, index) => (
          <span key={total.currency}>
            {index > 0 && " + "}
            {formatPrice(total.amount, total.currency)}
          </span>
        ))}
      </p>
      {order.status === "arranged" && (
        <div className="button-row">
          <button type="button" onClick={() => run("complete")} disabled={pending !== null}>
            {pending === "complete" ? "Working…" : "Mark as completed"}
          </button>
          <button type="button" onClick={() => run("cancel")} disabled={pending !== null}>
            {pending === "cancel" ? "Working…" : "Cancel the order"}
          </button>
        </div>
      )}
      {order.status === "arranged" && (
        <p className="field-help">Ratings open once the order is completed.</p>
      )}
      {theirRating && (
        <p>
          {otherParty} rated you {theirRating.score} of 5
          {theirRating.tags.length > 0 && ` (${theirRating.tags.map((tag) => TAG_LABELS[tag] ?? tag).join(", ")})`}
          {theirRating.comment && `: “${theirRating.comment}”`}
        </p>
      )}
      {myRating && (
        <p>
          You rated {otherParty} {myRating.score} of 5.
        </p>
      )}
      {order.status === "completed" && !myRating && (
        <RatingForm
          order={order}
          otherParty={otherParty}
          onRated={(rating) => onChange({ ...order, ratings: [rating, ...order.ratings] })}
        />
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
