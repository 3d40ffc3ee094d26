import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { fetchListingPage } from "../api/listings";
import { ListingCard } from "./ListingCard";

export const STRIP_SIZE = 6;

/**
 * Renders other active listings of the same category, newest first. It
 * renders nothing while loading and when the category has no other
 * listing, because the strip is secondary to the page.
 */
export function CategoryStrip({ listing, searchPath }) {
  const [state, setState] = useState({ status: "loading", listings: [], error: null });
  const categoryName = listing.category_path?.split(" > ").at(-1) ?? "this category";

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading", listings: [], error: null });
    fetchListingPage(new URLSearchParams({ category: String(listing.category) }), null, {
      signal: controller.signal,
    })
      .then((page) => {
        const others = page.items
          .map((item) => item.listing)
          .filter((other) => other.id !== listing.id)
          .slice(0, STRIP_SIZE);
        setState({ status: "ready", listings: others, error: null });
      })
      .catch((error) => {
        if (!controller.signal.aborted) {
          setState({ status: "error", listings: [], error: error.userMessage });
        }
      });
    return () => controller.abort();
  }, [listing.id, listing.category]);

  if (state.status === "loading" || (state.status === "ready" && state.listings.length === 0)) {
    return null;
  }
  return (
    <section className="strip" aria-label={`More in ${categoryName}`}>
      <h2>More in {categoryName}</h2>
      {state.status === "error" && <p className="field-error">{state.error}</p>}
      {state.listings.length > 0 && (
        <>
          <ul className="cards">
            {state.listings.map((other) => (
              <ListingCard key={other.id} listing={other} />
            ))}
          </ul>
          <p>
            <Link to={searchPath}>See all in {categoryName}</Link>
          </p>
        </>
      )}
    </section>
  );
}
