import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";

import {
  addFavorite,
  addToCart,
  fetchCart,
  fetchFavoriteCount,
  fetchFavorites,
  fetchOffers,
  makeOffer,
  removeFavorite,
} from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { formatPrice } from "../format";
import { validateOfferAmount } from "./offer";
import { OFFER_STATUS_TEXT } from "./offerStatus";
import { useShop } from "./ShopContext";

// Offers that still bind the buyer; the API allows one per listing.
const OPEN_OFFER_STATUSES = ["pending", "countered", "accepted"];

/** Returns why the viewer cannot buy `listing` now, or null if they can. */
export function unavailableText(listing, username) {
  if (listing.status === "active") {
    return null;
  }
  if (listing.status === "reserved") {
    return listing.reserved_for === username ? null : "This listing is reserved for another buyer.";
  }
  if (listing.status === "sold") {
    return "This listing is already sold.";
  }
  return "This listing is not for sale now.";
}

function FavoriteCount({ count }) {
  if (count === null) {
    return null;
  }
  return (
    <p className="meta">
      {count} {count === 1 ? "person has" : "people have"} favorited this listing.
    </p>
  );
}

/**
 * Renders a buyer's actions on a listing: favorite, add to cart and make
 * an offer. The seller gets the favorite count only, and a signed-out
 * visitor gets a sign-in link that returns to the listing.
 */
export function BuyerActions({ listing }) {
  const { user } = useAuth();
  const shop = useShop();
  const [favoriteCount, setFavoriteCount] = useState(null);
  const [state, setState] = useState({ status: "loading", favorited: false, inCart: false, offer: null });
  const [pending, setPending] = useState(null);
  const [error, setError] = useState(null);
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState(null);
  const isBuyer = Boolean(user) && !listing.is_own;

  const loadCount = useCallback(
    async (signal) => {
      try {
        setFavoriteCount(await fetchFavoriteCount(listing.id, { signal }));
      } catch (failure) {
        if (!signal?.aborted) {
          setError(failure.userMessage);
        }
      }
    },
    [listing.id],
  );

  useEffect(() => {
    const controller = new AbortController();
    loadCount(controller.signal);
    if (isBuyer) {
      const { signal } = controller;
      Promise.all([fetchFavorites({ signal }), fetchCart({ signal }), fetchOffers("buying", { signal })])
        .then(([favorites, cart, offers]) =>
          setState({
            status: "ready",
            favorited: favorites.some((item) => item.listing.id === listing.id),
            inCart: cart.some((line) => line.listing.id === listing.id),
            offer:
              offers.find(
                (offer) => offer.listing.id === listing.id && OPEN_OFFER_STATUSES.includes(offer.status),
              ) ?? null,
          }),
        )
        .catch((failure) => {
          if (!signal.aborted) {
            setState((current) => ({ ...current, status: "error" }));
            setError(failure.userMessage);
          }
        });
    }
    return () => controller.abort();
  }, [listing.id, isBuyer, loadCount]);

  async function run(action, work) {
    setPending(action);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure.userMessage ?? "The action failed. Try again.");
    } finally {
      setPending(null);
    }
  }

  function toggleFavorite() {
    return run("favorite", async () => {
      if (state.favorited) {
        await removeFavorite(listing.id);
      } else {
        await addFavorite(listing.id);
      }
      setState((current) => ({ ...current, favorited: !current.favorited }));
      await loadCount();
    });
  }

  function putInCart() {
    return run("cart", async () => {
      await addToCart(listing.id);
      setState((current) => ({ ...current, inCart: true }));
      await shop.refreshCart();
    });
  }

  function sendOffer(event) {
    event.preventDefault();
    const message = validateOfferAmount(amount, listing);
    setAmountError(message);
    if (message) {
      return undefined;
    }
    return run("offer", async () => {
      try {
        const offer = await makeOffer(listing.id, amount.trim());
        setState((current) => ({ ...current, offer }));
        setAmount("");
      } catch (failure) {
        const fieldMessage = failure.fieldErrors?.amount?.join(" ");
        if (fieldMessage) {
          setAmountError(fieldMessage);
          return;
        }
        throw failure;
      }
    });
  }

  if (listing.is_own) {
    return <FavoriteCount count={favoriteCount} />;
  }
  if (!user) {
    const next = encodeURIComponent(`/listings/${listing.id}`);
    return (
      <section className="buyer-actions" aria-label="Buy">
        <FavoriteCount count={favoriteCount} />
        <p>
          <Link to={`/sign-in?next=${next}`}>Sign in to favorite, buy or make an offer</Link>
        </p>
      </section>
    );
  }

  const blocked = unavailableText(listing, user.username);
  const ready = state.status === "ready";
  return (
    <section className="buyer-actions" aria-label="Buy">
      <h2 className="visually-hidden">Buy</h2>
      <FavoriteCount count={favoriteCount} />
      {blocked && <p className="notice">{blocked}</p>}
      <div className="button-row">
        <button
          type="button"
          aria-pressed={state.favorited}
          onClick={toggleFavorite}
          disabled={!ready || pending !== null}
        >
          {state.favorited ? "★ Favorited" : "☆ Favorite"}
        </button>
        {!blocked &&
          (state.inCart ? (
            <Link className="button-link" to="/cart">
              In your cart: view the cart
            </Link>
          ) : (
            <button type="button" className="primary" onClick={putInCart} disabled={!ready || pending !== null}>
              {pending === "cart" ? "Adding…" : "Add to cart"}
            </button>
          ))}
      </div>
      {state.offer && (
        <p className="notice">
          Your offer of {formatPrice(state.offer.amount, state.offer.currency)}:{" "}
          {OFFER_STATUS_TEXT[state.offer.status] ?? state.offer.status}. <Link to="/offers">See your offers</Link>
        </p>
      )}
      {ready && !state.offer && listing.status === "active" && (
        <form className="offer-form" onSubmit={sendOffer} noValidate>
          <label htmlFor={`offer-amount-${listing.id}`}>Your offer ({listing.currency})</label>
          <div className="search-row">
            <input
              id={`offer-amount-${listing.id}`}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              aria-invalid={amountError ? "true" : "false"}
              aria-describedby={`offer-help-${listing.id}${amountError ? ` offer-error-${listing.id}` : ""}`}
            />
            <button type="submit" disabled={pending !== null}>
              {pending === "offer" ? "Sending…" : "Make an offer"}
            </button>
          </div>
          <p className="field-help" id={`offer-help-${listing.id}`}>
            At most the asking price of {formatPrice(listing.price, listing.currency)}. The seller accepts,
            declines or counters.
          </p>
          {amountError && (
            <p className="field-error" id={`offer-error-${listing.id}`}>
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
    </section>
  );
}
