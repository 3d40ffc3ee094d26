import { useRef } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { deleteListingPhoto, updateListing, uploadListingPhotos } from "../api/listingEditing";
import { ListingNotReady, useListing } from "../hooks/useListing";
import { usePageTitle } from "../hooks/usePageTitle";
import { diffListingBody, listingToFormValues } from "../sell/listingEdit";
import { diffPhotos, storedPhotoEntry } from "../sell/photoList";
import { SellForm } from "../sell/SellForm";
import { toListingBody } from "../sell/validation";

/**
 * Saves the edit form in up to three steps: the changed fields (PATCH), the
 * removed photos, then the added ones. `saved` contains what the server stores
 * after each step, so a retry after a failure sends only what is left.
 */
export async function saveListingEdit(listingId, saved, body, photos) {
  const changes = diffListingBody(saved.body, body);
  const { removedIds, addedFiles } = diffPhotos(saved.photos, photos);
  if (Object.keys(changes).length === 0 && removedIds.length === 0 && addedFiles.length === 0) {
    return false;
  }
  if (Object.keys(changes).length > 0) {
    await updateListing(listingId, changes);
    saved.body = body;
  }
  for (const photoId of removedIds) {
    await deleteListingPhoto(listingId, photoId);
    saved.photos = saved.photos.filter((photo) => photo.id !== photoId);
  }
  if (addedFiles.length > 0) {
    await uploadListingPhotos(listingId, addedFiles);
  }
  return true;
}

export function EditListingPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const saved = useRef(null);
  const [state] = useListing(id, (listing) => {
    saved.current = {
      body: toListingBody(listingToFormValues(listing)),
      photos: listing.photos ?? [],
    };
  });
  usePageTitle(state.listing ? `Edit: ${state.listing.title}` : "Edit a listing");

  if (state.status !== "ready") {
    return <ListingNotReady state={state} />;
  }
  const { listing } = state;
  if (!listing.is_own || listing.status === "sold") {
    return (
      <>
        <h1>Edit a listing</h1>
        <p className="error-box" role="alert">
          {listing.is_own
            ? "This listing is sold, so it can no longer be edited."
            : "Only the seller of this listing can edit it."}
        </p>
        <Link to={`/listings/${listing.id}`}>Back to the listing</Link>
      </>
    );
  }

  async function submit(body, photos) {
    const changed = await saveListingEdit(listing.id, saved.current, body, photos);
    if (!changed) {
      throw Object.assign(new Error("Nothing changed"), {
        userMessage: "Nothing was changed. Edit a field or the photos, or go back to the listing.",
      });
    }
    navigate(`/listings/${listing.id}`);
  }

  return (
    <>
      <h1>Edit the listing</h1>
      <p>
        <Link to={`/listings/${listing.id}`}>Back to the listing</Link>
      </p>
      <SellForm
        onSubmit={submit}
        initialValues={listingToFormValues(listing)}
        initialPhotos={(listing.photos ?? []).map(storedPhotoEntry)}
        submitLabel="Save the changes"
        sendingLabel="Saving…"
      />
    </>
  );
}
