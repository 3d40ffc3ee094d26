import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { fetchRelatedListings } from "../api/related";
import { ListingCard } from "../components/ListingCard";

export const STRIP_SIZE = 6;

/**
 * Renders the similar listings and the seller's other listings below a
 * listing. The strips are secondary to the page, so each is left out while
 * loading and when it is empty. A failed request shows its message once.
 */
export function RelatedListings({ listing, searchPath }) {
  const [state, setState] = useState({ status: "loading", related: null, error: null });
  const categoryName = listing.category_path?.split(" > ").at(-1);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading", related: null, error: null });
    fetchRelatedListings(listing.id, { signal: controller.signal })
      .then((related) => setState({ status: "ready", related, error: null }))
      .catch((error) => {
        if (!controller.signal.aborted) {
          setState({ status: "error", related: null, error: error.userMessage });
        }
      });
    return () => controller.abort();
  }, [listing.id]);

  if (state.status === "loading") {
    return null;
  }
  if (state.status === "error") {
    return (
      <section className="strip" aria-label="Similar listings">
        <h2>Similar listings</h2>
        <p className="field-error">{state.error}</p>
      </section>
    );
  }
  const similar = state.related.similar.slice(0, STRIP_SIZE);
  const fromSeller = state.related.seller_listings.slice(0, STRIP_SIZE);
  return (
    <>
      {similar.length > 0 && (
        <section className="strip" aria-label="Similar listings">
          <h2>Similar listings</h2>
          <ul className="cards">
            {similar.map((other) => (
              <ListingCard key={other.id} listing={other} />
            ))}
          </ul>
          {categoryName && searchPath && (
            <p>
              <Link to={searchPath}>See all in {categoryName}</Link>
            </p>
          )}
        </section>
      )}
      {fromSeller.length > 0 && (
        <section className="strip" aria-label={`More from ${listing.seller}`}>
          <h2>More from {listing.seller}</h2>
          <ul className="cards">
            {fromSeller.map((other) => (
              <ListingCard key={other.id} listing={other} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
