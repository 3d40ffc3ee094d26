import { Link } from "react-router-dom";

import { CONDITION_LABELS, formatPrice } from "../format";

/** A listing tile; `reason` is the feed's explanation, when there is one. */
export function ListingCard({ listing, reason }) {
  return (
    <li className="card">
      <Link to={`/listings/${listing.id}`} className="card-link">
        {listing.image_url ? (
          <img src={listing.image_url} alt="" loading="lazy" />
        ) : (
          <div className="no-photo" aria-hidden="true">
            No photo
          </div>
        )}
        <div className="card-body">
          <h3 className="title">{listing.title}</h3>
          <p className="price">{formatPrice(listing.price, listing.currency)}</p>
          <p className="meta">
            {CONDITION_LABELS[listing.condition] ?? listing.condition}
            {listing.neighbourhood ? ` · ${listing.neighbourhood}` : ""}
          </p>
          {listing.status && listing.status !== "active" && (
            <p className="badge">{listing.status}</p>
          )}
          {reason && <p className="reason">{reason}</p>}
        </div>
      </Link>
    </li>
  );
}
