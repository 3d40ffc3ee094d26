import { Link } from "react-router-dom";

import { CONDITION_LABELS, formatPrice } from "../format";
import { ListingPhoto } from "./ListingPhoto";

/**
 * Renders a listing tile with the feed's `reason`, when there is one, and
 * `actions` (buttons) below the link.
 */
export function ListingCard({ listing, reason, actions = null }) {
  return (
    <li className="card">
      <Link to={`/listings/${listing.id}`} className="card-link">
        <ListingPhoto src={listing.image_url} alt="" />
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
      {actions}
    </li>
  );
}
