import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { checkoutCart, fetchCart, removeFromCart } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { Spinner } from "../components/Spinner";
import { formatPrice } from "../format";
import { usePageTitle } from "../hooks/usePageTitle";
import {
  canCheckout,
  checkoutTotals,
  describeCheckoutFailure,
  describeCheckoutResult,
  groupCartBySeller,
} from "../shop/cart";
import { useShop } from "../shop/ShopContext";
import { SignInFirst } from "../shop/SignInFirst";

function Totals({ totals }) {
  return totals.map((total, index) => (
    <span key={total.currency}>
      {index > 0 && " + "}
      {formatPrice(total.amount, total.currency)}
    </span>
  ));
}

function CartLine({ line, onRemove, removing }) {
  const { listing } = line;
  return (
    <li className={line.is_available ? "cart-line" : "cart-line unavailable"}>
      <div>
        <Link to={`/listings/${listing.id}`}>{listing.title}</Link>
        {line.is_available ? (
          <p className="price">
            {formatPrice(line.price, listing.currency)}
            {line.price !== listing.price && <span className="meta"> (your accepted offer)</span>}
          </p>
        ) : (
          <p className="notice">Unavailable: {line.message}</p>
        )}
      </div>
      <button
        type="button"
        onClick={() => onRemove(listing)}
        disabled={removing}
        aria-label={`Remove ${listing.title}`}
      >
        Remove
      </button>
    </li>
  );
}

export function CartPage() {
  const { user } = useAuth();
  const shop = useShop();
  usePageTitle("Cart");
  const [state, setState] = useState({ status: "loading", lines: [], error: null });
  const [removing, setRemoving] = useState(null);
  const [checkingOut, setCheckingOut] = useState(false);
  const [outcome, setOutcome] = useState(null);
  const [actionErrors, setActionErrors] = useState([]);

  const load = useCallback(async (signal) => {
    try {
      const lines = await fetchCart({ signal });
      setState({ status: "ready", lines, error: null });
    } catch (failure) {
      if (!signal?.aborted) {
        setState({ status: "error", lines: [], error: failure.userMessage });
      }
    }
  }, []);

  useEffect(() => {
    if (!user) {
      return undefined;
    }
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [user, load]);

  async function handleRemove(listing) {
    setRemoving(listing.id);
    setActionErrors([]);
    try {
      await removeFromCart(listing.id);
      setState((current) => ({
        ...current,
        lines: current.lines.filter((line) => line.listing.id !== listing.id),
      }));
      shop.refreshCart();
    } catch (failure) {
      setActionErrors([failure.userMessage ?? "Removing the listing failed. Try again."]);
    } finally {
      setRemoving(null);
    }
  }

  async function handleCheckout() {
    setCheckingOut(true);
    setActionErrors([]);
    setOutcome(null);
    try {
      const result = await checkoutCart();
      setOutcome(describeCheckoutResult(result));
    } catch (failure) {
      setActionErrors(describeCheckoutFailure(failure));
    } finally {
      setCheckingOut(false);
    }
    await load();
    shop.refreshCart();
  }

  if (!user) {
    return (
      <>
        <h1>Cart</h1>
        <SignInFirst what="your cart and check out" />
      </>
    );
  }

  const groups = groupCartBySeller(state.lines);
  const totals = checkoutTotals(groups);
  return (
    <>
      <h1>Cart</h1>
      {outcome && (
        <div className="success-box" role="status">
          {outcome.map((line) => (
            <p key={line}>{line}</p>
          ))}
          <p>
            <Link to="/orders">See your orders</Link>
          </p>
        </div>
      )}
      {actionErrors.length > 0 && (
        <div className="error-box" role="alert">
          {actionErrors.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
      {state.status === "loading" && <Spinner label="Loading the cart" />}
      {state.status === "error" && (
        <p className="error-box" role="alert">
          {state.error}
        </p>
      )}
      {state.status === "ready" && groups.length === 0 && (
        <p className="empty-state">
          Your cart is empty. <Link to="/">Browse the feed</Link> and add listings you want.
        </p>
      )}
      {groups.map((group) => (
        <section key={group.seller} className="cart-group" aria-label={`From ${group.seller}`}>
          <h2>From {group.seller}</h2>
          <ul className="cart-lines">
            {group.lines.map((line) => (
              <CartLine
                key={line.listing.id}
                line={line}
                onRemove={handleRemove}
                removing={removing !== null || checkingOut}
              />
            ))}
          </ul>
          {group.blocked ? (
            <p className="notice">
              Nothing from {group.seller} is bought while{" "}
              {group.unavailableCount === 1 ? "an unavailable listing is" : "unavailable listings are"} in the
              cart: a seller's listings are bought all together or not at all. Remove{" "}
              {group.unavailableCount === 1 ? "it" : "them"} to buy the rest.
            </p>
          ) : (
            <p className="cart-total">
              Subtotal: <Totals totals={group.totals} />
            </p>
          )}
        </section>
      ))}
      {groups.length > 0 && (
        <section className="checkout" aria-label="Checkout">
          <h2>Checkout</h2>
          {canCheckout(groups) ? (
            <p className="cart-total">
              To pay in person: <Totals totals={totals} />
            </p>
          ) : (
            <p className="notice">No seller's listings can be bought now.</p>
          )}
          <p className="field-help">
            Each seller's listings become one order. You pay the seller when you meet to collect.
          </p>
          <button
            type="button"
            className="primary"
            onClick={handleCheckout}
            disabled={checkingOut || removing !== null || !canCheckout(groups)}
          >
            {checkingOut ? "Checking out…" : "Check out"}
          </button>
        </section>
      )}
    </>
  );
}
