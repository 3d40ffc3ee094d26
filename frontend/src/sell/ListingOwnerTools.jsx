import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { deleteListing } from "../api/listingEditing";

/**
 * Renders the edit link and the delete button of a listing for its seller.
 * Deleting asks for a confirmation first. A sold listing can be neither
 * edited nor deleted, as the API enforces.
 */
export function ListingOwnerTools({ listing }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState(null);

  if (!listing.is_own || listing.status === "sold") {
    return null;
  }

  async function remove() {
    setDeleting(true);
    setError(null);
    try {
      await deleteListing(listing.id);
      navigate("/", { replace: true });
    } catch (failure) {
      setError(failure.userMessage ?? "Deleting the listing failed. Try again.");
      setDeleting(false);
    }
  }

  return (
    <section className="owner-tools" aria-label="Edit or delete your listing">
      <div className="button-row">
        <Link className="button-link" to={`/listings/${listing.id}/edit`}>
          Edit the listing
        </Link>
        {!confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete the listing
          </button>
        )}
      </div>
      {confirming && (
        <div className="confirm-box" role="group" aria-label="Confirm the deletion">
          <p>Delete “{listing.title}”? This cannot be undone.</p>
          <div className="button-row">
            <button type="button" className="danger" onClick={remove} disabled={deleting}>
              {deleting ? "Deleting…" : "Yes, delete it"}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={deleting} autoFocus>
              Keep it
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
