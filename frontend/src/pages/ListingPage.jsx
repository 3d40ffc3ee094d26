import { Link, useParams } from "react-router-dom";

import { SellerActions } from "../components/SellerActions";
import { ListingOwnerTools } from "../sell/ListingOwnerTools";
import { CONDITION_LABELS, formatDate, formatPrice } from "../format";
import { ListingNotReady, useListing } from "../hooks/useListing";
import { usePageTitle } from "../hooks/usePageTitle";
import { PhotoGallery } from "../listing/PhotoGallery";
import { RelatedListings } from "../listing/RelatedListings";
import { NextForYou } from "../live/NextForYou";
import { BuyerActions } from "../shop/BuyerActions";

/** Returns the search path for other listings in the listing's category. */
export function categorySearchPath(listing) {
  const params = new URLSearchParams({ category: String(listing.category) });
  const name = listing.category_path?.split(" > ").at(-1);
  if (name) {
    params.set("category_name", name);
  }
  return `/search?${params}`;
}

export function ListingPage() {
  const { id } = useParams();
  const [state, setState] = useListing(id);
  usePageTitle(state.listing?.title ?? "Listing");

  if (state.status !== "ready") {
    return <ListingNotReady state={state} />;
  }

  const { listing } = state;
  return (
    <>
      <article className="listing">
        <PhotoGallery photos={listing.photos} title={listing.title} fallbackUrl={listing.image_url} />
        <div className="listing-info">
          <h1>{listing.title}</h1>
          <p className="price large">{formatPrice(listing.price, listing.currency)}</p>
          <dl className="facts">
            <dt>Condition</dt>
            <dd>{CONDITION_LABELS[listing.condition] ?? listing.condition}</dd>
            <dt>Status</dt>
            <dd>{listing.status}</dd>
            {listing.category_path && (
              <>
                <dt>Category</dt>
                <dd>
                  {listing.category ? (
                    <Link to={categorySearchPath(listing)}>{listing.category_path}</Link>
                  ) : (
                    listing.category_path
                  )}
                </dd>
              </>
            )}
            {listing.neighbourhood && (
              <>
                <dt>Pick-up</dt>
                <dd>{listing.neighbourhood}</dd>
              </>
            )}
            <dt>Listed</dt>
            <dd>{formatDate(listing.created_at)}</dd>
          </dl>
          <section className="seller" aria-label="Seller">
            <h2>Seller</h2>
            <p>
              {listing.seller}
              {listing.seller_is_demo && <span className="badge"> demo</span>}
              {listing.is_own && <span className="badge"> your listing</span>}
            </p>
            {listing.seller_trust_score != null && (
              <p className="trust">
                Trust <strong>{listing.seller_trust_score}°C</strong>
              </p>
            )}
          </section>
          <BuyerActions key={listing.id} listing={listing} />
          {listing.is_own && (
            <SellerActions
              listing={listing}
              onChange={(changed) => setState({ status: "ready", listing: changed, error: null })}
            />
          )}
          <ListingOwnerTools listing={listing} />
          {listing.description && (
            <section aria-label="Description">
              <h2>Description</h2>
              <p className="description">{listing.description}</p>
            </section>
          )}
        </div>
      </article>
      <NextForYou listingId={listing.id} />
      <RelatedListings
        listing={listing}
        searchPath={listing.category ? categorySearchPath(listing) : null}
      />
    </>
  );
}
