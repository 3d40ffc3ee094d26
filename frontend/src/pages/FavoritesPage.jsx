import { useState } from "react";
import { Link } from "react-router-dom";

import { fetchFavorites, removeFavorite } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { formatPrice } from "../format";
import { usePageTitle } from "../hooks/usePageTitle";
import { LoadedList } from "../shop/LoadedList";
import { SignInFirst } from "../shop/SignInFirst";
import { useLoaded } from "../shop/useLoaded";

function FavoriteList() {
  const list = useLoaded(fetchFavorites);
  const [removing, setRemoving] = useState(null);
  const [error, setError] = useState(null);

  async function handleRemove(listing) {
    setRemoving(listing.id);
    setError(null);
    try {
      await removeFavorite(listing.id);
      list.setItems((favorites) => favorites.filter((item) => item.listing.id !== listing.id));
    } catch (failure) {
      setError(failure.userMessage ?? "Removing the favorite failed. Try again.");
    } finally {
      setRemoving(null);
    }
  }

  return (
    <>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <LoadedList
        list={list}
        loadingLabel="Loading your favorites"
        emptyMessage="No favorites yet. Press ☆ Favorite on a listing to keep it here."
        className="cart-lines"
      >
        {({ listing }) => (
          <li key={listing.id} className="cart-line">
            <div>
              <Link to={`/listings/${listing.id}`}>{listing.title}</Link>
              <p className="price">{formatPrice(listing.price, listing.currency)}</p>
              <p className="meta">
                {listing.seller}
                {listing.status !== "active" && ` · ${listing.status}`}
              </p>
            </div>
            <button
              type="button"
              onClick={() => handleRemove(listing)}
              disabled={removing !== null}
              aria-label={`Remove ${listing.title} from your favorites`}
            >
              Remove
            </button>
          </li>
        )}
      </LoadedList>
    </>
  );
}

export function FavoritesPage() {
  const { user } = useAuth();
  usePageTitle("Favorites");
  return (
    <>
      <h1>Favorites</h1>
      {user ? <FavoriteList /> : <SignInFirst what="your favorites" />}
    </>
  );
}
